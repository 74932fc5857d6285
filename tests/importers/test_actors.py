"""Actor name resolution: spellings of one person merge, different people never do."""

from __future__ import annotations

from collections import Counter

import pytest

from dossier.importers.actors import ActorResolver, guess_type, name_key
from dossier.importers.common import loose_date, normalise_url


def resolve(names: list[str], existing=()) -> dict[str, str]:
    resolver = ActorResolver(existing)
    resolver.plan(Counter(names), set())
    return {name: resolver.get(name).id for name in names}


def test_titles_and_ranks_are_not_part_of_the_name() -> None:
    ids = resolve(["General Mark Milley", "Gen. Mark Milley", "Mark Milley", "Mark Esper"])
    assert ids["General Mark Milley"] == ids["Gen. Mark Milley"] == ids["Mark Milley"] == "mark-milley"
    assert ids["Mark Esper"] == "mark-esper"


def test_bare_surname_resolves_only_when_one_person_has_it() -> None:
    ids = resolve(["Mark Milley", "Milley", "Donald Trump", "Eric Trump", "Trump", "President Trump"])
    assert ids["Milley"] == "mark-milley"
    assert ids["Trump"] not in (ids["Donald Trump"], ids["Eric Trump"])
    assert ids["President Trump"] == ids["Trump"]


def test_suffixes_and_disagreeing_initials_keep_people_apart() -> None:
    ids = resolve(["Donald Trump", "Donald Trump Jr.", "George W. Bush", "George H. W. Bush", "George Bush",
                   "Geoffrey Berman", "Geoffrey S. Berman"])
    assert ids["Donald Trump"] != ids["Donald Trump Jr."]
    assert len({ids["George W. Bush"], ids["George H. W. Bush"], ids["George Bush"]}) == 3
    assert ids["Geoffrey Berman"] == ids["Geoffrey S. Berman"]


def test_existing_actor_names_and_aliases_win() -> None:
    existing = [("mark-a-milley", {"name": "Mark A. Milley", "aliases": ["Gen. Milley"]})]
    ids = resolve(["General Mark Milley", "Gen. Milley", "Milley"], existing)
    assert set(ids.values()) == {"mark-a-milley"}


def test_new_ids_avoid_taken_ones() -> None:
    resolver = ActorResolver()
    taken = {"mark-milley"}
    resolver.plan(Counter(["Mark Milley"]), taken)
    assert resolver.get("Mark Milley").id == "mark-milley-2"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("Mark Milley", "person"), ("Department of Justice", "organization"), ("Heritage Foundation", "organization"),
     ("FBI", "organization"), ("Secretary of State Marco Rubio", "person"), ("Senate Armed Services Committee",
                                                                            "organization")],
)
def test_type_guess(name: str, kind: str) -> None:
    assert guess_type(name) == kind


def test_name_key_folds_case_punctuation_and_possessives() -> None:
    assert name_key("Milley's") == name_key("MILLEY") == "milley"
    assert name_key("The Heritage Foundation") == name_key("heritage foundation")
    assert name_key("U.S. Chamber of Commerce") == name_key("US Chamber of Commerce")


@pytest.mark.parametrize(
    ("url", "same_as"),
    [
        ("https://www.Example.com/a/?utm_source=x&id=2#frag", "http://example.com/a?id=2"),
        ("https://example.com:443/a/", "https://example.com/a"),
        ("https://example.com/a?b=1&a=2", "https://example.com/a?a=2&b=1"),
    ],
)
def test_url_identity(url: str, same_as: str) -> None:
    assert normalise_url(url) == normalise_url(same_as)


def test_different_pages_stay_different() -> None:
    assert normalise_url("https://example.com/a?id=1") != normalise_url("https://example.com/a?id=2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-01-28", "2025-01-28"), ("January 28, 2025", "2025-01-28"), ("28 Jan 2025", "2025-01-28"),
     ("June 2009", "2009-06"), ("2009", "2009"), ("2025-01-28T10:00:00Z", "2025-01-28"), ("2025-01-xx", "2025-01"),
     ("01/28/2025", "2025-01-28"), ("1970s", None), ("", None), ("2025-02-30", None)],
)
def test_loose_dates(text: str, expected: str | None) -> None:
    date = loose_date(text)
    assert (str(date) if date else None) == expected
