"""Actor names as people write them, resolved to actors: one actor per real party, every merge explained.

Imported files name actors in free text, the same party under several
spellings ("General Mark Milley", "Mark Milley", "Milley"; "Office of
Government Ethics (OGE)", "OGE"; "Apple", "Apple Inc."). The rules put
precision first: a missed merge is one more actor to merge by hand, a wrong
merge silently mixes two parties' events. Every merge is recorded with its
reason (:attr:`ActorResolver.merges`, listed in the import's ``--json`` report).

1. A name is compared by its *key*: transliterated to ASCII (one function,
   :func:`dossier.transliterate.to_ascii`, shared with ids), lowercased,
   possessive ``'s`` and punctuation dropped ("U.S." = "US"). For people the
   titles and ranks in front are dropped ("General", "Sen.", "President",
   "Secretary of State" ...), and a remark in parentheses ("(DOJ official)",
   "(D-CA)", "(dissent)") too: a remark with a role word becomes a role
   ("Stephen Miller (White House senior adviser)"), a full name in it another
   name ("Jho Low (Low Taek Jho)", "I. Lewis (Scooter) Libby"). For
   organizations "The", a leading "U.S."/"US", a trailing "of the United
   States", corporate suffixes (Inc., Corp., LLC, A/S ...), "and"/"&" are
   dropped and "Justice Department" is "Department of Justice". A country is
   its pycountry code ("Russia" = "Russian Federation").
2. An acronym in parentheses is the organization's other name when its letters
   are the name's initials ("Office of Government Ethics (OGE)" makes "OGE"
   that office); otherwise ("Russian Intelligence (GRU)", "Democratic Party
   (DPK)") the whole spelling is one name of its own.
3. People: keys that differ only by middle initials merge when no two
   initials disagree ("George W. Bush" never meets "George H. W. Bush"); a
   short first name merges with its long form when both spellings occur
   ("Bill Barr" / "William Barr"); a surname spelled with a doubled letter
   merges when the first names are the same ("Zelensky" / "Zelenskyy").
   "Steven Miller" is never "Stephen Miller", "Robert" never "Roberta".
4. A title with a surname ("President Trump", "Justice Kagan") is the one
   person the import names with that title and surname; a bare surname
   ("Milley") is the one person who has it. When several do ("Trump": Donald,
   Eric, Melania) it stays an actor of its own with a note for ``check``.
5. Suffixes stay: "Donald Trump Jr." is not "Donald Trump".

Types come from :mod:`dossier.importers.actor_types`.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dossier.importers.actor_types import (
    CORPORATE_SUFFIXES,
    GROUP,
    ORGANIZATION,
    OTHER,
    PERSON,
    ROLE_WORDS,
    STATE,
    TypeEvidence,
    country_code,
    decide,
    name_evidence,
)
from dossier.model import MAX_ID_LENGTH, slugify
from dossier.transliterate import to_ascii


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
    prezident premyer ministr senator
    """
)
#: Extra words allowed inside a title run ("Secretary of State", "Chairman of the Joint Chiefs").
TITLE_FILLERS = _words(
    "of the us u s defense defence state treasury homeland security national fbi cia dhs doj white house "
    "press joint chiefs staff army navy air force hhs health commerce labor energy interior justice "
    "education transportation agriculture veterans affairs special senior supreme court district federal "
    # US states before a title: "California Attorney General Rob Bonta", "New York Attorney General ..."
    "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho "
    "illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota "
    "mississippi missouri montana nebraska nevada new hampshire jersey mexico york north carolina dakota ohio "
    "oklahoma oregon pennsylvania rhode island south tennessee texas utah vermont virginia washington west "
    "wisconsin wyoming"
)
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
#: Short forms of first names, merged with the long form only when both spellings name one surname.
NICKNAMES = {
    "bill": "william", "billy": "william", "will": "william", "bob": "robert", "bobby": "robert", "rob": "robert",
    "dick": "richard", "rick": "richard", "jim": "james", "jimmy": "james", "mike": "michael", "russ": "russell",
    "tom": "thomas", "tommy": "thomas", "joe": "joseph", "chris": "christopher", "dan": "daniel",
    "danny": "daniel", "dave": "david", "tony": "anthony", "pete": "peter", "pat": "patrick", "liz": "elizabeth",
    "beth": "elizabeth", "andy": "andrew", "alex": "alexander", "sam": "samuel", "ben": "benjamin",
    "nick": "nicholas", "matt": "matthew", "greg": "gregory", "jeff": "jeffrey", "ron": "ronald",
    "don": "donald", "larry": "lawrence", "jerry": "gerald", "chuck": "charles", "charlie": "charles",
    "ted": "edward", "ed": "edward", "kate": "katherine", "kathy": "kathleen", "sue": "susan", "jon": "jonathan",
    "steve": "stephen", "fred": "frederick", "hank": "henry", "mitch": "mitchell",
}

_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b|(?<=s)['’](?=\s|$)")
_DROPPED = re.compile(r"[.'’`´]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_SLUG_LIKE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_TRAILING_REMARK = re.compile(r"^(?P<base>[^()]*?)\s*\((?P<remark>[^()]*)\)\s*$")
_INNER_NICKNAME = re.compile(
    r"^(?P<before>[^()\"“”]+?)\s*(?:\((?P<nick>[A-Z][\w’'-]+)\)|[\"“](?P<quoted>[A-Z][\w’'-]+)[\"”])\s+(?P<after>[^()]+)$"
)
_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9&-]*[A-Z0-9][A-Za-z0-9&-]*")
_STATE_CODE = re.compile(r"(?:[DRI]-)?[A-Z]{2}|[DRI]-[A-Z][a-z]+\.?")
_ACRONYM_SKIPPED = frozenset({"of", "and", "for", "the", "in", "on", "to", "at", "a", "an", "de", "du", "des", "la"})
_ORG_DROPPED = frozenset({"the", "and"})
#: Trailing words that do not change which organization is meant ("Palantir Technologies" = "Palantir").
_KEY_SUFFIXES = CORPORATE_SUFFIXES | {"technologies", "worldwide"}
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def tokens(name: str) -> list[str]:
    """The words of a name for comparison: transliterated ASCII, lowercase, no punctuation or possessive."""
    text = _POSSESSIVE.sub("", to_ascii(_POSSESSIVE.sub("", name)))
    text = _DROPPED.sub("", text.lower())
    return _SEPARATORS.sub(" ", text).split()


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
    if left >= 2 or (left == 1 and end <= 2):
        return end
    return 0


def _strip_title(name: str) -> tuple[str, str]:
    """(title, rest) of a spelling in its own words: "General Mark Milley" -> ("General", "Mark Milley")."""
    clean = " ".join(name.split())
    drop = _title_length(tokens(clean))
    if not drop:
        return "", clean
    words = clean.split(" ")
    count = 0
    for i, word in enumerate(words):
        if count >= drop:
            return " ".join(words[:i]), " ".join(words[i:])
        count += len(tokens(word))
    return "", clean


def is_acronym_of(acronym: str, name: str) -> bool:
    """True when the acronym's letters are the initials (or word starts) of the name's words.

    "OGE" / "Office of Government Ethics", "FinCEN" / "Financial Crimes
    Enforcement Network", "DOJ" / "Department of Justice"; small words may be
    skipped, every other word must give at least its first letter.
    """
    letters = re.sub(r"[^a-z0-9]", "", to_ascii(acronym).lower())
    words = tokens(name.replace("&", " and "))
    if not letters or len(words) < 2 or len(letters) > 12:
        return False

    @functools.cache  # many small words ("of the ... and the ...") would branch without it
    def match(i: int, j: int) -> bool:
        if i == len(letters):
            return all(w in _ACRONYM_SKIPPED for w in words[j:])
        if j == len(words):
            return False
        word = words[j]
        if word in _ACRONYM_SKIPPED and match(i, j + 1):
            return True
        for k in range(1, min(len(word), len(letters) - i) + 1):
            if word[:k] != letters[i:i + k]:
                break
            if match(i + k, j + 1):
                return True
        return False

    return match(0, 0)


def org_key(name: str) -> tuple[str, list[str]]:
    """The key of an organization's name, and what it set aside ("'U.S.'", "the suffix 'Inc.'")."""
    dropped: list[str] = []
    words = tokens(re.sub(r"(?<=\w)\.com\b", "", name, flags=re.IGNORECASE))
    kept = [w for w in words if w not in _ORG_DROPPED]
    if kept and len(kept) < len(words):
        dropped.append("'The'/'and'")
        words = kept
    for prefix in (["united", "states"], ["u", "s"], ["us"]):
        if words[: len(prefix)] == prefix and len(words) > len(prefix):
            words = words[len(prefix):]
            dropped.append("'U.S.'")
            break
    for tail in (["of", "united", "states"], ["of", "america"], ["of", "united", "states", "of", "america"]):
        if len(words) > len(tail) + 1 and words[-len(tail):] == tail:
            words = words[: -len(tail)]
            dropped.append("'of the United States'")
    while len(words) > 1 and (words[-1] in _KEY_SUFFIXES or words[-2:] == ["a", "s"]):
        words = words[:-2] if words[-2:] == ["a", "s"] and len(words) > 2 else words[:-1]
        dropped.append("a corporate suffix")
    if 2 <= len(words) <= 4 and words[-1] in ("department", "dept") and "of" not in words:
        words = ["department", "of", *words[:-1]]
        dropped.append("word order ('X Department' = 'Department of X')")
    return " ".join(words), dropped


def guess_type(name: str) -> str:
    """The type the words of a spelling suggest on their own ('person', 'organization', 'state' ...)."""
    return read(name).evidence.type


def name_key(name: str, actor_type: str | None = None) -> str:
    """The comparison key of a name (see the module's rules)."""
    return read(name, actor_type).key


def display_name(name: str, actor_type: str | None = None) -> str:
    """The name without the title in front or remark after, in its own spelling."""
    return read(name, actor_type).display


def fold_initials(key: str) -> tuple[str, tuple[str, ...]]:
    """A person's key without initials, and the initials (``"george w bush"`` -> ``"george bush", ("w",)``).

    A leading initial goes too when two names are left ("i lewis libby" -> "lewis libby").
    """
    words = key.split()
    full = [w for w in words if len(w) > 1]
    if len(full) < 2:
        kept = [w for i, w in enumerate(words) if i == 0 or len(w) > 1]
        return " ".join(kept), tuple(w for i, w in enumerate(words) if i > 0 and len(w) == 1)
    return " ".join(full), tuple(w for w in words if len(w) == 1)


_PATRONYMIC = frozenset({"bin", "bint", "ibn", "binti"})


def surname(key: str) -> str | None:
    """The surname of a person's key: the last word before any suffix; None for one word.

    None too for a name built on a father's name ("Mohammed bin Salman": Salman is his father).
    """
    words = key.split()
    if _PATRONYMIC.intersection(words[1:]):
        return None
    while words and words[-1] in SUFFIXES:
        words.pop()
    return words[-1] if len(words) >= 2 else None


# --------------------------------------------------------------------- reading


@dataclass
class Reading:
    """What one spelling says: the name it gives, the key it is compared by, and what else it states."""

    spelling: str
    display: str
    key: str
    evidence: TypeEvidence
    dropped: list[str] = field(default_factory=list)
    acronym: str | None = None
    other_names: list[str] = field(default_factory=list)
    role: str | None = None
    remark: str | None = None
    title: str = ""
    #: The surname when the spelling is a bare surname or a title with one ("Milley", "President Trump").
    short_surname: str | None = None

    @property
    def is_person(self) -> bool:
        return self.evidence.type == PERSON or (self.evidence.type == OTHER and self.evidence.strength == 0)

    @property
    def title_key(self) -> str | None:
        """``"president|trump"`` for "President Trump" and for "President Donald Trump"."""
        if not self.title or self.evidence.type != PERSON:
            return None
        last = self.short_surname or surname(self.key)
        return f"{' '.join(tokens(self.title))}|{last}" if last else None


def read(spelling: str, actor_type: str | None = None) -> Reading:
    """Read one spelling of an actor's name (``actor_type`` when it is known, as for the tree's actors)."""
    name = " ".join(spelling.split())
    if _SLUG_LIKE.fullmatch(name):  # "senator-elizabeth-warren": an id written where a name was meant
        name = name.replace("-", " ").title()
    remark = None
    other_names: list[str] = []
    inner = _INNER_NICKNAME.match(name)
    if inner and _title_length(tokens(inner["before"])) < len(tokens(inner["before"])):
        # "I. Lewis (Scooter) Libby": the name, and the nickname with the surname.
        name = f"{inner['before']} {inner['after']}"
        other_names.append(f"{inner['nick'] or inner['quoted']} {inner['after'].split()[-1]}")
    match = _TRAILING_REMARK.match(name)
    base = name
    if match and match["base"].strip():
        base, remark = match["base"].strip(), match["remark"].strip()
    title, untitled = _strip_title(base)
    evidence = name_evidence(untitled, titled=bool(title))
    acronym = None
    role = None
    if remark is not None:
        if _ACRONYM.fullmatch(remark) and is_acronym_of(remark, untitled):
            acronym = remark
        elif _ACRONYM.fullmatch(base) and is_acronym_of(base, remark):
            acronym, base, untitled, title = base, remark, remark, ""
            evidence = name_evidence(untitled)
        elif evidence.type == PERSON or title:
            words = set(tokens(remark))
            if words & ROLE_WORDS and not _STATE_CODE.fullmatch(remark):
                role = remark
                evidence = name_evidence(untitled, titled=bool(title), role=True)
            elif name_evidence(remark).type == PERSON and not title and len(remark.split()) >= 2:
                other_names.append(remark)
        elif not remark or not remark[0].isupper() or not any(c.isalpha() for c in remark):
            pass  # "(plaintiff)", "(unnamed)", "($5 million)", "(2017)": about this mention, not the name
        else:  # "Russian Intelligence (GRU)", "Heritage Trust (Delaware)": the whole spelling is the name
            base = untitled = name
            remark = None
            evidence = name_evidence(name)
    if actor_type is not None:
        evidence = TypeEvidence(actor_type, "the actor's type", 3)
    code = country_code(untitled) if evidence.type == STATE else None
    if code is not None:
        return Reading(spelling, untitled, f"country {code}", evidence, ["a country's other name"],
                       acronym, other_names, role, remark, title)
    dropped = [f"the remark '({remark})'"] if remark is not None and acronym is None else []
    short = None
    if evidence.type == PERSON or (title and evidence.type == OTHER):
        key = " ".join(tokens(untitled))
        if title:
            dropped.append(f"the title '{title}'")
        display = untitled
        if " " not in key:
            # "President Trump" keeps its title in the key until the title rule or the surname rule
            # says who it is: it must not ride along with every bare "Trump".
            short = key
            key = " ".join([*tokens(title), key])
    else:
        key, more = org_key(base)
        dropped += more
        display = base
        title = ""
    if short is None and " " not in key and evidence.type in (PERSON, OTHER) and evidence.strength <= 1:
        short = key
    return Reading(spelling, display, key, evidence, dropped, acronym, other_names, role, remark, title, short)


# ------------------------------------------------------------------------ plans


@dataclass
class ActorPlan:
    """One actor as the import sees it: an existing one, or one it will create."""

    id: str
    name: str
    type: str
    existing: bool
    spellings: Counter[str] = field(default_factory=Counter)
    created: bool = False
    extra_aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    @property
    def aliases(self) -> list[str]:
        """Every spelling seen other than the name, and the other names it was given, sorted."""
        names = set(self.spellings) | set(self.extra_aliases)
        return sorted(n for n in names if n != self.name)

    def data(self) -> dict[str, Any]:
        """The profile of a new actor."""
        data: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.aliases:
            data["aliases"] = self.aliases
        if self.roles:
            data["roles"] = [{"title": role} for role in self.roles]
        if self.review:
            data["review"] = list(self.review)
        return data


class _Groups:
    """Union-find over keys, remembering why each union was made."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.reasons: dict[str, list[str]] = defaultdict(list)
        #: Keys already joined to another by some rule.
        self.merged: set[str] = set()

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        self.merged.update((a, b))
        ra, rb = sorted((ra, rb))
        self.parent[rb] = ra
        self.reasons[ra].extend(self.reasons.pop(rb, []))
        self.reasons[ra].append(reason)


_TYPE_ORDER = {STATE: 0, PERSON: 1, GROUP: 2, ORGANIZATION: 3, OTHER: 4}


class ActorResolver:
    """Resolves every spelling of an import to an actor, existing or new, and records each merge.

    Resolution needs every spelling first (the surname rule counts people), so
    the importer calls :meth:`plan` once with all of them, then :meth:`get`.
    """

    def __init__(self, existing: Iterable[tuple[str, Mapping[str, Any]]] = ()) -> None:
        self.existing: list[ActorPlan] = []
        self._tree_keys: dict[str, ActorPlan] = {}
        self._tree_title_keys: dict[str, set[str]] = defaultdict(set)
        self._tree_people: list[tuple[str, ActorPlan]] = []
        for actor_id, data in sorted(existing, key=lambda item: item[0]):
            name = data.get("name")
            name = name if isinstance(name, str) and name.strip() else actor_id
            raw_type = data.get("type")
            actor_type = raw_type if isinstance(raw_type, str) and raw_type else PERSON
            plan = ActorPlan(actor_id, name, actor_type, existing=True)
            self.existing.append(plan)
            aliases = data.get("aliases")
            names = [name] + ([a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else [])
            for spelling in names:
                reading = read(spelling, actor_type)
                # An alias shared by two actors stays with the first (by id): resolution is stable.
                if reading.key:
                    self._tree_keys.setdefault(reading.key, plan)
                    if actor_type == PERSON and " " in reading.key and reading.short_surname is None:
                        self._tree_people.append((reading.key, plan))
                if reading.title_key:
                    self._tree_title_keys[reading.title_key].add(actor_id)
        self._by_spelling: dict[str, ActorPlan] = {}
        #: Every merge of two or more spellings (or of a spelling with an actor of the tree), with reasons.
        self.merges: list[dict[str, Any]] = []
        #: Bare surnames left unmerged for lack of evidence, with the one person who has that surname.
        self._unsure: dict[str, list[str]] = {}
        #: First name -> the people of the import who have it (a bare "Andrew" is theirs to sort out).
        self._first_names: dict[str, set[str]] = defaultdict(set)

    def plan(self, spellings: Mapping[str, int], taken: set[str],
             cues: Mapping[str, Counter[str]] | None = None,
             common_words: set[str] | frozenset[str] = frozenset(),
             texts: Mapping[str, str] | None = None) -> list[ActorPlan]:
        """Resolve every spelling; returns the actors to create (ids allocated, added to ``taken``).

        ``cues`` counts, per spelling, how the texts citing it treat it (see
        :func:`~dossier.importers.actor_types.text_cues`); ``common_words`` are
        the lowercase words of those texts (a surname that is also a common
        word, "Rice", "Card", is not written as an alias). ``texts`` holds, for
        one-word spellings, the texts of the events that cite them: when given,
        a bare surname joins its one holder only when those texts say it is a
        person or name the holder in full ("Kroll" in an event about hiring
        investigators is the firm, not Jules Kroll).
        """
        cues = cues or {}
        readings = {s: read(s) for s in sorted(spellings)}
        readings = {s: r for s, r in readings.items() if r.key}
        groups = _Groups()
        for reading in readings.values():
            groups.find(reading.key)
        self._acronyms(readings, groups)
        self._other_names(readings, groups)
        people = {r.key for r in readings.values() if r.is_person and " " in r.key}
        people_keys = people | {k for k, _ in self._tree_people}
        self._initials(people_keys, groups)
        self._doubled_letters(people_keys, groups)
        self._spacing(readings, groups)
        self._nicknames(people_keys, groups, self._surname_holders(readings, groups))
        surnames = self._surname_holders(readings, groups)
        self._first_names = defaultdict(set)
        for reading in readings.values():
            if reading.is_person and reading.short_surname is None and " " in reading.key:
                self._first_names[reading.key.split()[0]].add(reading.display)
        self._titles(readings, groups)
        self._bare_surnames(readings, groups, surnames, cues, texts)
        components: dict[str, list[Reading]] = defaultdict(list)
        for reading in readings.values():
            components[groups.find(reading.key)].append(reading)
        keys_by_root: dict[str, list[str]] = defaultdict(list)
        for key in list(groups.parent):
            keys_by_root[groups.find(key)].append(key)
        new_plans: list[ActorPlan] = []
        for root, members in sorted(components.items()):
            plan = self._tree_actor(members, keys_by_root[root])
            if plan is None:
                plan = self._new_actor(members, spellings, cues, surnames, groups)
                new_plans.append(plan)
            for reading in members:
                plan.spellings[reading.spelling] += spellings[reading.spelling]
                self._by_spelling[reading.spelling] = plan
            self._note_merge(plan, members, groups.reasons.get(root, []))
        for plan in new_plans:
            plan.name = _canonical(plan.spellings, readings)
        for plan in sorted(new_plans, key=lambda p: (p.name.lower(), p.name)):
            plan.id = allocate_id(slugify(plan.name, MAX_ID_LENGTH), taken)
            self._surname_alias(plan, surnames, readings, common_words)
        for merge in self.merges:
            merge["id"] = merge.pop("plan").id
        return new_plans

    def get(self, spelling: str) -> ActorPlan | None:
        """The actor a planned spelling resolves to (None for a name with no letters or digits)."""
        return self._by_spelling.get(spelling)

    # -- the rules, in order

    def _acronyms(self, readings: dict[str, Reading], groups: _Groups) -> None:
        targets: dict[str, set[str]] = defaultdict(set)
        stated: dict[str, str] = {}
        for reading in readings.values():
            if reading.acronym:
                acronym_key = " ".join(tokens(reading.acronym))
                targets[acronym_key].add(reading.key)
                stated[acronym_key] = reading.spelling
        for acronym_key, keys in targets.items():
            if len(keys) == 1:  # an acronym stated for two different names says nothing
                (key,) = keys
                groups.union(acronym_key, key, f"'{stated[acronym_key]}' states the acronym")

    def _other_names(self, readings: dict[str, Reading], groups: _Groups) -> None:
        for reading in readings.values():
            for other in reading.other_names:
                other_key = " ".join(tokens(other))
                if other_key and (other_key in groups.parent or other_key in self._tree_keys):
                    groups.union(other_key, reading.key, f"'{reading.spelling}' gives '{other}' as another name")

    def _initials(self, people: set[str], groups: _Groups) -> None:
        # Keys that differ only by initials are one person when the initials never disagree
        # ("Geoffrey Berman" = "Geoffrey S. Berman"; "George W. Bush" != "George H. W. Bush").
        by_fold: dict[str, list[str]] = defaultdict(list)
        for key in sorted(people):
            by_fold[fold_initials(key)[0]].append(key)
        for folded, keys in by_fold.items():
            letters = {fold_initials(k)[1] for k in keys} - {()}
            if len(keys) > 1 and len(letters) <= 1 and self._one_tree_actor(keys) and len(folded.split()) >= 2:
                for key in keys[1:]:
                    groups.union(keys[0], key, f"'{key}' and '{keys[0]}' differ only by an initial")

    def _nicknames(self, people: set[str], groups: _Groups, holders: dict[str, set[str]]) -> None:
        # Only when these two are the only people with the surname: "Ron Johnson" (a senator) and
        # "Ronald Johnson" (an ambassador) are two people among many Johnsons.
        for key in sorted(people):
            first, _, rest = key.partition(" ")
            long_form = f"{NICKNAMES.get(first, '')} {rest}"
            if first not in NICKNAMES or long_form not in people:
                continue
            name = surname(key)
            only_two = name is not None and holders.get(name, set()) <= {groups.find(key), groups.find(long_form)}
            if only_two and self._one_tree_actor([key, long_form]):
                groups.union(long_form, key, f"'{first}' is short for '{NICKNAMES[first]}' ({rest})")

    def _doubled_letters(self, people: set[str], groups: _Groups) -> None:
        by_squeezed: dict[str, list[str]] = defaultdict(list)
        for key in sorted(people):
            words = key.split()
            if len(words) >= 2 and len(words[-1]) >= 6:
                by_squeezed[" ".join(words[:-1] + [re.sub(r"(.)\1+", r"\1", words[-1])])].append(key)
        for keys in by_squeezed.values():
            if len(keys) > 1 and self._one_tree_actor(keys):
                for key in keys[1:]:
                    groups.union(keys[0], key, f"'{key}' and '{keys[0]}': one surname spelled with a doubled letter")

    def _spacing(self, readings: dict[str, Reading], groups: _Groups) -> None:
        """One name written with and without spaces: "ExxonMobil" / "Exxon Mobil", 习近平 / "Xi Jinping"."""
        by_squashed: dict[str, set[str]] = defaultdict(set)
        for reading in readings.values():
            if reading.evidence.type != STATE and reading.short_surname is None and not _CJK.search(reading.spelling):
                by_squashed[reading.key.replace(" ", "")].add(reading.key)
        for reading in readings.values():
            if _CJK.search(reading.spelling) and reading.evidence.type == PERSON:
                latin = by_squashed.get(reading.key.replace(" ", ""), set())
                if len(latin) == 1:
                    groups.union(next(iter(latin)), reading.key,
                                 f"'{reading.spelling}' reads '{reading.key}', the same name as '{next(iter(latin))}'")
        for keys in by_squashed.values():
            if len(keys) > 1 and self._one_tree_actor(keys):
                first, *rest = sorted(keys)
                for key in rest:
                    groups.union(first, key, f"'{key}' and '{first}': one name with and without spaces")

    def _one_tree_actor(self, keys: Iterable[str]) -> bool:
        """False when the keys belong to two different actors of the tree (never merged by a rule)."""
        return len({self._tree_keys[k].id for k in keys if k in self._tree_keys}) <= 1

    def _surname_holders(self, readings: dict[str, Reading], groups: _Groups) -> dict[str, set[str]]:
        """Surname -> the people (as group roots) who have it, from full names of the tree and the import."""
        holders: dict[str, set[str]] = defaultdict(set)
        full = [k for k, _ in self._tree_people]
        full += [r.key for r in readings.values() if r.is_person and r.short_surname is None]
        for key in full:
            name = surname(key)
            if name:
                holders[name].add(groups.find(key))
        return holders

    def _titles(self, readings: dict[str, Reading], groups: _Groups) -> None:
        full: dict[str, set[str]] = defaultdict(set)
        for reading in readings.values():
            if reading.title_key and reading.short_surname is None:
                full[reading.title_key].add(groups.find(reading.key))
        for reading in readings.values():
            title_key = reading.title_key
            if not title_key or reading.short_surname is None:
                continue
            roots = {groups.find(r) for r in full.get(title_key, set())}
            if len(roots) == 1 and not self._tree_title_keys.get(title_key):
                (root,) = roots
                groups.union(root, reading.key, f"'{reading.spelling}': the only person the import calls that")

    def _bare_surnames(self, readings: dict[str, Reading], groups: _Groups, holders: dict[str, set[str]],
                       cues: Mapping[str, Counter[str]], texts: Mapping[str, str] | None) -> None:
        displays: dict[str, set[str]] = defaultdict(set)
        if texts is not None:
            for other in readings.values():
                if other.short_surname is None:
                    displays[groups.find(other.key)].add(other.display)
        for reading in readings.values():
            short, key = reading.short_surname, reading.key
            if short is None or key in groups.merged or key in self._tree_keys:
                continue
            said = cues.get(reading.spelling, Counter())
            if said[ORGANIZATION] > said[PERSON]:
                continue  # "Kroll": the texts speak of a company named after its founder
            found = holders.get(short, set())
            if len(found) == 1:
                (holder,) = found
                if texts is not None and not said[PERSON] and not reading.title:
                    text = texts.get(reading.spelling, "")
                    if not any(name in text for name in displays.get(groups.find(holder), ())):
                        self._unsure[reading.spelling] = sorted(displays.get(groups.find(holder), ()))[:1]
                        continue  # nothing says this "Kroll" is Jules Kroll rather than his firm
                groups.union(holder, key, f"'{reading.spelling}': the only person with that surname")
            elif key != short and (found or short in groups.parent):
                # "President Trump" with several Trumps and no "President Donald Trump": as ambiguous as "Trump".
                groups.union(short, key, f"'{reading.spelling}': a surname that several people have")

    # -- building the actors

    def _tree_actor(self, members: list[Reading], keys: list[str]) -> ActorPlan | None:
        """The actor of the tree this group of spellings is, when one of its keys names one."""
        direct = [self._tree_keys[r.key] for r in members if r.key in self._tree_keys]
        if direct:
            return min(direct, key=lambda p: p.id)
        found = []
        for key in keys:
            if key in self._tree_keys:
                found.append(self._tree_keys[key])
        return min(found, key=lambda p: p.id) if found else None

    def _new_actor(self, members: list[Reading], spellings: Mapping[str, int],
                   cues: Mapping[str, Counter[str]], holders: dict[str, set[str]], groups: _Groups) -> ActorPlan:
        counted: Counter[str] = Counter()
        for reading in members:
            counted.update(cues.get(reading.spelling, Counter()))
        best = min((r.evidence for r in members), key=lambda e: (-e.strength, _TYPE_ORDER.get(e.type, 9)))
        if best.type == PERSON and best.strength < 3:
            kin = name_evidence(members[0].display, person_surnames=frozenset(holders))
            best = kin if kin.type == GROUP else best
        shorts = {r.short_surname for r in members}
        short = shorts.pop() if len(shorts) == 1 else None
        ambiguous = short is not None and len(holders.get(short, set())) > 1
        if ambiguous and best.strength < 3:
            best = TypeEvidence(PERSON, "a surname that people of the import have", 2)
        evidence = decide(best, counted)
        plan = ActorPlan("", "", evidence.type, existing=False)
        if evidence.type == OTHER and evidence.strength == 0:
            if ambiguous:
                plan.type = PERSON
            else:
                plan.review.append("type: the name and the texts do not say whether this is a person, "
                                   "an organization or something else; 'other' until someone sets it")
        for reading in members:
            for holder in self._unsure.get(reading.spelling, []):
                plan.review.append(f"short name: perhaps {holder}, the only person with that surname, but the "
                                   "texts do not say so; merge it by hand if it is")
        people_first_named = sorted(self._first_names.get(short, ())) if short and not ambiguous else []
        if people_first_named and not holders.get(short) and evidence.strength == 0:
            # "Andrew": the first name of Andrew Card, Andrew Cuomo ...; which one, a person must say.
            plan.type = PERSON
            plan.review = [f"ambiguous short name: the first name of {', '.join(people_first_named[:3])}"
                           f"{' ...' if len(people_first_named) > 3 else ''}; merge it into the right one by hand"]
        if ambiguous and plan.type == PERSON:
            plan.review.append(f"ambiguous short name: {len(holders[short])} people are surnamed "
                               f"'{short.title()}'; merge it into the right one by hand")
        for reading in members:
            if reading.role and reading.role not in plan.roles:
                plan.roles.append(reading.role)
            if reading.acronym and reading.acronym not in plan.extra_aliases:
                plan.extra_aliases.append(reading.acronym)
            for other in reading.other_names:
                if other not in plan.extra_aliases:
                    plan.extra_aliases.append(other)
        return plan

    def _note_merge(self, plan: ActorPlan, members: list[Reading], reasons: list[str]) -> None:
        names = sorted({r.spelling for r in members})
        if len(names) < 2 and not plan.existing:
            return
        if plan.existing and all(r.spelling in (plan.name, *plan.aliases) for r in members):
            return  # the tree already says so
        why = list(reasons)
        by_key: dict[str, list[Reading]] = defaultdict(list)
        for reading in members:
            by_key[reading.key].append(reading)
        for _key, same in sorted(by_key.items()):
            if len(same) > 1:
                set_aside = sorted({d for r in same for d in r.dropped}) or ["case and punctuation"]
                why.append(f"{', '.join(repr(r.spelling) for r in same)}: the same name once "
                           f"{', '.join(set_aside)} set aside")
        if plan.existing:
            why.append(f"an actor of the tree ({plan.id}) has this name or alias")
        self.merges.append({"plan": plan, "spellings": names, "reasons": why})

    def _surname_alias(self, plan: ActorPlan, holders: dict[str, set[str]], readings: dict[str, Reading],
                       common_words: set[str] | frozenset[str]) -> None:
        """A person's surname as an alias, so texts that say "Deripaska" are mentions, when it is unambiguous."""
        if plan.type != PERSON:
            return
        reading = readings.get(plan.name) or next((readings[s] for s in plan.spellings if s in readings), None)
        name = surname(reading.key) if reading else None
        if not name or len(name) < 4 or len(holders.get(name, set())) != 1 or name in common_words:
            return
        if name in self._by_key_names(readings):
            return  # "Church" is also an organization's name in this import
        words = plan.name.split()
        while words and tokens(words[-1]) and tokens(words[-1])[0] in SUFFIXES:
            words.pop()
        if words and len(words) >= 2 and " ".join(tokens(words[-1])) == name:
            plan.extra_aliases.append(words[-1].rstrip(","))

    def _by_key_names(self, readings: dict[str, Reading]) -> set[str]:
        if not hasattr(self, "_one_word_keys"):
            self._one_word_keys = {r.key for r in readings.values() if " " not in r.key} | {
                k for k in self._tree_keys if " " not in k}
        return self._one_word_keys


def _canonical(spellings: Counter[str], readings: Mapping[str, Reading]) -> str:
    """The name a new actor gets: its most used spelling, title and remark dropped; ties to the longest."""
    forms: Counter[str] = Counter()
    for spelling, count in spellings.items():
        reading = readings.get(spelling)
        forms[reading.display if reading else spelling] += count
    # A spelling shaped like an id ("white-house"), all lowercase or a bare acronym is a last resort.
    return min(forms, key=lambda form: (_SLUG_LIKE.fullmatch(form) is not None, form.islower(),
                                        form.isupper() and len(forms) > 1, -forms[form], -len(form), form))


def allocate_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` ... whichever is free; marks it taken."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
    taken.add(candidate)
    return candidate
