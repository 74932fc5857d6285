"""Working as a team through git: set up the merge driver, and sync in one step.

Everything goes through the ``git`` executable with an argument list (never a shell),
with no standard input and no terminal prompt, so a sync never hangs waiting for a
password or an editor. :func:`setup` writes the ``.gitattributes`` lines that route the
three kind files to ``dossier merge-file`` and the repository-local driver
configuration; :func:`sync` commits the local changes, merges the remote's, runs
``check`` and pushes, and on a conflict stops in git's normal conflicted state, naming
the entries and keys.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from dossier.model import KIND_FILES, TEXT_SUFFIXES, Problem, Severity
from dossier.store import atomic_write

DRIVER = "dossier"
#: The lines of ``.gitattributes`` that send the kind files to the driver, at any depth.
ATTRIBUTES = tuple(f"{name} merge={DRIVER}" for name in KIND_FILES)
#: The last sync's report, inside the repository's git folder (never in the tree, never committed).
LAST_SYNC = "dossier-sync.json"
#: How many times sync merges again when someone pushed between its merge and its push.
PUSH_ATTEMPTS = 3


class GitError(Exception):
    """Git is missing, the folder is not in a repository, or a git command failed."""


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``git -C repo ARGS`` and return what it printed; :class:`GitError` when it fails."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_MERGE_AUTOEDIT": "no", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True, text=True, encoding="utf-8", errors="replace",
            stdin=subprocess.DEVNULL, env=env, check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("the git command is not installed") from exc
    if check and done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {said[-1] if said else f'exit {done.returncode}'}")
    return done


def find_repository(folder: Path) -> Path | None:
    """The top folder of the git repository that holds ``folder``, or None."""
    if not folder.is_dir():
        return None
    resolved = folder.resolve()
    if not any((parent / ".git").exists() for parent in (resolved, *resolved.parents)):
        return None  # not in a repository: no need to run git to know (check and the browser ask often)
    try:
        done = git(folder, "rev-parse", "--show-toplevel", check=False)
    except GitError:
        return None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return Path(done.stdout.strip())


def driver_command() -> str:
    """The command git runs to merge a kind file: this very program, by its interpreter's path."""
    return f"{shlex.quote(sys.executable)} -m dossier merge-file %O %A %B %P --marker-size %L"


# ----------------------------------------------------------------------------- setup


@dataclass
class SetupState:
    """What of the set-up a repository has: missing ``.gitattributes`` lines, the driver."""

    repository: Path
    missing_attributes: list[str]
    driver: str | None

    @property
    def ok(self) -> bool:
        return not self.missing_attributes and bool(self.driver)


def setup_state(repo: Path) -> SetupState:
    path = repo / ".gitattributes"
    try:
        present = {" ".join(line.split()) for line in path.read_text(encoding="utf-8").splitlines()}
    except (OSError, UnicodeDecodeError):
        present = set()
    missing = [line for line in ATTRIBUTES if line not in present]
    driver = git(repo, "config", "--local", "--get", f"merge.{DRIVER}.driver", check=False).stdout.strip()
    return SetupState(repo, missing, driver or None)


@dataclass
class SetupReport:
    repository: Path
    attributes_added: list[str] = field(default_factory=list)
    driver: str = ""
    driver_changed: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.attributes_added) or self.driver_changed

    def to_json(self) -> dict[str, Any]:
        return {
            "repository": str(self.repository),
            "attributes_added": self.attributes_added,
            "driver": self.driver,
            "driver_changed": self.driver_changed,
            "changed": self.changed,
        }


def setup(tree: Path) -> SetupReport:
    """Route the kind files to the driver in the repository that holds ``tree``; idempotent."""
    repo = find_repository(tree)
    if repo is None:
        raise GitError(f"{tree} is not in a git repository (run 'git init' or clone one first)")
    state = setup_state(repo)
    report = SetupReport(repo, driver=driver_command())
    if state.missing_attributes:
        path = repo / ".gitattributes"
        old = path.read_bytes() if path.exists() else b""
        newline = b"\r\n" if b"\r\n" in old else b"\n"
        lines = [b"# dossier: merge entry files by key (dossier git setup)"] if not old else []
        lines += [line.encode() for line in state.missing_attributes]
        lead = b"" if not old or old.endswith(b"\n") else newline
        atomic_write(path, old + lead + newline.join(lines) + newline)
        report.attributes_added = state.missing_attributes
    if state.driver != report.driver:
        git(repo, "config", "--local", f"merge.{DRIVER}.name", "dossier: merge entry files by key")
        git(repo, "config", "--local", f"merge.{DRIVER}.driver", report.driver)
        report.driver_changed = True
    return report


def setup_problems(tree: Path) -> list[Problem]:
    """A note when the tree is in a git repository whose merges would go by line.

    A note, not a warning: it is about the repository's settings, not the record, so it must not
    fail ``check --strict``, which gates a publication on the record.
    """
    repo = find_repository(tree)
    if repo is None:
        return []
    state = setup_state(repo)
    if state.ok:
        return []
    return [
        Problem(
            ".gitattributes",
            "the tree is in a git repository that merges entry files line by line: run 'dossier git setup' "
            "so that two people's additions to one entry both survive a merge",
            "git-setup",
            severity=Severity.NOTE,
        )
    ]


# ----------------------------------------------------------------------------- sync


@dataclass
class SyncReport:
    """What a sync did, for people and for ``--json``."""

    repository: Path
    committed: str | None = None
    changed: dict[str, list[str]] = field(default_factory=dict)
    remote: str | None = None
    branch: str | None = None
    merged: list[str] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    pushed: bool = False
    check: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    next: str | None = None

    @property
    def ok(self) -> bool:
        return not self.conflicts

    def to_json(self) -> dict[str, Any]:
        return {
            "repository": str(self.repository),
            "ok": self.ok,
            "committed": self.committed,
            "changed": self.changed,
            "remote": self.remote,
            "branch": self.branch,
            "merged": self.merged,
            "conflicts": self.conflicts,
            "pushed": self.pushed,
            "check": self.check,
            "notes": self.notes,
            "next": self.next,
        }


def sync(tree: Path, message: str | None = None) -> SyncReport:
    """Commit the tree's changes, merge the remote's with the driver, check, push; the report is kept."""
    report = _sync(tree, message)
    with contextlib.suppress(OSError, GitError):  # the record is a convenience for the browser
        git_dir = Path(git(report.repository, "rev-parse", "--absolute-git-dir").stdout.strip())
        record = {**report.to_json(), "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        atomic_write(git_dir / LAST_SYNC, json.dumps(record, indent=2).encode("utf-8"), sync=False)
    return report


def last_sync(tree: Path) -> dict[str, Any] | None:
    """The report of the last sync of the repository that holds ``tree``, if there was one."""
    repo = find_repository(tree)
    if repo is None:
        return None
    try:
        git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir").stdout.strip())
        record = json.loads((git_dir / LAST_SYNC).read_text(encoding="utf-8"))
    except (OSError, GitError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def describe_sync(record: dict[str, Any]) -> str:
    """One line on a sync's outcome, for the browser's status bar."""
    try:
        at = " " + dt.datetime.fromisoformat(str(record["at"])).astimezone().strftime("%d %b %H:%M")
    except (KeyError, ValueError):
        at = ""  # a sync just made in the browser, or a record from another version
    conflicts = record.get("conflicts") or []
    if conflicts:
        keys = [f"{c.get('entry')}: {', '.join(c.get('keys') or []) or 'lines'}" for c in conflicts[:2]]
        more = f" and {len(conflicts) - 2} more" if len(conflicts) > 2 else ""
        return f"sync{at} stopped: conflict in {'; '.join(keys)}{more}"
    done = "pushed" if record.get("pushed") else "committed (no remote)" if not record.get("remote") else "not pushed"
    merged = len(record.get("merged") or [])
    return f"synced{at}: {done}" + (f", {merged} entr{'y' if merged == 1 else 'ies'} merged in" if merged else "")


def _sync(tree: Path, message: str | None) -> SyncReport:
    repo = find_repository(tree)
    if repo is None:
        raise GitError(f"{tree} is not in a git repository (run 'git init' or clone one first)")
    report = SyncReport(repo)
    if not setup_state(repo).ok:
        report.notes.append(
            "the merge driver is not set up here: run 'dossier git setup' (a plain git pull merges by line)"
        )
    tree_spec = _pathspec(repo, tree)
    if _conflicts(repo, tree, report):
        return report
    _commit(repo, tree, tree_spec, message, report)
    remote, branch, upstream = _remote(repo)
    report.remote, report.branch = remote, branch
    for _ in range(PUSH_ATTEMPTS):
        if remote is None:
            report.notes.append("no remote: the changes are committed here only ('git remote add origin URL')")
            break
        if not _merge(repo, tree, remote, branch, report):
            return report
        _check(tree, report)
        pushed = git(repo, "push", *([] if upstream else ["-u"]), remote, f"HEAD:refs/heads/{branch}", check=False)
        if pushed.returncode == 0:
            report.pushed = True
            break
        said = pushed.stderr.strip().splitlines()
        if not any(word in pushed.stderr for word in ("fetch first", "non-fast-forward", "rejected")):
            raise GitError(f"git push failed: {said[-1] if said else 'exit ' + str(pushed.returncode)}")
    if remote is None or not report.pushed:
        _check(tree, report)
    if remote is not None and not report.pushed:
        report.notes.append(f"{remote} kept moving; run 'dossier sync' again")
    return report


def _pathspec(repo: Path, tree: Path) -> str:
    rel = os.path.relpath(tree.resolve(), repo.resolve())
    return "." if rel == "." else PurePosixPath(*Path(rel).parts).as_posix()


def _conflicts(repo: Path, tree: Path, report: SyncReport) -> bool:
    """Whether a merge is still unresolved; a resolved one is concluded here."""
    unmerged = _lines(git(repo, "diff", "--name-only", "--diff-filter=U", "-z").stdout)
    if not unmerged:
        return False
    left = []
    for path in unmerged:
        try:
            text = (repo / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""  # deleted on one side: resolving means git add or git rm
            left.append(path)
            continue
        from dossier.merge import conflict_keys  # here: merge imports tomlkit, which check must not load
        if conflict_keys(text):
            left.append(path)
    if left:
        _report_conflicts(repo, tree, left, report)
        return True
    git(repo, "add", "--", *unmerged)
    if _merging(repo):
        git(repo, "commit", "--no-edit")
        report.notes.append(f"the merge is concluded ({len(unmerged)} file(s) resolved)")
    return False


def _merging(repo: Path) -> bool:
    return git(repo, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).returncode == 0


def _commit(repo: Path, tree: Path, spec: str, message: str | None, report: SyncReport) -> None:
    specs = [spec] + ([".gitattributes"] if (repo / ".gitattributes").exists() else [])
    git(repo, "add", "-A", "--", *specs)
    status = _lines(git(repo, "diff", "--cached", "--name-status", "-z").stdout)
    if not status:
        return
    changes: dict[str, list[str]] = {"added": [], "changed": [], "removed": [], "files": []}
    pairs = iter(status)
    for code in pairs:
        path = next(pairs)
        if code.startswith(("R", "C")):
            path = next(pairs)  # renames name the old path, then the new
        entry = _entry_of(repo, tree, path)
        name = PurePosixPath(path).name
        if entry is None or entry == path:  # not an entry's file: .gitattributes, dossier.toml ...
            kind = "files"
            entry = path
        elif name in KIND_FILES and code in ("A", "D"):
            kind = "added" if code == "A" else "removed"
        else:
            kind = "changed"
        if entry not in changes[kind]:
            changes[kind].append(entry)
    for kind in ("added", "removed"):
        changes["changed"] = [e for e in changes["changed"] if e not in changes[kind]]
    report.changed = {k: v for k, v in changes.items() if v}
    git(repo, "commit", "-q", "-m", message or _message(report.changed))
    report.committed = git(repo, "rev-parse", "--short", "HEAD").stdout.strip()


def _entry_of(repo: Path, tree: Path, path: str) -> str | None:
    """The id of the entry a changed file belongs to (its folder's name), or the file itself."""
    pure = PurePosixPath(path)
    if pure.name in KIND_FILES or pure.suffix in TEXT_SUFFIXES and any(
        (repo / pure.parent / kind).exists() for kind in KIND_FILES
    ):
        return pure.parent.name
    return path


def entry_count(changed: dict[str, list[str]]) -> int:
    """How many entries a sync's ``changed`` names (other files are listed apart)."""
    return sum(len(ids) for kind, ids in changed.items() if kind != "files")


def _message(changed: dict[str, list[str]]) -> str:
    count = entry_count(changed)
    files = len(changed.get("files", []))
    head = f"{count} entr{'y' if count == 1 else 'ies'} changed" if count or not files else f"{files} file(s) changed"
    lines = [f"dossier sync: {head}", ""]
    for kind, ids in changed.items():
        shown = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
        lines.append(f"{kind}: {shown}")
    return "\n".join(lines).strip() + "\n"


def _remote(repo: Path) -> tuple[str | None, str | None, bool]:
    """The remote and branch to sync with, and whether that is the branch's upstream already."""
    branch = git(repo, "symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
    if not branch:
        raise GitError("HEAD is detached: check out a branch first (git switch main)")
    upstream = git(repo, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
    if upstream.returncode == 0 and "/" in upstream.stdout:
        remote = git(repo, "config", "--get", f"branch.{branch}.remote", check=False).stdout.strip()
        merge = git(repo, "config", "--get", f"branch.{branch}.merge", check=False).stdout.strip()
        if remote and merge.startswith("refs/heads/"):
            return remote, merge.removeprefix("refs/heads/"), True
    remotes = git(repo, "remote").stdout.split()
    if not remotes:
        return None, branch, False
    return ("origin" if "origin" in remotes else remotes[0]), branch, False


def _merge(repo: Path, tree: Path, remote: str, branch: str, report: SyncReport) -> bool:
    """Fetch and merge the remote branch; False when it stopped on a conflict."""
    git(repo, "fetch", "-q", remote)
    ref = f"refs/remotes/{remote}/{branch}"
    if git(repo, "rev-parse", "-q", "--verify", ref, check=False).returncode != 0:
        return True  # the remote has no such branch yet: the push creates it
    before = git(repo, "rev-parse", "HEAD", check=False).stdout.strip()
    # The driver for this merge even where 'git setup' was not run here (only .gitattributes came with the clone).
    driver = ["-c", f"merge.{DRIVER}.name=dossier: merge entry files by key",
              "-c", f"merge.{DRIVER}.driver={driver_command()}"]
    merged = git(repo, *driver, "merge", "--no-edit", "-m", f"dossier sync: merge {remote}/{branch}", ref, check=False)
    unmerged = _lines(git(repo, "diff", "--name-only", "--diff-filter=U", "-z").stdout)
    if unmerged:
        _report_conflicts(repo, tree, unmerged, report)
        return False
    if merged.returncode != 0:
        said = (merged.stderr or merged.stdout).strip().splitlines()
        raise GitError(f"git merge failed: {said[-1] if said else 'exit ' + str(merged.returncode)}")
    if before:
        changed = _lines(git(repo, "diff", "--name-only", "-z", before, "HEAD").stdout)
        report.merged = sorted({e for p in changed if (e := _entry_of(repo, tree, p))})
    return True


def _report_conflicts(repo: Path, tree: Path, paths: list[str], report: SyncReport) -> None:
    # Git's two-letter states: UD / DU is a file deleted on one side and changed on the other.
    states = _lines(git(repo, "status", "--porcelain=v1", "-z", "--", *paths).stdout)
    deleted = {state[3:] for state in states if state[:2] in ("UD", "DU", "DD")}
    for path in paths:
        try:
            text = (repo / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = None
        from dossier.merge import conflict_keys  # here: merge imports tomlkit, which check must not load
        found = conflict_keys(text) if text is not None else []
        keys = [key for _, _, names in found for key in names] if path.endswith(".toml") else []
        report.conflicts.append(
            {
                "path": path,
                "entry": _entry_of(repo, tree, path),
                "keys": keys,
                "lines": [start for start, _, _ in found],
                "deleted": text is None or path in deleted,
            }
        )
    report.next = "edit the files listed (between <<<<<<< and >>>>>>>), then run: dossier sync" \
        "   (or give up the merge: git merge --abort)"
    gone = [c["path"] for c in report.conflicts if c["deleted"]]
    if gone:
        report.next += "; a file deleted on one side is kept by dossier sync, or deleted by: git rm -- " + " ".join(
            shlex.quote(path) for path in gone
        )


def _check(tree: Path, report: SyncReport) -> None:
    from dossier.check import check_tree  # check warns about the set-up, which lives here
    from dossier.store import Store

    problems = check_tree(Store(tree)).problems
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    report.check = {"errors": errors, "warnings": len(problems) - errors}


def _lines(output: str) -> list[str]:
    return [part for part in output.split("\0") if part]
