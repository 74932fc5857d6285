"""``dossier history``: the commits that touched an entry, read from a real git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str, author: str = "Ana Reporter") -> str:
    env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "ana@example.org",
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "ana@example.org",
           "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+00:00", "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+00:00",
           "HOME": str(repo), "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(sample_tree: Path) -> Path:
    """The sample in a git repository: one import commit, then two edits by different people."""
    git(sample_tree, "init", "-q", "-b", "main")
    git(sample_tree, "add", ".")
    git(sample_tree, "commit", "-qm", "Import the sample")
    profile = sample_tree / "actors" / "mark-milley" / "profile.toml"
    profile.write_text(profile.read_text().replace('born = 1958-06-20', 'born = 1958-06-20\nnickname = "Milley"'))
    git(sample_tree, "commit", "-qam", "Milley: add nickname", author="Ben Editor")
    other = sample_tree / "actors" / "pete-hegseth" / "profile.toml"
    other.write_text(other.read_text() + "\n# checked\n")
    git(sample_tree, "commit", "-qam", "Hegseth: checked")
    return sample_tree


def test_history_lists_the_commits_that_touched_the_entry(repo: Path, run_cli) -> None:
    result = run_cli("history", "mark-milley", "--tree", repo)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 2  # the Hegseth commit did not touch Milley's folder
    assert "Ben Editor" in lines[0] and "Milley: add nickname" in lines[0] and "2026-11-20 10:00" in lines[0]
    assert "Ana Reporter" in lines[1] and "Import the sample" in lines[1]


def test_history_json_and_diff(repo: Path, run_cli) -> None:
    data = run_cli("history", "mark-milley", "--tree", repo, "--json").json()
    assert [c["message"] for c in data["commits"]] == ["Milley: add nickname", "Import the sample"]
    sha = data["commits"][0]["sha"]
    diff = run_cli("history", "mark-milley", "--tree", repo, "--diff", sha[:10], "--json").json()["diff"]["text"]
    assert '+nickname = "Milley"' in diff and "pete-hegseth" not in diff
    bad = run_cli("history", "mark-milley", "--tree", repo, "--diff", "HEAD;rm -rf /")
    assert bad.code == 2 and "not a commit id" in bad.err


def test_history_outside_git_says_so(sample_tree: Path, tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never find a repository above the temp folder
    result = run_cli("history", "mark-milley", "--tree", sample_tree)
    assert result.code == 2
    assert "not in a git repository" in result.err
