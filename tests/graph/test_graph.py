"""Paths and connections between actors on the sample dossier: every hop names its evidence and sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.exporters import load_entries
from dossier.graph import EVENT, LINK, ROLE, Grade, Graph, parse_via
from dossier.store import Store

REVOCATION = "2025-01-28-milley-security-detail-revoked"
CNN_REVOCATION = "2025-01-28-cnn-hegseth-revokes-milley-detail"


@pytest.fixture(scope="module")
def graph() -> Graph:
    from tests.conftest import SAMPLE

    return Graph.from_entries(load_entries(Store(SAMPLE), with_texts=False).entries)


def test_path_from_milley_to_hegseth_goes_through_the_revocation_and_its_sources(graph: Graph) -> None:
    chains = graph.paths("mark-milley", "pete-hegseth")
    best = chains[0]
    assert best.actors == ["mark-milley", "pete-hegseth"]
    evidence = best.hops[0].evidence
    assert evidence[0].kind == EVENT and evidence[0].id == REVOCATION
    assert CNN_REVOCATION in evidence[0].sources
    # the other evidence of the same hop is kept, after the strongest: Hegseth's own link to Milley
    assert any(e.kind == LINK and e.ends == ("pete-hegseth", "mark-milley") for e in evidence[1:])
    assert graph.grade(CNN_REVOCATION) == Grade("B", 2)


def test_longer_chains_never_repeat_a_shortcut(graph: Graph) -> None:
    # Milley and Hegseth share an event, so no two-hop chain through a third actor of it is offered.
    chains = graph.paths("mark-milley", "pete-hegseth", limit=10)
    assert [c.actors for c in chains] == [["mark-milley", "pete-hegseth"]]


def test_via_restricts_what_makes_a_hop(graph: Graph) -> None:
    links_only = graph.paths("mark-milley", "pete-hegseth", via=parse_via("links"))
    assert links_only and all(e.kind == LINK for hop in links_only[0].hops for e in hop.evidence)
    roles = graph.paths("mark-milley", "eric-fanning", via=parse_via("roles"))
    assert roles[0].actors == ["mark-milley", "us-army", "eric-fanning"]
    assert {e.kind for hop in roles[0].hops for e in hop.evidence} == {ROLE}


def test_disputed_evidence_ranks_after_confirmed(graph: Graph) -> None:
    hop = graph.paths("mark-milley", "donald-trump", via=parse_via("events"))[0].hops[0]
    weak = [e.weak for e in hop.evidence]
    assert True in weak and False in weak
    assert weak == sorted(weak)  # every confirmed or reported event before the disputed one


def test_no_path_beyond_max_hops(graph: Graph) -> None:
    assert graph.paths("qasem-soleimani", "eric-fanning", max_hops=1) == []
    assert graph.paths("qasem-soleimani", "eric-fanning", max_hops=3)


def test_connections_grouped_with_evidence(graph: Graph) -> None:
    connections = {c.actor: c for c in graph.connections("mark-milley")}
    trump = connections["donald-trump"]
    assert len(trump.events) >= 10 and len(trump.links) >= 2
    assert connections["joint-chiefs-of-staff"].roles[0].title == "20th Chairman of the Joint Chiefs of Staff"
    assert connections["mark-esper"].organisations == ["us-army"]  # both held roles in the army
    ranked = [c.actor for c in graph.connections("mark-milley")]
    assert ranked[0] == "donald-trump"  # most shared evidence first


def test_parse_via_names_a_wrong_word() -> None:
    with pytest.raises(ValueError, match="'people'"):
        parse_via("events,people")


def test_grade_in_words() -> None:
    assert Grade("C", 4).words == "C4 (fairly reliable; doubtful)"
    assert Grade(None, 2).words == "?2 (reliability not graded; probably true)"
    assert Grade().words == "ungraded"
    assert Grade.of({"reliability": "x", "credibility": 9}) == Grade()


def test_link_sources_belong_to_their_own_link(tmp_path: Path) -> None:
    (tmp_path / "actors" / "a").mkdir(parents=True)
    (tmp_path / "actors" / "b").mkdir(parents=True)
    (tmp_path / "actors" / "a" / "profile.toml").write_text(
        'name = "A"\n[[links]]\nto = "b"\nrel = "first"\nsources = ["s1"]\n'
        '[[links]]\nto = "b"\nrel = "second"\nsources = ["s2", "s3"]\n')
    (tmp_path / "actors" / "b" / "profile.toml").write_text('name = "B"\n')
    graph = Graph.from_entries(load_entries(Store(tmp_path), with_texts=False).entries)
    links = {e.title: e.sources for e in graph.neighbours("a")["b"]}
    assert links == {"first": ("s1",), "second": ("s2", "s3")}
