"""Actor names as people write them, resolved to actors.

Imported files name actors in free text, the same person under several
spellings ("General Mark Milley", "Gen. Mark Milley", "Mark Milley",
"Milley"). The rules, deliberately conservative (a missed merge is one more
actor to merge by hand; a wrong merge silently mixes two people's events):

1. A name is compared by its *key*: ASCII-folded, lowercased, possessive
   ``'s`` and punctuation dropped ("U.S." = "US"), a leading "the" dropped for
   organizations, and for people the titles and ranks in front of the name
   dropped ("General", "Gen.", "Sen.", "President", "Defense Secretary",
   "Secretary of State", "Dr." ...). Suffixes stay: "Donald Trump Jr." is not
   "Donald Trump".
2. Names with the same key are one actor; a name whose key equals the name or
   an alias of an actor already in the tree is that actor.
3. A bare one-word person name ("Milley") is the actor whose surname (last
   word, before any Jr./Sr./III) it is only when exactly one person in the tree
   or the import has that surname; otherwise it stays an actor of its own
   ("Trump" when there are Donald, Eric and Melania Trump).
4. Nothing else merges: no first-name matching, no middle-initial folding
   ("Mark A. Milley" and "Mark Milley" stay two unless an alias says
   otherwise: "George W. Bush" and "George H. W. Bush" must), no acronyms
   ("DOJ" is not "Department of Justice").

The type is a guess: a name with an organization word (Department, Agency,
Inc, Committee, Court, Party, Foundation, News ...) or an all-capitals acronym
is an organization, anything else a person.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dossier.model import MAX_ID_LENGTH, slugify


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ORGANIZATION_WORDS = _words(
    """
    department dept agency inc incorporated corp corporation co company companies llc llp ltd plc gmbh
    committee commission council court courts party foundation fund funds news institute institution university
    college school academy administration bureau office service services association union network networks
    times post journal tribune herald press media group holdings partners capital bank banks financial trust
    alliance coalition board society club church ministry government senate congress house parliament assembly
    army navy marines force forces police guard campaign project center centre organization organisation
    industries industry international global systems technologies technology labs laboratories motors electric
    dynamics mills airlines airways energy oil petroleum pharmaceuticals enterprises ventures exchange
    authority administration command corps cabinet caucus movement front league federation federal
    republicans democrats gop fbi cia nsa doj dhs ice sec irs epa fda pentagon kremlin regime state states
    nation nations embassy consulate institutes chamber magazine radio television tv channel broadcasting
    publishing records studios platform platforms website division brigade battalion regiment team
    """
)

#: Words that make a leading run of words a title ("Defense Secretary", "Lt. Gen.").
TITLE_WORDS = _words(
    """
    general gen lt lieutenant col colonel maj major capt captain adm admiral sgt sergeant cmdr commander brig
    brigadier rear vice sen senator rep representative congressman congresswoman congressmember gov governor
    mayor president presidentelect secretary attorney justice judge speaker minister premier chancellor
    prince princess king queen sheikh dr doctor prof professor mr mrs ms miss sir dame lord lady rev reverend
    ambassador amb director chairman chairwoman chair ceo cfo coo founder commissioner administrator deputy
    chief former acting interim elect leader whip spokesman spokeswoman spokesperson advisor adviser
    counsel counselor strategist officer agent inspector detective sheriff prosecutor
    """
)
#: Extra words allowed inside a title run ("Secretary of State", "Chairman of the Joint Chiefs").
TITLE_FILLERS = _words(
    "of the us u s defense defence state treasury homeland security national fbi cia dhs doj white house "
    "press joint chiefs staff army navy air force hhs health commerce labor energy interior justice "
    "education transportation agriculture veterans affairs special senior supreme court district federal"
)
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})

_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b|(?<=s)['’](?=\s|$)")
_DROPPED = re.compile(r"[.'’`´]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_SLUG_LIKE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_PARENTHESES = re.compile(r"\([^)]*\)")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,}")


def tokens(name: str) -> list[str]:
    """The words of a name for comparison: ASCII, lowercase, no punctuation or possessive."""
    text = _POSSESSIVE.sub("", name)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _DROPPED.sub("", text.lower())
    return _SEPARATORS.sub(" ", text).split()


def guess_type(name: str) -> str:
    """'organization' or 'person', from the words of the name (a guess, kept simple).

    The title in front is left out first: "Secretary of State Marco Rubio" is a
    person, "State Department" an organization.
    """
    words = tokens(name)
    if not words:
        return "person"
    if any(word in ORGANIZATION_WORDS for word in words[_title_length(words):]):
        return "organization"
    stripped = name.strip()
    if "/" in stripped or any(c.isdigit() for c in stripped):  # "X/Twitter", "101st Airborne": not a person
        return "organization"
    if len(stripped.split()) == 1 and (_ACRONYM.fullmatch(stripped) or any(c.isdigit() for c in stripped)):
        return "organization"
    return "person"


def _title_length(words: list[str]) -> int:
    """How many leading words of a person's name are a title or rank (0 when none)."""
    last_title = -1
    for i, word in enumerate(words[:6]):
        if word in TITLE_WORDS:
            last_title = i
        elif word not in TITLE_FILLERS:
            break
    if last_title < 0:
        return 0
    end = last_title + 1
    # "Secretary of State Marco Rubio": the filler run after the last title word belongs to it.
    while end < len(words) and words[end] in TITLE_FILLERS:
        end += 1
    left = len(words) - end
    # What is left must look like a name: two words or more ("Pete Hegseth"), or one word after a
    # one-word title ("President Trump", "Justice Kagan"); "Director of National Intelligence" keeps
    # its words.
    if left >= 2 or (left == 1 and end == 1):
        return end
    return 0


def _without_parentheses(name: str) -> str:
    """A person's name without a remark in parentheses ("Jamie Raskin (MD)"), if a name is left."""
    if "(" not in name:
        return name
    bare = " ".join(_PARENTHESES.sub(" ", name).split())
    return bare if len(bare.split()) >= 2 else name


def name_key(name: str, actor_type: str | None = None) -> str:
    """The comparison key of a name (see the module's rules)."""
    if (actor_type or guess_type(name)) == "person":
        words = tokens(_without_parentheses(name))
        words = words[_title_length(words):]
        return " ".join(words)
    words = tokens(name)
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def display_name(name: str, actor_type: str | None = None) -> str:
    """The name without the title in front, in its own spelling ("General Mark Milley" -> "Mark Milley")."""
    clean = " ".join(name.split())
    if (actor_type or guess_type(clean)) != "person":
        return clean
    clean = _without_parentheses(clean)
    drop = _title_length(tokens(clean))
    if not drop:
        return clean
    words = clean.split(" ")
    count = 0
    for i, word in enumerate(words):
        if count >= drop:
            return " ".join(words[i:])
        count += len(tokens(word))
    return clean


def fold_initials(key: str) -> tuple[str, tuple[str, ...]]:
    """A person's key without middle initials, and the initials (``"george w bush"`` -> ``"george bush", ("w",)``)."""
    words = key.split()
    kept = [w for i, w in enumerate(words) if i == 0 or len(w) > 1]
    return " ".join(kept), tuple(w for i, w in enumerate(words) if i > 0 and len(w) == 1)


def surname(key: str) -> str | None:
    """The surname of a person's key: the last word before any suffix; None for one word."""
    words = key.split()
    while words and words[-1] in SUFFIXES:
        words.pop()
    return words[-1] if len(words) >= 2 else None


@dataclass
class ActorPlan:
    """One actor as the import sees it: an existing one, or one it will create."""

    id: str
    name: str
    type: str
    existing: bool
    spellings: Counter[str] = field(default_factory=Counter)
    created: bool = False

    @property
    def aliases(self) -> list[str]:
        """Every spelling seen other than the name, sorted (kept so the next import finds them)."""
        return sorted({s for s in self.spellings if s != self.name})

    def data(self) -> dict[str, Any]:
        """The profile of a new actor."""
        data: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.aliases:
            data["aliases"] = self.aliases
        return data


class ActorResolver:
    """Resolves every spelling of an import to an actor, existing or new.

    Resolution needs every spelling first (the surname rule counts people), so
    the importer calls :meth:`plan` once with all of them, then :meth:`get`.
    """

    def __init__(self, existing: Iterable[tuple[str, Mapping[str, Any]]] = ()) -> None:
        self._by_key: dict[str, ActorPlan] = {}
        self.existing: list[ActorPlan] = []
        for actor_id, data in sorted(existing, key=lambda item: item[0]):
            name = data.get("name")
            name = name if isinstance(name, str) and name.strip() else actor_id
            actor_type = data.get("type") if isinstance(data.get("type"), str) else "person"
            plan = ActorPlan(actor_id, name, actor_type, existing=True)
            self.existing.append(plan)
            aliases = data.get("aliases")
            names = [name] + [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else [name]
            for spelling in names:
                # An alias shared by two actors stays with the first (by id): resolution is stable.
                self._by_key.setdefault(name_key(spelling, actor_type), plan)
        self._by_spelling: dict[str, ActorPlan] = {}

    def plan(self, spellings: Mapping[str, int], taken: set[str]) -> list[ActorPlan]:
        """Resolve every spelling; returns the actors to create (ids allocated, added to ``taken``)."""
        groups: dict[str, Counter[str]] = {}
        types: dict[str, str] = {}
        for spelling in sorted(spellings):
            actor_type = guess_type(spelling)
            key = name_key(spelling, actor_type)
            if key:
                groups.setdefault(key, Counter())[spelling] += spellings[spelling]
                types.setdefault(key, actor_type)
        # Who has each surname: people of the tree, then people of this import with a full name.
        people: dict[str, list[ActorPlan]] = {}

        def note_surname(key: str, plan: ActorPlan) -> None:
            name = surname(key)
            if name and plan.type == "person":
                holders = people.setdefault(name, [])
                if all(holder is not plan for holder in holders):
                    holders.append(plan)

        for key, plan in self._by_key.items():
            note_surname(key, plan)
        resolved: dict[str, ActorPlan] = {}
        new_plans: list[ActorPlan] = []
        # Middle initials: keys that differ only by them are one person when the initials never
        # disagree ("Geoffrey Berman" = "Geoffrey S. Berman"; "George W. Bush" != "George H. W. Bush").
        initials: dict[str, set[tuple[str, ...]]] = {}
        multi = [k for k in groups if " " in k]
        person_keys = [k for k, p in self._by_key.items() if p.type == "person" and " " in k]
        for key in person_keys + [k for k in multi if types[k] == "person"]:
            folded, letters = fold_initials(key)
            initials.setdefault(folded, set()).add(letters)
        by_fold: dict[str, ActorPlan | None] = {}

        def fold_target(key: str) -> tuple[str | None, ActorPlan | None]:
            folded, _ = fold_initials(key)
            if len(initials.get(folded, set()) - {()}) > 1:
                return None, None
            return folded, by_fold.get(folded)

        for key in person_keys:
            folded, found = fold_target(key)
            if folded is not None:
                # Two actors of the tree that fold together: ambiguous, so neither attracts more.
                plan = self._by_key[key]
                by_fold[folded] = plan if found in (None, plan) and folded not in by_fold else None
        for key in multi:
            plan = self._by_key.get(key)
            folded = None
            if plan is None and types[key] == "person":
                folded, plan = fold_target(key)
            if plan is None:
                plan = ActorPlan("", "", types[key], existing=False)
                new_plans.append(plan)
                if folded is not None and folded not in by_fold:
                    by_fold[folded] = plan
                self._by_key[key] = plan
            resolved[key] = plan
            note_surname(key, plan)
        for key in (k for k in groups if " " not in k):
            plan = self._by_key.get(key)
            holders = people.get(key, [])
            if plan is None and types[key] == "person" and len(holders) == 1:
                plan = holders[0]
            if plan is None:
                plan = ActorPlan("", "", types[key], existing=False)
                new_plans.append(plan)
                self._by_key[key] = plan
            resolved[key] = plan
        for key, counter in groups.items():
            plan = resolved[key]
            plan.spellings.update(counter)
            for spelling in counter:
                self._by_spelling[spelling] = plan
        for plan in new_plans:
            plan.name = _canonical(plan.spellings, plan.type)
        for plan in sorted(new_plans, key=lambda p: (p.name.lower(), p.name)):
            plan.id = allocate_id(slugify(plan.name, MAX_ID_LENGTH), taken)
        return new_plans

    def get(self, spelling: str) -> ActorPlan | None:
        """The actor a planned spelling resolves to (None for a name with no letters or digits)."""
        return self._by_spelling.get(spelling)


def _canonical(spellings: Counter[str], actor_type: str) -> str:
    """The name a new actor gets: its most used spelling, title dropped; ties to the longest."""
    forms: Counter[str] = Counter()
    for spelling, count in spellings.items():
        forms[display_name(spelling, actor_type)] += count
    # A spelling shaped like an id ("white-house") or all lowercase is a last resort.
    return min(forms, key=lambda form: (_SLUG_LIKE.fullmatch(form) is not None, form.islower(),
                                        -forms[form], -len(form), form))


def allocate_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` ... whichever is free; marks it taken."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
    taken.add(candidate)
    return candidate
