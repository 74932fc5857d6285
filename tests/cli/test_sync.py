"""Teams through git, with the real ``git``: ``git setup``, the merge driver under ``git merge``,
and ``sync`` against a bare repository in a temporary folder. No network: the remote is a folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, Result

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")

EVENT = "events/2020-01-03-soleimani-strike/event.toml"
ACTOR = "actors/mark-milley/profile.toml"


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A git that reads no user or system configuration, with a known author and branch name."""
    for name, value in {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Ana Reporter",
        "GIT_AUTHOR_EMAIL": "ana@example.org",
        "GIT_COMMITTER_NAME": "Ana Reporter",
        "GIT_COMMITTER_EMAIL": "ana@example.org",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "init.defaultBranch",
        "GIT_CONFIG_VALUE_0": "main",
    }.items():
        monkeypatch.setenv(name, value)


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "advice.detachedHead=false", *args],
        cwd=cwd, capture_output=True, text=True, check=check, timeout=60, stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def team(tmp_path: Path, run_cli: Callable[..., Result]) -> tuple[Path, Path, Path]:
    """A bare remote and two clones (Ana's, Ben's) of the sample, both set up with the driver."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    ana, ben = tmp_path / "ana", tmp_path / "ben"
    git(tmp_path, "clone", "-q", str(origin), str(ana))
    shutil.copytree(SAMPLE, ana / "dossiers")
    assert run_cli("git", "setup", "--tree", ana / "dossiers").code == 0
    assert run_cli("sync", "--tree", ana / "dossiers").code == 0
    git(tmp_path, "clone", "-q", str(origin), str(ben))
    assert run_cli("git", "setup", "--tree", ben / "dossiers").code == 0
    return origin, ana / "dossiers", ben / "dossiers"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_git_setup_writes_attributes_and_driver_once(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    repo = tmp_path / "newsroom"
    git(tmp_path, "init", "-q", str(repo))
    (repo / ".gitattributes").write_text("*.pdf binary\n")
    shutil.copytree(SAMPLE, repo / "dossiers")
    first = run_cli("git", "setup", "--tree", repo / "dossiers", "--json")
    assert first.code == 0 and first.json()["changed"] is True
    attributes = (repo / ".gitattributes").read_text()
    assert attributes.startswith("*.pdf binary\n")  # the user's own lines are kept
    for name in ("profile.toml", "event.toml", "source.toml"):
        assert f"{name} merge=dossier\n" in attributes
    driver = git(repo, "config", "--get", "merge.dossier.driver").stdout
    assert "-m dossier merge-file %O %A %B %P" in driver
    assert git(repo, "check-attr", "merge", "dossiers/" + EVENT).stdout.strip().endswith("merge: dossier")

    again = run_cli("git", "setup", "--tree", repo / "dossiers")
    assert again.code == 0 and "nothing changed" in again.out
    assert (repo / ".gitattributes").read_text() == attributes
    assert git(repo, "config", "--get-all", "merge.dossier.driver").stdout == driver


def test_git_setup_outside_a_repository_says_so(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    shutil.copytree(SAMPLE, tmp_path / "dossiers")
    result = run_cli("git", "setup", "--tree", tmp_path / "dossiers")
    assert result.code == 2
    assert "not in a git repository" in result.err


def test_check_warns_about_a_repository_without_the_driver_until_setup(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    shutil.copytree(SAMPLE, tmp_path / "dossiers")
    assert "git setup" not in run_cli("check", "--tree", tmp_path / "dossiers").out  # not a repository
    git(tmp_path, "init", "-q")
    before = run_cli("check", "--tree", tmp_path / "dossiers", "--json")
    assert before.code == 0  # a warning, not an error
    setup = [p for p in before.json()["problems"] if p["code"].startswith("git")]
    assert [p["code"] for p in setup] == ["git-setup"]
    assert "dossier git setup" in setup[0]["message"]
    run_cli("git", "setup", "--tree", tmp_path / "dossiers")
    after = run_cli("check", "--tree", tmp_path / "dossiers", "--json").json()["problems"]
    assert not [p for p in after if p["code"].startswith("git")]


def test_concurrent_additions_to_one_entry_merge_cleanly_through_the_driver(team: tuple[Path, Path, Path]) -> None:
    _, ana, ben = team
    edit(ana / EVENT, '  "mark-milley",\n', '  "mark-milley",\n  "mike-pompeo",\n')
    edit(ana / EVENT, 'importance = 9', 'importance = 10')
    (ana / EVENT).write_text((ana / EVENT).read_text() + '\n[[accounts]]\nby = "mike-pompeo"\n'
                             'claim = "The strike saved lives."\nsource = "2021-12-07-meadows-the-chiefs-chief"\n')
    git(ana.parent, "commit", "-qam", "ana")
    git(ana.parent, "push", "-q", "origin", "HEAD:main")
    edit(ben / EVENT, '  "iran",\n', '  "iran",\n  "john-bolton",\n')
    edit(ben / EVENT, 'status = "reported"', 'status = "disputed"')
    (ben / EVENT).write_text((ben / EVENT).read_text() + '\n[[accounts]]\nby = "john-bolton"\n'
                             'claim = "It was overdue."\nsource = "2021-12-07-meadows-the-chiefs-chief"\n')
    git(ben.parent, "commit", "-qam", "ben")
    pulled = git(ben.parent, "pull", "--no-rebase", "--no-edit", "origin", "main", check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    data = tomllib.loads((ben / EVENT).read_text())
    assert {"mike-pompeo", "john-bolton", "mark-milley", "iran"} <= set(data["actors"])
    assert [a["by"] for a in data["accounts"]] == ["john-bolton", "mike-pompeo"]  # ours first, then theirs
    assert (data["importance"], data["status"]) == (10, "disputed")
    assert "# Reported: seeds 000 (D3) and 001 (C2) state it" in (ben / EVENT).read_text()  # comments survive


def test_git_line_merge_conflicts_on_the_same_additions(tmp_path: Path, team: tuple[Path, Path, Path]) -> None:
    """The reason for the driver: without it, the same two additions stop the merge."""
    _, ana, ben = team
    git(ben.parent, "config", "--remove-section", "merge.dossier")  # no driver: git merges by line
    edit(ana / ACTOR, 'tags = [', 'tags = ["from-ana", ')
    git(ana.parent, "commit", "-qam", "ana")
    git(ana.parent, "push", "-q", "origin", "HEAD:main")
    edit(ben / ACTOR, 'tags = [', 'tags = ["from-ben", ')
    git(ben.parent, "commit", "-qam", "ben")
    pulled = git(ben.parent, "pull", "--no-rebase", "--no-edit", "origin", "main", check=False)
    assert pulled.returncode != 0
    assert "CONFLICT" in pulled.stdout


def test_a_conflict_on_one_scalar_is_named_by_check(
    team: tuple[Path, Path, Path], run_cli: Callable[..., Result]
) -> None:
    _, ana, ben = team
    edit(ana / EVENT, "importance = 9", "importance = 10")
    git(ana.parent, "commit", "-qam", "ana")
    git(ana.parent, "push", "-q", "origin", "HEAD:main")
    edit(ben / EVENT, "importance = 9", "importance = 8")
    edit(ben / EVENT, '  "iran",\n', '  "iran",\n  "john-bolton",\n')
    git(ben.parent, "commit", "-qam", "ben")
    assert git(ben.parent, "pull", "--no-rebase", "--no-edit", "origin", "main", check=False).returncode != 0
    checked = run_cli("check", "--tree", ben, "--json")
    assert checked.code == 1
    [problem] = [p for p in checked.json()["problems"] if p["code"] == "merge-conflict"]
    assert problem["path"] == EVENT and problem["entry"] == "2020-01-03-soleimani-strike"
    assert "key importance" in problem["message"]
    text = (ben / EVENT).read_text()
    assert problem["line"] == text.splitlines().index("<<<<<<< ours (dossier key: importance)") + 1
    assert '  "john-bolton",\n' in text  # the rest of the entry merged


def test_sync_commits_pulls_and_pushes_and_stops_on_a_conflict_with_the_next_command(
    team: tuple[Path, Path, Path], run_cli: Callable[..., Result]
) -> None:
    origin, ana, ben = team
    # Ana adds an alias and a new source; Ben adds another alias and changes the same importance.
    edit(ana / ACTOR, "aliases = [", 'aliases = ["The General", ')
    new_source = ana / "sources" / "2026-01-02-ana-new-source"
    new_source.mkdir()
    (new_source / "source.toml").write_text('title = "Ana\'s find"\ntype = "web"\n')
    edit(ana / EVENT, "importance = 9", "importance = 10")
    synced = run_cli("sync", "--tree", ana, "--json")
    assert synced.code == 0, synced.out + synced.err
    report = synced.json()
    assert report["pushed"] is True and report["conflicts"] == []
    assert report["changed"]["added"] == ["2026-01-02-ana-new-source"]
    assert sorted(report["changed"]["changed"]) == ["2020-01-03-soleimani-strike", "mark-milley"]
    message = git(origin, "log", "-1", "--format=%B", "main").stdout
    assert "added: 2026-01-02-ana-new-source" in message and "mark-milley" in message

    edit(ben / ACTOR, "aliases = [", 'aliases = ["CJCS Milley", ')
    edit(ben / EVENT, "importance = 9", "importance = 8")
    stopped = run_cli("sync", "--tree", ben, "--json")
    assert stopped.code == 1
    report = stopped.json()
    assert report["pushed"] is False
    assert report["conflicts"] == [
        {"path": "dossiers/" + EVENT, "entry": "2020-01-03-soleimani-strike", "keys": ["importance"],
         "lines": [3], "deleted": False}
    ]
    assert "dossier sync" in report["next"] and "git merge --abort" in report["next"]
    status = git(ben.parent, "status", "--porcelain").stdout
    assert f"UU dossiers/{EVENT}" in status  # git's own conflicted state, for the user
    aliases = tomllib.loads((ben / ACTOR).read_text())["aliases"]
    assert {"The General", "CJCS Milley"} <= set(aliases)  # the other entry merged by key

    # Ben settles on 10, and sync again concludes the merge and pushes.
    again = run_cli("sync", "--tree", ben)
    assert again.code == 1 and "CONFLICT 2020-01-03-soleimani-strike" in again.out and "importance" in again.out
    text = (ben / EVENT).read_text()
    start = text.index("<<<<<<<")
    end = text.index("\n", text.index(">>>>>>>")) + 1
    (ben / EVENT).write_text(text[:start] + "importance = 10\n" + text[end:])
    done = run_cli("sync", "--tree", ben, "--json")
    assert done.code == 0, done.out
    assert done.json()["pushed"] is True
    assert git(ben.parent, "status", "--porcelain").stdout == ""

    back = run_cli("sync", "--tree", ana, "--json")
    assert back.code == 0
    assert set(tomllib.loads((ana / ACTOR).read_text())["aliases"]) >= {"The General", "CJCS Milley"}
    assert tomllib.loads((ana / EVENT).read_text())["importance"] == 10


def test_sync_outside_a_repository_is_a_usage_error(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    shutil.copytree(SAMPLE, tmp_path / "dossiers")
    result = run_cli("sync", "--tree", tmp_path / "dossiers")
    assert result.code == 2 and "not in a git repository" in result.err


def test_sync_without_a_remote_commits_here_and_says_so(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    git(tmp_path, "init", "-q")
    shutil.copytree(SAMPLE, tmp_path / "dossiers")
    result = run_cli("sync", "--tree", tmp_path / "dossiers", "--json")
    assert result.code == 0
    report = result.json()
    assert report["committed"] and report["pushed"] is False
    assert any("no remote" in note for note in report["notes"])
    assert git(tmp_path, "status", "--porcelain").stdout == ""


def test_sync_merges_by_key_in_a_clone_where_setup_was_not_run(
    team: tuple[Path, Path, Path], run_cli: Callable[..., Result]
) -> None:
    """.gitattributes comes with the clone; sync brings the driver for its own merge."""
    _, ana, ben = team
    git(ben.parent, "config", "--remove-section", "merge.dossier")
    edit(ana / ACTOR, "tags = [", 'tags = ["from-ana", ')
    assert run_cli("sync", "--tree", ana).code == 0
    edit(ben / ACTOR, "tags = [", 'tags = ["from-ben", ')
    result = run_cli("sync", "--tree", ben, "--json")
    assert result.code == 0, result.out
    assert any("dossier git setup" in note for note in result.json()["notes"])
    assert {"from-ana", "from-ben"} <= set(tomllib.loads((ben / ACTOR).read_text())["tags"])


def test_merge_file_command_writes_ours_and_reports_conflicts(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    base, ours, theirs = (tmp_path / f"{name}.toml" for name in ("base", "ours", "theirs"))
    base.write_text('title = "T"\nimportance = 5\ntags = ["a"]\n')
    ours.write_text('title = "T"\nimportance = 6\ntags = ["a", "b"]\n')
    theirs.write_text('title = "T"\nimportance = 7\ntags = ["a", "c"]\n')
    result = run_cli("merge-file", base, ours, theirs, "events/x/event.toml", "--json")
    assert result.code == 1
    assert result.json() == {"version": 1, "path": "events/x/event.toml", "clean": False, "method": "keys",
                             "conflicts": ["importance"]}
    assert 'tags = ["a", "b", "c"]' in ours.read_text()
    theirs.write_text('title = "T"\nimportance = 5\ntags = ["a", "d"]\n')
    ours.write_text('title = "T"\nimportance = 6\ntags = ["a", "b"]\n')
    clean = run_cli("merge-file", base, ours, theirs)
    assert clean.code == 0 and clean.err == ""
    assert ours.read_text() == 'title = "T"\nimportance = 6\ntags = ["a", "b", "d"]\n'
    missing = run_cli("merge-file", base, tmp_path / "nope.toml", theirs)
    assert missing.code == 2 and "nope.toml" in missing.err


def test_sync_names_an_entry_deleted_on_one_side_and_changed_on_the_other(
    team: tuple[Path, Path, Path], run_cli: Callable[..., Result]
) -> None:
    _, ana, ben = team
    shutil.rmtree((ana / EVENT).parent)
    assert run_cli("sync", "--tree", ana).code == 0
    edit(ben / EVENT, "importance = 9", "importance = 8")
    stopped = run_cli("sync", "--tree", ben)
    assert stopped.code == 1
    assert "CONFLICT 2020-01-03-soleimani-strike" in stopped.out
    assert "deleted on one side, changed on the other" in stopped.out
    assert (ben / EVENT).exists()  # Ben's version is still there for him to decide
    assert f"git rm -- dossiers/{EVENT}" in stopped.out.replace("\n", "")
    kept = run_cli("sync", "--tree", ben, "--json")
    assert kept.code == 0 and kept.json()["pushed"] is True
    assert tomllib.loads((ben / EVENT).read_text())["importance"] == 8
