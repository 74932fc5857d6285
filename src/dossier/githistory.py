"""An entry's history as git records it: the commits that touched its folder, and what each changed.

Read with the ``git`` executable (no shell, no pager, no external diff or textconv
driver, no fsmonitor hook), so it matches what ``git log`` says. Commit messages and
author names are other people's text: callers show them through :mod:`dossier.safe`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Git may not prompt, page or run anything a repository's configuration names.
_GIT_OPTIONS = ("-c", "core.fsmonitor=false", "-c", "core.quotepath=off", "-c", "color.ui=never",
                "--no-pager", "--literal-pathspecs")
_FIELD, _RECORD = "\x1f", "\x1e"
_SHA = re.compile(r"[0-9a-f]{7,64}")
#: A diff longer than this is cut (a captured article replaced wholesale can be megabytes).
MAX_DIFF_CHARS = 400_000


class HistoryError(Exception):
    """Git cannot answer: it is not installed, the tree is not in a repository, or git failed."""


class NotARepository(HistoryError):
    """The tree is not inside a git repository."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str  # ISO 8601 with the author's offset
    author: str
    email: str
    message: str  # the subject line

    def to_json(self) -> dict[str, str]:
        return {"sha": self.sha, "date": self.date, "author": self.author, "email": self.email,
                "message": self.message}


def _git(root: Path, *args: str, timeout: float = 30.0) -> str:
    git = shutil.which("git")
    if git is None:
        raise HistoryError("git is not installed (or not on PATH)")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C.UTF-8",
           "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(
            [git, *_GIT_OPTIONS, *args], cwd=root, env=env, capture_output=True, timeout=timeout, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HistoryError(f"git could not run: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in message.lower():
            raise NotARepository(f"{root} is not in a git repository")
        raise HistoryError(f"git {args[0]} failed: {message.splitlines()[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def repository_root(root: Path) -> Path:
    """The top folder of the git repository that holds the tree; NotARepository if none does."""
    return Path(_git(root, "rev-parse", "--show-toplevel").strip())


def entry_history(root: Path, folder: str, limit: int | None = None) -> list[Commit]:
    """The commits that touched ``folder`` (relative to the tree ``root``), newest first."""
    repository_root(root)
    args = ["log", f"--format=%H{_FIELD}%aI{_FIELD}%an{_FIELD}%ae{_FIELD}%s{_RECORD}", "--no-ext-diff"]
    if limit is not None:
        args.append(f"--max-count={limit}")
    output = _git(root, *args, "--", folder)
    commits = []
    for record in output.split(_RECORD):
        parts = record.strip("\n").split(_FIELD)
        if len(parts) == 5:
            commits.append(Commit(*parts))
    return commits


def commit_diff(root: Path, sha: str, folder: str) -> str:
    """What commit ``sha`` changed in ``folder``: a unified diff, cut at :data:`MAX_DIFF_CHARS`."""
    if not _SHA.fullmatch(sha):
        raise HistoryError(f"{sha!r} is not a commit id")
    diff = _git(root, "show", "--format=", "--no-ext-diff", "--no-textconv", "--no-color", "--root",
                sha, "--", folder)
    if len(diff) > MAX_DIFF_CHARS:
        diff = diff[:MAX_DIFF_CHARS] + f"\n… cut: the diff is {len(diff):,} characters long\n"
    return diff
