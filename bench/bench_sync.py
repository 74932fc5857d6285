"""Teams syncing one dossier through git: git's line merge against dossier's merge driver.

A bare repository in a temporary folder is the remote; a few clones of a copy of the
sample (or of a generated tree) each make random edits of the kinds people make (add an
actor or a new source to an event, add an account, change importance or status, add an
alias, add a link, edit a note) and run ``dossier sync`` in turn. A sync that stops on a
conflict is resolved the way a hurried reporter does it (keep my side of every conflict
block) and synced again. At the end every clone syncs until all agree, and every
addition made on any clone is looked for in the final tree.

Reported, once with git's line merge and once with the driver: syncs that stopped on a
conflict, keys in conflict (and of those, how many were not two different values of one
scalar), and additions lost. Not timed: this measures merging, not speed.

    .venv/bin/python bench/bench_sync.py [--clones 3] [--edits 300] [--every 10] [--generate N] [--write]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, append_to_readme, machine  # noqa: E402

from dossier.gitsync import GitError, setup, sync  # noqa: E402

SCALARS = {"importance", "status"}
RESOLUTIONS = {
    "ours": "a stopped sync is resolved by keeping the local side of every conflict block (the hurried way), "
    "then synced again.",
    "both": "a stopped sync is resolved by keeping both sides of every conflict block where the file stays TOML "
    "(the careful way), else the local side, then synced again.",
}
RELS = ["worked with", "public rift with", "reported to", "criticized", "advised"]
STATUSES = ["reported", "confirmed", "disputed", "debunked"]
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "init.defaultBranch",
    "GIT_CONFIG_VALUE_0": "main",
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          stdin=subprocess.DEVNULL)
    return done.stdout


@dataclass
class Outcome:
    syncs: int = 0
    stopped: int = 0
    keys: int = 0
    not_scalar: int = 0
    note_conflicts: int = 0
    additions: int = 0
    lost: int = 0
    lost_notes: int = 0
    lost_examples: list[str] = field(default_factory=list)
    broken_files: int = 0


def _table_like(tables: Any, fields: dict[str, str]) -> Any:
    """A new table written the way the file writes the others: ``[[links]]``, or inline ``{ to = ... }``
    as tomli_w (and so the generated tree) writes short ones."""
    if isinstance(tables, tomlkit.items.AoT):
        table = tomlkit.table()
    else:
        table = tomlkit.inline_table()
    table.update(fields)
    return table


class Clone:
    """One reporter's clone and the edits they make, with every addition written down."""

    def __init__(self, name: str, tree: Path, rng: random.Random, additions: list[tuple[Any, ...]]) -> None:
        self.name, self.tree, self.rng, self.additions = name, tree, rng, additions
        self.made = 0

    def entries(self, folder: str, kind_file: str) -> list[Path]:
        return sorted(p for p in (self.tree / folder).glob(f"*/{kind_file}"))

    def _edit_toml(self, path: Path, change: Any) -> bool:
        try:
            doc = tomlkit.parse(path.read_text(encoding="utf-8"))
        except Exception:  # a file left broken by an earlier resolution: a person would skip it too
            return False
        if change(doc) is False:
            return False
        path.write_text(tomlkit.dumps(doc), encoding="utf-8")
        return True

    def edit(self) -> None:
        kind = self.rng.choice(["actor", "source", "account", "importance", "status", "alias", "link", "note"])
        getattr(self, f"_{kind}")()

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.tree).as_posix()

    def _actor_ids(self) -> list[str]:
        return [p.parent.name for p in self.entries("actors", "profile.toml")]

    def _actor(self) -> None:
        event = self.rng.choice(self.entries("events", "event.toml"))
        actor = self.rng.choice(self._actor_ids())

        def change(doc: Any) -> bool:
            actors = doc.setdefault("actors", [])
            if actor in actors:
                return False
            actors.append(actor)
            return True

        if self._edit_toml(event, change):
            self.additions.append(("word", self._rel(event), "actors", actor))

    def _source(self) -> None:
        event = self.rng.choice(self.entries("events", "event.toml"))
        self.made += 1
        source_id = f"2026-01-01-{self.name}-source-{self.made}"
        folder = self.tree / "sources" / source_id
        folder.mkdir(parents=True)
        (folder / "source.toml").write_text(f'title = "Source {self.made} found by {self.name}"\ntype = "web"\n')
        self.additions.append(("file", self._rel(folder / "source.toml")))
        if self._edit_toml(event, lambda doc: doc.setdefault("sources", []).append(source_id)):
            self.additions.append(("word", self._rel(event), "sources", source_id))

    def _account(self) -> None:
        event = self.rng.choice(self.entries("events", "event.toml"))
        by = self.rng.choice(self._actor_ids())
        self.made += 1
        source = f"{self.name}-interview-{self.made}"
        fields = {"by": by, "claim": f"{by} says so ({self.name} {self.made}).", "source": source}

        def change(doc: Any) -> None:
            if "accounts" not in doc:
                doc["accounts"] = tomlkit.aot()
            doc["accounts"].append(_table_like(doc["accounts"], fields))

        if self._edit_toml(event, change):
            self.additions.append(("table", self._rel(event), "accounts", {"by": by, "source": source}))

    def _importance(self) -> None:
        event = self.rng.choice(self.entries("events", "event.toml"))
        self._edit_toml(event, lambda doc: doc.__setitem__("importance", self.rng.randint(1, 10)))

    def _status(self) -> None:
        event = self.rng.choice(self.entries("events", "event.toml"))
        self._edit_toml(event, lambda doc: doc.__setitem__("status", self.rng.choice(STATUSES)))

    def _alias(self) -> None:
        actor = self.rng.choice(self.entries("actors", "profile.toml"))
        self.made += 1
        alias = f"Alias {self.made} of {self.name}"
        if self._edit_toml(actor, lambda doc: doc.setdefault("aliases", []).append(alias)):
            self.additions.append(("word", self._rel(actor), "aliases", alias))

    def _link(self) -> None:
        actor = self.rng.choice(self.entries("actors", "profile.toml"))
        to = self.rng.choice(self._actor_ids())
        rel = self.rng.choice(RELS)
        def change(doc: Any) -> bool:
            links = doc.get("links", [])
            if any(link.get("to") == to and link.get("rel") == rel for link in links):
                return False
            if "links" not in doc:
                doc["links"] = tomlkit.aot()
            doc["links"].append(_table_like(doc["links"], {"to": to, "rel": rel}))
            return True

        if self._edit_toml(actor, change):
            self.additions.append(("table", self._rel(actor), "links", {"to": to, "rel": rel}))

    def _note(self) -> None:
        folder = self.rng.choice([p.parent for p in self.entries("events", "event.toml")])
        notes = folder / "notes.md"
        lines = notes.read_text(encoding="utf-8").splitlines(keepends=True) if notes.exists() else []
        self.made += 1
        line = f"- {self.name} note {self.made}: called the press office.\n"
        lines.insert(self.rng.randint(0, len(lines)), line)
        notes.write_text("".join(lines), encoding="utf-8")
        self.additions.append(("line", self._rel(notes), line))


_BLOCK = re.compile(r"^<{7}[^\n]*\n(.*?)^(?:\|{7}[^\n]*\n.*?)?={7}\n(.*?)^>{7}[^\n]*\n", re.MULTILINE | re.DOTALL)


def resolve(text: str, policy: str, toml: bool) -> str:
    """Every conflict block replaced the way a person would: ``ours`` keeps the local side (the
    hurried way); ``both`` keeps both sides' lines, unless that breaks the TOML, then the local side."""
    ours = _BLOCK.sub(r"\1", text)
    if policy == "ours":
        return ours
    both = _BLOCK.sub(r"\1\2", text)
    if toml:
        try:
            tomllib.loads(both)
        except tomllib.TOMLDecodeError:
            return ours
    return both


def run_sync(clone: Clone, outcome: Outcome, policy: str = "ours") -> None:
    outcome.syncs += 1
    report = sync(clone.tree)
    if report.ok:
        return
    outcome.stopped += 1
    for conflict in report.conflicts:
        path = report.repository / conflict["path"]
        if path.suffix == ".toml":
            keys = conflict["keys"] or ["(lines)"]
            outcome.keys += len(keys)
            outcome.not_scalar += sum(1 for k in keys if k not in SCALARS)
        else:
            outcome.note_conflicts += 1
        if path.exists():
            text = resolve(path.read_text(encoding="utf-8"), policy, path.suffix == ".toml")
            path.write_text(text, encoding="utf-8")
        else:
            git(report.repository, "rm", "-q", "--", conflict["path"])
    again = sync(clone.tree)
    if not again.ok:
        raise RuntimeError(f"sync after resolving still conflicts: {again.conflicts}")


def lost(tree: Path, additions: list[tuple[Any, ...]], outcome: Outcome) -> None:
    parsed: dict[str, Any] = {}
    for addition in additions:
        kind, rel = addition[0], addition[1]
        path = tree / rel
        found = False
        if kind == "file":
            found = path.exists()
        elif kind == "line":
            found = path.exists() and addition[2] in path.read_text(encoding="utf-8")
        else:
            if rel not in parsed:
                try:
                    parsed[rel] = tomllib.loads(path.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError):
                    parsed[rel] = None
                    outcome.broken_files += 1
            data = parsed[rel] or {}
            if kind == "word":
                found = addition[3] in data.get(addition[2], [])
            else:
                found = any(all(t.get(k) == v for k, v in addition[3].items()) for t in data.get(addition[2], []))
        outcome.additions += 1
        if not found:
            outcome.lost += 1
            outcome.lost_notes += kind == "line"
            if len(outcome.lost_examples) < 3:
                outcome.lost_examples.append(f"{rel}: {addition[2:]}")


def simulate(source: Path, mode: str, clones: int, edits: int, every: int, seed: int, policy: str) -> Outcome:
    rng = random.Random(seed)
    outcome = Outcome()
    additions: list[tuple[Any, ...]] = []
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        root = Path(tmp)
        git(root, "init", "-q", "--bare", "origin.git")
        people: list[Clone] = []
        for i in range(clones):
            folder = root / f"clone{i}"
            git(root, "clone", "-q", "origin.git", folder.name)
            if i == 0:
                shutil.copytree(source, folder / "dossiers")
            else:
                git(folder, "pull", "-q", "origin", "main")
            if mode == "driver":
                setup(folder / "dossiers")
            people.append(Clone(f"c{i}", folder / "dossiers", random.Random(rng.random()), additions))
            if i == 0:
                run_sync(people[0], Outcome())
        for _ in range(edits // every):
            for person in people:
                for _ in range(every):
                    person.edit()
                run_sync(person, outcome, policy)
        for _ in range(2):  # everyone takes everyone's last pushes
            for person in people:
                run_sync(person, outcome, policy)
        heads = {git(p.tree.parent, "rev-parse", "HEAD") for p in people}
        if len(heads) != 1:
            raise RuntimeError("the clones did not converge")
        lost(people[0].tree, additions, outcome)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clones", type=int, default=3)
    parser.add_argument("--edits", type=int, default=300, help="edits per clone")
    parser.add_argument("--every", type=int, default=10, help="edits between two syncs of one clone")
    parser.add_argument("--generate", type=int, default=0, help="a generated tree of N entries instead of the sample")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--resolve", choices=["ours", "both"], default="ours",
                        help="how a stopped sync is resolved: keep the local side, or both sides where that is TOML")
    parser.add_argument("--write", action="store_true", help="append the table to bench/README.md")
    args = parser.parse_args()
    os.environ.update(GIT_ENV)
    with tempfile.TemporaryDirectory(prefix="bench-sync-tree-") as tmp:
        if args.generate:
            from generate import generate

            source = Path(tmp) / "dossiers"
            generate(args.generate, source, seed=args.seed)
            label = f"a generated tree of {args.generate:,} entries"
        else:
            source = REPO / "dossiers"
            label = "a copy of the sample (77 entries)"
        results = {}
        for mode in ("lines", "driver"):
            try:
                results[mode] = simulate(source, mode, args.clones, args.edits, args.every, args.seed, args.resolve)
            except (GitError, RuntimeError) as exc:
                sys.exit(f"{mode}: {exc}")
            print(mode, results[mode], flush=True)
    lines, driver = results["lines"], results["driver"]
    rows = [
        ("syncs", lines.syncs, driver.syncs),
        ("syncs stopped on a conflict", lines.stopped, driver.stopped),
        ("keys in conflict in entry files", lines.keys, driver.keys),
        ("  of which not one scalar (importance, status) set two ways", lines.not_scalar, driver.not_scalar),
        ("notes in conflict (text files: merged by line either way)", lines.note_conflicts, driver.note_conflicts),
        ("additions made", lines.additions, driver.additions),
        ("additions lost", lines.lost, driver.lost),
        ("  of which lines of notes", lines.lost_notes, driver.lost_notes),
        ("kind files left unreadable", lines.broken_files, driver.broken_files),
    ]
    table = [
        f"## Sync benchmark: {label}, {args.clones} clones x {args.edits} edits, resolve {args.resolve}",
        "",
        f"`bench/bench_sync.py --clones {args.clones} --edits {args.edits} --every {args.every} --seed {args.seed}"
        f"{f' --generate {args.generate}' if args.generate else ''} --resolve {args.resolve}`: a bare repository"
        f" as the remote, each clone syncing every {args.every} edits in turn; {RESOLUTIONS[args.resolve]}",
        f"Machine: {machine()} (shared with other work; nothing here is timed).",
        "",
        "| measure | git's line merge | dossier merge driver |",
        "|---|---|---|",
        *(f"| {name} | {a:,} | {b:,} |" for name, a, b in rows),
        "",
    ]
    if lines.lost_examples:
        table.append("Lost with the line merge, for example: " + "; ".join(f"`{e}`" for e in lines.lost_examples))
        table.append("")
    text = "\n".join(table)
    print(text)
    if args.write:
        append_to_readme(text)


if __name__ == "__main__":
    main()
