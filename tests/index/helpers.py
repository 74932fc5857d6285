"""Small trees written in tests, and waiting on a condition with a deadline."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from dossier.index import Index
from dossier.store import Store

ACTOR = """name = "{name}"
type = "{type}"
aliases = [{aliases}]
summary = "{summary}"
tags = [{tags}]
"""

EVENT = """title = "{title}"
date = {date}
importance = {importance}
status = "{status}"
actors = [{actors}]
tags = [{tags}]
sources = [{sources}]
"""

SOURCE = """title = "{title}"
outlet = "{outlet}"
published = {date}
type = "news"
"""


def _list(items: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f'"{i}"' for i in items)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def actor(root: Path, entry_id: str, name: str, *, type: str = "person", aliases: tuple[str, ...] = (),
          summary: str = "", tags: tuple[str, ...] = (), notes: str | None = None, extra: str = "") -> Path:
    folder = root / "actors" / entry_id
    write(folder / "profile.toml", ACTOR.format(name=name, type=type, aliases=_list(aliases), summary=summary,
                                                tags=_list(tags)) + extra)
    if notes is not None:
        write(folder / "notes.md", notes)
    return folder


def event(root: Path, entry_id: str, title: str, date: str, *, importance: int = 5, status: str = "reported",
          actors: tuple[str, ...] = (), tags: tuple[str, ...] = (), sources: tuple[str, ...] = (),
          summary: str | None = None) -> Path:
    folder = root / "events" / entry_id
    write(folder / "event.toml", EVENT.format(title=title, date=date, importance=importance, status=status,
                                              actors=_list(actors), tags=_list(tags), sources=_list(sources)))
    if summary is not None:
        write(folder / "summary.md", summary)
    return folder


def source(root: Path, entry_id: str, title: str, date: str, *, outlet: str = "CNN", text: str | None = None) -> Path:
    folder = root / "sources" / entry_id
    write(folder / "source.toml", SOURCE.format(title=title, outlet=outlet, date=date))
    if text is not None:
        write(folder / "text.md", text)
    return folder


def small_tree(root: Path) -> Path:
    """Two actors, two events, one source, with references and an unreferenced mention."""
    actor(root, "mark-milley", "Mark A. Milley", aliases=("General Mark Milley", "Milley", "MM"),
          summary="20th Chairman of the Joint Chiefs of Staff.", tags=("us-military",),
          notes="Milley served in the Army from 1980.")
    actor(root, "pete-hegseth", "Pete Hegseth", summary="Secretary of Defense.", tags=("us-government",),
          extra='\n[[links]]\nto = "mark-milley"\nrel = "revoked the detail of"\n')
    event(root, "2025-01-28-detail-revoked", "Hegseth revokes Milley's security detail", "2025-01-28",
          importance=9, status="confirmed", actors=("pete-hegseth", "mark-milley"), tags=("retaliation",),
          sources=("2025-01-28-cnn-report",), summary="The Pentagon pulled the security detail.")
    event(root, "2020-06-01-lafayette-square", "Lafayette Square walk", '"2020-06"', importance=7,
          status="disputed", actors=("donald-trump",), tags=("protests",),
          summary="General Mark Milley walked with the president and later apologised.")
    source(root, "2025-01-28-cnn-report", "Defense secretary revokes security detail", "2025-01-28",
           text="Defense Secretary Pete Hegseth revoked the security clearance of retired Gen. Mark Milley.")
    return root


def wait_for(condition: Callable[[], object], timeout: float = 10.0, interval: float = 0.02) -> object:
    """Poll ``condition`` until it is truthy; fail with the last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value:
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value: {value!r})")
        time.sleep(interval)
        value = condition()
    return value


def bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def ids(hits) -> list[str]:  # type: ignore[no-untyped-def]
    """The ids of search hits, in rank order."""
    return [h.row.id for h in hits]


def git(tree: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "-c", "init.defaultBranch=main", *args], check=True, capture_output=True)


def age_folders(tree: Path) -> None:
    """Give every folder an mtime an hour old, as a tree edited yesterday has.

    A folder changed within the last two seconds is listed again at every reconcile (folder_stamps.RACY):
    without this, every test would pass through that path and none would test the mtime comparison.
    """
    old = time.time() - 3600
    for folder in [tree, *(p for p in tree.rglob("*") if p.is_dir() and ".git" not in p.parts)]:
        os.utime(folder, (old, old))


def next_command(tree: Path, index_dir: Path) -> Index:
    ix = Index.open(Store(tree), index_dir)
    ix.reconcile()
    return ix
