"""Search text in any script: "Путин" and "putin", "Orbán" and "orban" find the same entries.

The index's analyzers get one more filter, after lowercasing, that writes
each non-ASCII word as :func:`dossier.transliterate.to_ascii` does (the
function ids and the importers' matcher use). It runs both when entries are
indexed and when a query is parsed, so a query in either script meets the
text in either script. Only the index imports this module (Whoosh pickles
the filter with the schema, so it lives at module level).
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import Filter, LowercaseFilter
from whoosh.analysis.analyzers import CompositeAnalyzer

from dossier.transliterate import to_ascii


class TransliterateFilter(Filter):
    """Each word in ASCII, lowercase, without the spaces put between syllables (习近平 -> xijinping)."""

    def __call__(self, tokens: Any) -> Any:  # type: ignore[override]  # a Whoosh filter takes a token stream
        for token in tokens:
            if not token.text.isascii():
                token.text = "".join(to_ascii(token.text).lower().split())
            yield token


def transliterating(analyzer: Any) -> Any:
    """``analyzer`` (a Whoosh analyzer) with transliteration right after its lowercase filter."""
    items = list(analyzer.items) if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    where = next((i + 1 for i, item in enumerate(items) if isinstance(item, LowercaseFilter)), len(items))
    return CompositeAnalyzer(*items[:where], TransliterateFilter(), *items[where:])


#: Words dropped at index and at query time, in every text field: the same rule on both sides, so
#: "the access hollywood tape" meets "Access Hollywood tape". Whoosh's own list without the words
#: that carry meaning in news ("us", "may", "can", "will", "not") and with a few more pronouns and
#: auxiliaries people put in a question.
STOPWORDS = frozenset(
    """a an and are as at be been being by did do does for from had has have he her hers him his if in
    into is it its of on or our she so than that the their them then there these they this those to
    was we were with s t d ll re ve""".split()  # noqa: SIM905 (a list of words reads best as words)
)
#: Question words: dropped from a query of plain words (never from the index, where "WHO" may be
#: an organisation), so that "when was milley's detail revoked" asks for "milley detail revoked".
QUESTION_WORDS = frozenset("who whom whose what when where which why how happened happen".split())  # noqa: SIM905

#: Irregular forms the stemmer cannot join to their base form (it makes "freezes" and "freeze"
#: one word, not "frozen"): applied before stemming, at index and query time.
LEMMAS = {
    form: base
    for base, forms in {
        "freeze": "froze frozen", "sell": "sold", "pay": "paid", "shoot": "shot", "die": "died dead death",
        "run": "ran", "win": "won", "lose": "lost", "fight": "fought", "meet": "met", "take": "took taken",
        "give": "gave given", "tell": "told", "say": "said", "bring": "brought", "buy": "bought",
        "catch": "caught", "strike": "struck", "steal": "stole stolen", "flee": "fled", "hide": "hid hidden",
        "seek": "sought", "hold": "held", "keep": "kept", "begin": "began begun", "break": "broke broken",
        "choose": "chose chosen", "drive": "drove driven", "write": "wrote written", "speak": "spoke spoken",
        "rise": "rose risen", "fall": "fell fallen", "throw": "threw thrown", "withdraw": "withdrew withdrawn",
        "overthrow": "overthrew overthrown", "lead": "led", "send": "sent", "spend": "spent", "build": "built",
        "lend": "lent", "swear": "swore sworn", "bear": "bore borne", "forbid": "forbade forbidden",
        "forgive": "forgave forgiven", "grow": "grew grown", "know": "knew known", "leave": "left",
        "sink": "sank sunk", "sue": "sued", "fire": "fired", "hang": "hung hanged", "bite": "bit bitten",
        "child": "children", "man": "men", "woman": "women", "person": "people",
    }.items()
    for form in forms.split()
}


class LemmaFilter(Filter):
    """Irregular word forms as their base form (frozen -> freeze), before the stemmer."""

    def __call__(self, tokens: Any) -> Any:  # type: ignore[override]  # a Whoosh filter takes a token stream
        for token in tokens:
            token.text = LEMMAS.get(token.text, token.text)
            yield token


def text_analyzer() -> Any:
    """The one analysis of every text field, at index and at query time.

    Words (``\\w+``, dotted initials kept together), lowercased, in ASCII, without stopwords,
    irregular forms joined to their base, then Snowball's English stemmer (which keeps names
    whole where Porter's made "milley" "millei").
    """
    from whoosh.analysis import RegexTokenizer, StemFilter, StopFilter

    return (
        RegexTokenizer()
        | LowercaseFilter()
        | TransliterateFilter()
        | StopFilter(stoplist=STOPWORDS, minsize=1)
        | LemmaFilter()
        | StemFilter(lang="en", cachesize=100_000)
    )


def analysed(text: str) -> list[str]:
    """The index terms ``text`` becomes (what a word is looked up as)."""
    return [token.text for token in _analyzer()(text)]


_ANALYZER: list[Any] = []


def _analyzer() -> Any:
    if not _ANALYZER:
        _ANALYZER.append(text_analyzer())
    return _ANALYZER[0]
