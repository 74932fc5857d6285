"""``dossier import article``: one saved article (text, Markdown, HTML) as a source.

The text and whatever metadata the file holds (title, author byline, date,
outlet, URL) become a source entry with the article in ``text.md``. HTML pages
go through trafilatura, which finds the main text and the metadata of real
web pages far better than hand-written parsing. The command line's --url,
--outlet, --published and --type win over what the file says.

The actors of the tree whose name or alias the text mentions are listed, so
the user can link them; nothing is linked automatically.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.importers import ImportReport, update_index
from dossier.importers.common import (
    InputError,
    loose_date,
    read_input,
    split_front_matter,
    toml_date,
    toml_value,
)
from dossier.model import Kind, PartialDate, slugify
from dossier.store import Store, StoreError, display
from dossier.userfiles import MAX_TEXT_BYTES

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_HEADING = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MIN_MENTION_LENGTH = 3


@dataclass(frozen=True)
class Mention:
    """An actor of the tree that the article names."""

    actor_id: str
    name: str
    names: tuple[str, ...]
    count: int


@dataclass
class Article:
    """What was read from the file: metadata and text."""

    title: str
    text: str
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: PartialDate | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ArticleResult:
    """The outcome of ``import article``: the source (new or reused) and the actors mentioned."""

    report: ImportReport
    source_id: str | None = None
    created: bool = False
    mentions: list[Mention] = field(default_factory=list)


def read_article(path: Path) -> Article:
    """The text and metadata of a saved article; :class:`InputError` when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise InputError(f"not an article file ({', '.join(ARTICLE_SUFFIXES)})")
    if suffix in (".html", ".htm"):
        return _read_html(_read_html_text(path), path)
    raw = read_input(path)
    fields: dict[str, Any] = {}
    body = raw
    split = split_front_matter(raw) if suffix in (".md", ".markdown") else None
    if split is not None:
        fields, body = split
    title = fields.get("title")
    if not isinstance(title, str) or not title.strip():
        heading = _HEADING.search(body)
        first = next((line.strip() for line in body.splitlines() if line.strip()), "")
        title = heading.group(1) if heading else first[:200] or path.stem
    article = Article(title=" ".join(str(title).split()), text=body.strip())
    url = fields.get("url") or fields.get("link")
    article.url = str(url) if url else None
    outlet = fields.get("outlet") or fields.get("publisher") or fields.get("site")
    article.outlet = str(outlet) if outlet else None
    author = fields.get("author") or fields.get("byline")
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author)
    article.author = str(author) if author else None
    article.published = loose_date(fields.get("date") or fields.get("published"))
    consumed = {"title", "url", "link", "outlet", "publisher", "site", "author", "byline", "date", "published"}
    article.extra = {k: v for k, v in ((str(k), toml_value(v)) for k, v in fields.items() if k not in consumed)
                     if v is not None}
    if not article.text:
        raise InputError("the file holds no text")
    return article


_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)


def _read_html_text(path: Path) -> str:
    """A saved page as text: UTF-8, or the charset the page declares (``<meta charset=...>``)."""
    try:
        return read_input(path)
    except InputError as error:
        if "UTF-8" not in str(error):
            raise
        raw = path.read_bytes()[: MAX_TEXT_BYTES + 1]
        declared = _DECLARED_CHARSET.search(raw[:8192])
        if declared is None:
            raise InputError(f"{error}; the page declares no charset either") from None
        charset = (declared.group(1) or declared.group(2)).decode("ascii")
        try:
            return raw.decode(charset)
        except LookupError:
            raise InputError(f"{error}; the page declares the charset {charset!r}, which is unknown") from None
        except UnicodeDecodeError:
            raise InputError(f"{error}; it is not valid {charset} either, as the page declares") from None


def _read_html(html: str, path: Path) -> Article:
    import trafilatura  # heavy (lxml and friends): only when an HTML page is imported

    result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    data = result.as_dict() if hasattr(result, "as_dict") else (result or {})
    text = (data.get("text") or "").strip()
    if not text:
        raise InputError("no article text found in the HTML page")
    title = data.get("title") or path.stem
    return Article(
        title=" ".join(str(title).split()),
        text=text,
        url=data.get("url") or None,
        outlet=data.get("sitename") or None,
        author=data.get("author") or None,
        published=loose_date(data.get("date")),
    )


def find_mentions(text: str, actors: list[tuple[str, list[str]]]) -> list[Mention]:
    """The actors (id, names) whose name or alias appears in the text as whole words.

    Acronyms ("FBI") must match in capitals; other names match in any case.
    """
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for actor_id, names in actors:
        for name in names:
            name = " ".join(name.split())
            if len(name) < _MIN_MENTION_LENGTH:
                continue
            if name.isupper():
                exact.setdefault(name, actor_id)
            else:
                folded.setdefault(name.lower(), actor_id)
    found: dict[str, dict[str, int]] = {}
    for table, flags in ((exact, 0), (folded, re.IGNORECASE)):
        if not table:
            continue
        alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(table, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags)
        for match in pattern.finditer(text):
            spelled = " ".join(match.group().split())
            actor_id = table.get(spelled) if not flags else table.get(spelled.lower())
            if actor_id is not None:
                counts = found.setdefault(actor_id, {})
                counts[spelled] = counts.get(spelled, 0) + 1
    names_by_id = dict(actors)
    return [
        Mention(actor_id, names_by_id[actor_id][0], tuple(sorted(counts)), sum(counts.values()))
        for actor_id, counts in sorted(found.items())
    ]


def import_article(
    store: Store,
    path: Path,
    *,
    url: str | None = None,
    outlet: str | None = None,
    published: PartialDate | None = None,
    source_type: str | None = None,
    dry_run: bool = False,
    index_dir: Path | None = None,
    update: bool = True,
) -> ArticleResult:
    """Import one article as a source (reusing the source with the same URL) and list its mentions."""
    from dossier.importers.timeline import source_identity

    report = ImportReport(dry_run=dry_run, files=1)
    result = ArticleResult(report)
    shown = display(str(path))
    try:
        article = read_article(path)
    except InputError as exc:
        report.skip(shown, str(exc))
        report.tallies[Kind.SOURCE].skipped += 1
        return result
    article.url = url or article.url
    article.outlet = outlet or article.outlet
    article.published = published or article.published
    data: dict[str, Any] = {"title": article.title}
    for key, value in (("url", article.url), ("outlet", article.outlet), ("author", article.author)):
        if value:
            data[key] = value
    if article.published is not None:
        data["published"] = toml_date(article.published)
    data["accessed"] = dt.date.today()
    if source_type:
        data["type"] = source_type
    for key, value in article.extra.items():
        data.setdefault(key, value)

    identity = source_identity(data)
    taken: set[str] = set()
    actors: list[tuple[str, list[str]]] = []
    existing: str | None = None
    if store.root.exists():
        scan = store.scan()
        for location in scan.locations:
            taken.add(location.id)
            if location.kind is Kind.EVENT:
                continue
            entry_data, _, _ = store.read_kind_file(location)
            if entry_data is None:
                continue
            if location.kind is Kind.ACTOR:
                name = entry_data.get("name")
                aliases = entry_data.get("aliases")
                names = [name] if isinstance(name, str) and name.strip() else [location.id]
                if isinstance(aliases, list):
                    names += [a for a in aliases if isinstance(a, str)]
                actors.append((location.id, names))
            elif existing is None and source_identity(entry_data) == identity:
                existing = location.id
    result.mentions = find_mentions(article.text, sorted(actors))
    if existing is not None:
        result.source_id = existing
        report.tallies[Kind.SOURCE].reused += 1
        return result
    base = slugify(article.title, 80)
    if article.published is not None:
        base = f"{article.published}-{base}"
    source_id, n = base, 1
    while source_id in taken:
        n += 1
        source_id = f"{base}-{n}"
    result.source_id = source_id
    if dry_run:
        report.tallies[Kind.SOURCE].created += 1
        report.record(Kind.SOURCE, source_id, f"{Kind.SOURCE.plural}/{source_id}")
        result.created = True
        return result
    try:
        location = store.create(Kind.SOURCE, source_id, data, texts={"text.md": article.text + "\n"})
    except StoreError as exc:
        report.skip(shown, f"source {source_id!r} not written: {exc}")
        report.tallies[Kind.SOURCE].skipped += 1
        return result
    report.tallies[Kind.SOURCE].created += 1
    report.record(Kind.SOURCE, source_id, location.folder)
    result.created = True
    if update:
        report.index = update_index(store, index_dir, report.written)
    return result

