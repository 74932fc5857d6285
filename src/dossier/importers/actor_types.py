"""What kind of actor a name is, from evidence: its words, a country list, and the texts around it.

An actor's ``type`` is a claim about the world; a wrong one ("Apple" a
person, "Russia" a person, "Emil Bove" an organization) misleads a reader and
every export. So the type comes from evidence, strongest first:

1. a country (``pycountry``'s names, official names and common names, with a
   few everyday names it lacks: "Russia", "Turkey", "UAE") is a ``state``; a
   US state or "State of Ohio" is that state's government, an
   ``organization``;
2. a person's title in front ("Senator", "Justice", "Gen.") or a role in
   parentheses ("(Attorney General)") makes a ``person``;
3. movements and militias ("Proud Boys", "Oath Keepers", "... movement") and
   sets of people ("Epstein victims", "Russian oligarchs", "Trump family") are
   a ``group``;
4. a corporate suffix (Inc., Corp., LLC, GmbH, A/S, PAO ...), an
   organization word (Department, Agency, Committee, Bank ...) or an acronym
   makes an ``organization``;
5. a name shaped like a person's (two to four capitalised words) is a
   ``person`` unless the texts that cite it treat it as a company ("Goldman
   Sachs executives", "the firm Mossack Fonseca");
6. a single word ("Halliburton", "Meta") is what the texts make of it
   ("Halliburton CEO", "its shares" against "he", "his"); with no evidence
   either way it is ``other``, with a note for ``check`` to show.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from dossier.transliterate import to_ascii


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PERSON, ORGANIZATION, GROUP, STATE, OTHER = "person", "organization", "group", "state", "other"

#: Everyday names of countries that pycountry only knows by their formal names.
_COUNTRY_NAMES = {
    "russia": "RUS", "turkey": "TUR", "uae": "ARE", "usa": "USA", "uk": "GBR", "britain": "GBR",
    "great britain": "GBR", "palestine": "PSE", "ivory coast": "CIV", "czech republic": "CZE",
    "holland": "NLD", "burma": "MMR", "south korea": "KOR", "north korea": "PRK", "vatican": "VAT",
}
_STATE_PREFIXES = ("state of ", "republic of ", "kingdom of ", "the kingdom of ", "the republic of ",
                   "the state of ", "federal republic of ", "people's republic of ", "the ")

#: Last words that make a movement, militia or set of people.
GROUP_WORDS = _words(
    """
    movement movements militia militias boys keepers percenters brotherhood antifa qanon gang gangs cartel
    """
)
#: Plural nouns for people: "Epstein victims", "Russian oligarchs", "ICE agents".
PEOPLE_PLURALS = _words(
    """
    victims survivors oligarchs agents officials supporters loyalists staffers employees workers members
    donors traders investors scientists researchers operatives lobbyists executives engineers nationals
    diplomats buyers prosecutors appointees investigators officers co-conspirators conspirators protesters
    activists journalists reporters lawyers attorneys students residents voters holders insiders allies
    commissioners justices senators whistleblowers immigrants migrants deportees rioters insurgents
    contractors associates critics hackers users families children women men people consultants experts
    advisers advisors leaders judges donors
    """
)
#: Last words that make a family a group: "Trump family", "Koch Brothers" (when Koch is a person's surname).
KIN_WORDS = frozenset({"family", "brothers", "sisters", "clan", "dynasty"})

CORPORATE_SUFFIXES = _words(
    """
    inc incorporated corp corporation co company llc llp lp ltd limited plc gmbh ag sa nv bv spa srl pty pao
    oao zao ooo pjsc ojsc jsc ab asa oy kk
    """
)

_CORPORATE_PREFIXES = _words(
    """
    pao oao zao ooo pjsc ojsc jsc
    """
)
#: Endings of organizations' names in scripts without spaces (party, company, group, bank, ministry ...).
_CJK_ORG_ENDINGS = (
    "党", "公司", "集团", "银行", "銀行", "部", "委员会", "委員会", "政府", "大学", "대학교", "은행", "당", "회사",
)
#: Nationality words: "Israeli Mossad", "Russian Government" name an institution, not a person.
DEMONYMS = _words(
    """
    american israeli russian chinese iranian saudi ukrainian british french german turkish qatari emirati
    iraqi syrian afghan pakistani indian mexican canadian european venezuelan cuban korean japanese egyptian
    lebanese palestinian jordanian hungarian polish italian spanish swiss dutch belgian swedish norwegian
    danish finnish greek brazilian argentine colombian soviet yemeni libyan sudanese nigerian kenyan
    """
)

ORGANIZATION_WORDS = _words(
    """
    department dept agency inc incorporated corp corporation co company companies llc llp ltd plc gmbh
    committee commission council court courts party foundation fund funds news institute institution
    university college school academy administration bureau office service services association union network
    networks times post journal tribune herald press media group holdings partners capital bank banks
    financial trust alliance coalition board society club church ministry government senate congress house
    parliament assembly army navy marines force forces police guard campaign project center centre
    organization organisation industries industry international global systems technologies technology labs
    laboratories motors electric dynamics mills airlines airways energy oil petroleum pharmaceuticals
    enterprises ventures exchange authority command corps cabinet caucus front league federation federal
    republicans democrats gop fbi cia nsa doj dhs ice sec irs epa fda pentagon kremlin regime state states
    nation nations embassy consulate institutes chamber magazine radio television tv channel broadcasting
    publishing records studios platform platforms website division brigade battalion regiment team palace firm
    consulting solutions resorts hotel hotels zeitung gazette intelligence worldwide ministerstvo komitet
    partiya sluzhba ministerstva
    """
)

#: Last words that name an institution even after a title ("Justice Department", not "Senator Frank Church").
_INSTITUTION_WORDS = _words(
    """
    department dept agency committee commission office administration court council bureau service foundation
    institute university party corporation company group inc corp llc ltd board ministry government senate
    congress house parliament campaign center centre organization organisation union association network
    """
)

#: Words in a parenthesised remark that make it a person's role ("(White House senior adviser)").
ROLE_WORDS = _words(
    """
    general gen lt lieutenant col colonel maj major capt captain adm admiral sgt sergeant cmdr commander sen
    senator rep representative congressman congresswoman governor mayor president secretary attorney justice
    judge speaker minister premier chancellor prince princess king queen sheikh dr doctor prof professor
    ambassador director chairman chairwoman chair ceo cfo coo cto founder cofounder commissioner administrator
    deputy chief leader whip spokesman spokeswoman spokesperson advisor adviser counsel counselor strategist
    officer agent inspector ig detective sheriff prosecutor lawyer auditor trustee technician employee
    reporter journalist filmmaker lobbyist executive partner member staffer aide analyst economist official
    operative investor donor owner purchaser respondent plaintiff victim perpetrator whistleblower candidate
    nominee envoy consul brother sister wife husband son daughter mother father
    """
)

_TEXT_ORG_AFTER = (
    r"(?:'s\s+|’s\s+)?(?:[\d,.$]+\s+(?:million\s+|billion\s+)?)?"
    r"(?:ceo|chief executive|executives?|employees|shares|stock|subsidiar(?:y|ies)|board|"
    r"headquarters|co-?founder|founders?|chairman|spokes(?:person|man|woman)|platform|contracts?|lobbyists|"
    r"investors|products?|services|division|inc\b|corp\b|corporation|llc|software|"
    r"customers|revenue|profits?|merger|acquisition|operations|vehicles|cars|clients?|papers|documents|"
    r"accounts|data|sale|offices)\b"
)
_TEXT_ORG_BEFORE = (
    r"\b(?:company|firm|bank|giant|contractor|startup|conglomerate|corporation|manufacturer|lender|"
    r"platform|outlet|agency|organization|organisation|contractors?|provider|insurer|fund|"
    r"at|joined|acquired|founded)\s+$"
)
_TEXT_PERSON_AFTER = (
    r"(?:,?\s+who\b|'s\s+(?:wife|husband|son|daughter|father|mother|brother|sister|career|death|birth|"
    r"lawyer|attorney|testimony|resignation|appointment|nomination|confirmation)\b|[^.;]{0,30}\b(?:he|she|his|her|"
    r"him|himself|herself)\b)"
)
_TEXT_PERSON_BEFORE = r"\b(?:mr|mrs|ms|dr|sen|rep|gov)\.?\s+$"


@dataclass(frozen=True)
class TypeEvidence:
    """A type and why: ``strength`` 3 a country or title, 2 the name's words, 1 its shape, 0 nothing."""

    type: str
    why: str
    strength: int


@functools.lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Every name pycountry has for a country, lowercased ASCII, to its alpha-3 code."""
    import pycountry

    names = dict(_COUNTRY_NAMES)
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.setdefault(_plain(value), country.alpha_3)
    for name in _us_states():
        names.pop(name, None)  # "Georgia": in an import about US politics, the state is as likely
    return names


@functools.lru_cache(maxsize=1)
def _us_states() -> frozenset[str]:
    import pycountry

    return frozenset(_plain(s.name) for s in pycountry.subdivisions.get(country_code="US") or [])


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9']+", " ", to_ascii(text).lower()).split())


def country_code(name: str) -> str | None:
    """The alpha-3 code of the country a name is ("Russian Federation", "State of Qatar", "UAE"), else None."""
    plain = _plain(name)
    countries = _countries()
    if plain in countries:
        return countries[plain]
    for prefix in _STATE_PREFIXES:
        if plain.startswith(prefix) and plain[len(prefix):] in countries:
            return countries[plain[len(prefix):]]
    return None


def is_us_state(name: str) -> bool:
    """True for "Ohio", "State of Ohio": a US state, whose government is an organization."""
    plain = _plain(name)
    return plain in _us_states() or (plain.startswith("state of ") and plain[9:] in _us_states())


def words_of(name: str) -> list[str]:
    """Lowercase ASCII words of a name (the same folding the actor matcher uses)."""
    return re.sub(r"[^a-z0-9]+", " ", re.sub(r"[.'’`´]", "", to_ascii(name).lower())).split()


_CAMEL = re.compile(r"[A-Za-z]*[a-z][A-Z][A-Za-z]*|[A-Z]{2,}[a-z][A-Za-z]*")
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|O'|D'|O’|D’)[A-Z]")
_PARTICLES = _words(
    """
    bin bint al el van von de da di du del der la le ibn ul y dos das
    """
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _person_shaped(name: str) -> bool:
    """Two to four capitalised names (initials, particles and Jr./III aside), or 1-4 words of a caseless script."""
    if not any(ch.isupper() or ch.islower() for ch in name):
        return 1 <= len(words_of(name)) <= 4  # Arabic, Chinese, Korean ...: no case to go by
    # A nickname in quotes ('Matthew "Scar" Allen') and a particle glued on ("al-Awlaki") are part of a name.
    text = re.sub(r"[\"“”‘’']", "", to_ascii(name)).replace(",", " ")
    text = re.sub(r"\b(?:al|el|ul|bin|ibn|de|da|di|du|la|le|van|von)-(?=[A-Z])", "", text, flags=re.IGNORECASE)
    words = [w for i, w in enumerate(text.split()) if i == 0 or w.lower().strip(".") not in _PARTICLES]
    full = [w for w in words if len(w.strip(".")) > 1 and w.lower().strip(".") not in _SUFFIXES]
    return 2 <= len(words) <= 6 and 1 <= len(full) <= 4 and all(w[:1].isupper() for w in words)


def name_evidence(name: str, *, titled: bool = False, role: bool = False,
                  person_surnames: frozenset[str] = frozenset()) -> TypeEvidence:
    """The type the name's own words (and a title or role the spelling had) give, and how strongly."""
    words = words_of(name)
    if not words:
        return TypeEvidence(OTHER, "no letters", 0)
    if country_code(name):
        return TypeEvidence(STATE, "a country's name", 3)
    if is_us_state(name):
        return TypeEvidence(ORGANIZATION, "a US state (its government)", 3)
    org_words = [w for w in words if w in ORGANIZATION_WORDS or len(w) > 5 and w.endswith("bank")]
    if name.strip().endswith(_CJK_ORG_ENDINGS):
        return TypeEvidence(ORGANIZATION, "an organization's ending (党, 公司, 银行 ...)", 2)
    institution = words[-1] in _INSTITUTION_WORDS
    if (titled or role) and not institution and _person_shaped(name) or (titled and len(words) == 1 and not org_words):
        return TypeEvidence(PERSON, "a person's title or role", 3)
    last = words[-1]
    if len(words) > 1 and words[0] in _CORPORATE_PREFIXES:
        return TypeEvidence(ORGANIZATION, "a corporate form in front (PAO, OOO ...)", 2)
    if last == "estate" and len(words) > 1:
        return TypeEvidence(OTHER, "a person's estate", 2)
    if last in GROUP_WORDS:
        return TypeEvidence(GROUP, f"'{last}': a movement or militia", 2)
    if last in PEOPLE_PLURALS and not org_words[:-1]:
        return TypeEvidence(GROUP, f"'{last}': a set of people", 2)
    if last in KIN_WORDS and (last == "family" or len(words) == 2 and words[0] in person_surnames):
        return TypeEvidence(GROUP, f"'{last}': a family", 2)
    if len(words) > 1 and (last in CORPORATE_SUFFIXES or words[-2:] == ["a", "s"]):
        return TypeEvidence(ORGANIZATION, "a corporate suffix", 2)
    if org_words:
        return TypeEvidence(ORGANIZATION, f"'{org_words[0]}': an organization word", 2)
    camel = [w for w in name.split() if _CAMEL.fullmatch(w) and not _NAME_PREFIX.match(w)]
    if camel:
        return TypeEvidence(ORGANIZATION, f"'{camel[0]}': a brand's spelling", 2)
    if len(words) > 1 and words[0] in DEMONYMS:
        return TypeEvidence(ORGANIZATION, f"'{words[0]}': a nationality, not a person's name", 2)
    stripped = name.strip()
    if "/" in stripped or "&" in stripped or any(c.isdigit() for c in stripped) or ".com" in stripped.lower():
        return TypeEvidence(ORGANIZATION, "digits, '&' or '/' in the name", 2)
    if len(stripped.split()) == 1 and re.fullmatch(r"[A-Z][A-Z0-9&]+", stripped):
        return TypeEvidence(ORGANIZATION, "an acronym", 2)
    if any(w in ("for", "of", "and", "the", "against", "to") for w in words):
        return TypeEvidence(ORGANIZATION, "'for', 'of', 'and' in the name", 2)
    if len(words) > 1 and _person_shaped(name):
        return TypeEvidence(PERSON, "shaped like a person's name", 1)
    return TypeEvidence(OTHER, "no evidence in the name", 0)


def text_cues(name: str, text: str) -> Counter[str]:
    """How often a text treats ``name`` as a company (``organization``) or as a person (``person``)."""
    cues: Counter[str] = Counter()
    if len(name) < 3:
        return cues
    for match in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text):
        before = text[max(0, match.start() - 40): match.start()]
        after = text[match.end(): match.end() + 60]
        lower_before = before.lower()
        lower_after = after.lower()
        if re.match(r"\s*" + _TEXT_ORG_AFTER, lower_after) or re.search(_TEXT_ORG_BEFORE, lower_before)\
                or re.match(r"[^.;]{0,40}\bits\b", lower_after):
            cues[ORGANIZATION] += 1
        elif re.match(_TEXT_PERSON_AFTER, after) or re.search(_TEXT_PERSON_BEFORE, lower_before):
            cues[PERSON] += 1
    return cues


def decide(evidence: TypeEvidence, cues: Counter[str]) -> TypeEvidence:
    """The type once the texts are heard: they settle a name's shape or a bare word, never a title."""
    org, person = cues[ORGANIZATION], cues[PERSON]
    if evidence.strength >= 2:
        return evidence
    if evidence.type == PERSON:  # shaped like a person's name: only clear evidence makes it a company
        if org >= 2 and org > 2 * person:
            return TypeEvidence(ORGANIZATION, f"the texts treat it as a company ({org} times)", 1)
        return evidence
    if org > person:
        return TypeEvidence(ORGANIZATION, f"the texts treat it as a company ({org} to {person})", 1)
    if person > org:
        return TypeEvidence(PERSON, f"the texts treat it as a person ({person} to {org})", 1)
    return evidence
