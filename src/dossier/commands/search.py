"""``dossier search``: full-text and field queries over the index."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.text import Text

from dossier.commands import FINDINGS, OK, USAGE, Command, Context
from dossier.model import Kind
from dossier.safe import clean

if TYPE_CHECKING:
    from dossier.index import Hits

QUERY_HELP = """\
Plain words are forgiven: stopwords and question words (who, when ...) do not count,
a word in no entry is corrected (a swapped pair of letters is one edit), and when no
entry has every word the entries with the most are shown; the output says what was
done, and suggests actors' names. Saved searches: --save NAME, then @NAME.
Query language (Whoosh): words, "a phrase", AND / OR / NOT (strict, as are quotes,
fields and ~), parentheses, prefix secur*, fuzzy milly~ (milly~2 for two edits), fields:
  actor:mark-milley   events and sources naming an actor (id)
  source:ID  related:ID  link:ID  org:ID  ref:ID (any reference)
  tag:retaliation  type:person  status:disputed  kind:event
  importance:>=8  importance:[5 TO 7]
  date:2025  date:2025-01  date:[2020 TO 2021]  (event date, source published, actor born)
  title:  alias:  outlet:  author:  location:  content:  id:
Names and aliases weigh more than the body. Exit code: 0 found, 1 nothing found,
2 the query cannot be read (or is too big), or no saved search has that name.
"""


#: Longest query quoted whole in an error message.
QUOTED_QUERY = 120


class Search(Command):
    """Search the tree: words, phrases, fields, ranges, prefixes and fuzzy terms.

    """  # the query language is appended below

    __doc__ = (__doc__ or "").rstrip() + "\n\n" + QUERY_HELP

    name = "search"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("query", nargs="+", help="the query (quote it in the shell when it holds spaces)")
        parser.add_argument("--kind", choices=[k.value for k in Kind], help="only entries of this kind")
        parser.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default 20)")
        parser.add_argument("--explain", action="store_true", help="say why each hit ranks where it does")
        parser.add_argument("--save", metavar="NAME",
                            help="keep the query as a saved search NAME in dossier.toml ([searches]); "
                                 "run it later with: dossier search @NAME")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        from dossier.commands.index import open_index, report_rebuild
        from dossier.index import QueryError
        from dossier.saved_searches import SavedSearchError, load_searches, save_search

        text = " ".join(args.query)
        if args.limit < 1:
            context.err.print("dossier: --limit must be at least 1", markup=False)
            return USAGE
        store = context.store()
        try:
            if args.save:
                save_search(store, args.save, text)
                context.err.print(Text(clean(f"saved search @{args.save}: {text}"), style="dim"))
            elif text.startswith("@") and " " not in text:
                saved = load_searches(store)
                if text[1:] not in saved:
                    known = ", ".join("@" + name for name in saved) or "none yet (dossier search --save NAME QUERY)"
                    context.err.print(Text(clean(f"dossier: no saved search {text}: saved searches are {known}")))
                    return USAGE
                text = saved[text[1:]]
        except SavedSearchError as exc:
            context.err.print(Text(clean(f"dossier: {exc}")))
            return USAGE
        index = open_index(context, store)
        said = index.rebuilt_reason
        try:
            try:
                hits = index.search(text, kind=Kind(args.kind) if args.kind else None, limit=args.limit,
                                    count_all=True)
            except QueryError as exc:
                # A pasted page is refused for its size: quote its start, not all of it.
                shown = text if len(text) <= QUOTED_QUERY else text[:QUOTED_QUERY] + "…"
                message = f"dossier: the query {shown!r} cannot be searched: {exc.message}"
                context.err.print(Text(clean(message)))
                if exc.position is not None and len(text) <= QUOTED_QUERY:
                    context.err.print(Text("  " + clean(text) + "\n  " + " " * exc.position + "^"))
                return USAGE
            report_rebuild(context, index, seen=said)
        finally:
            index.close()
        if args.json:
            context.print_json({
                "version": 1,
                "query": text,
                "total": hits.total,
                "fallback": hits.fallback or None,
                "corrected": hits.corrected,
                "missing": hits.missing,
                "suggestions": hits.suggestions,
                "hits": [_hit_json(hit, args.explain) for hit in hits],
            })
        else:
            _render(context, text, hits, args.explain)
        return OK if hits else FINDINGS


def _hit_json(hit: Any, explain: bool = False) -> dict[str, Any]:
    row = hit.row
    found = {
        "id": row.id,
        "kind": row.kind.value,
        "title": row.title,
        "date": row.date,
        "type": row.type,
        "importance": row.importance,
        "status": row.status,
        "outlet": row.outlet,
        "tags": list(row.tags),
        "folder": row.folder,
        "file": row.main_file,
        "score": round(hit.score, 4),
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
    }
    if explain:
        found["why"] = hit.why
    return found


def highlighted(snippet: str, spans: tuple[tuple[int, int], ...], style: str = "bold yellow") -> Text:
    """A snippet as Rich text, each piece cleaned separately so that the spans stay right."""
    text = Text()
    position = 0
    for start, end in spans:
        if start < position:
            continue
        text.append(clean(snippet[position:start]))
        text.append(clean(snippet[start:end]), style=style)
        position = end
    text.append(clean(snippet[position:]))
    return text


def _render(context: Context, query: str, hits: Hits, explain: bool = False) -> None:
    out = context.out
    from dossier.index.forgiving import what_was_done

    if context.piped and not explain:  # --explain is for a person reading: the full layout
        for line in what_was_done(hits):
            context.info(line)  # standard error: standard output stays one hit a line
        _render_lines(context, query, hits)
        return
    for line in what_was_done(hits):
        out.print(Text(clean(line), style="italic"))
    if not hits:
        out.print(Text(f"No entry matches {clean(query)!r}.", style="dim"))
        return
    for hit in hits:
        row = hit.row
        head = Text(clean(row.title), style="bold")
        details = [row.kind.value, row.id]
        if row.date:
            details.append(row.date)
        if row.type:
            details.append(row.type)
        if row.importance is not None:
            details.append(f"importance {row.importance}")
        if row.status:
            details.append(row.status)
        head.append("  " + clean(" · ".join(details)), style="dim")
        out.print(head)
        if hit.snippet:
            line = Text("  ")
            line.append_text(highlighted(hit.snippet, hit.highlights))
            out.print(line)
        if explain and hit.why:
            out.print(Text("  why: " + clean(hit.why), style="dim"))
    if hits.total > len(hits):
        out.print(Text(f"{len(hits)} of {hits.total} results (--limit N for more)", style="dim"))
    else:
        out.print(Text(f"{len(hits)} result{'s' if len(hits) != 1 else ''}", style="dim"))


def hit_line(hit: Any) -> str:
    """One hit as one line of tab-separated fields: id, kind, date, title, snippet (for cut, awk, grep)."""
    row = hit.row
    fields = (row.id, row.kind.value, row.date or "", row.title, hit.snippet or "")
    return "\t".join(" ".join(clean(str(value)).split()) for value in fields)


def _render_lines(context: Context, query: str, hits: Hits) -> None:
    """Into a pipe or a file: a hit a line on standard output, the count on standard error."""
    context.write_lines(hit_line(hit) for hit in hits)
    if not hits:
        context.info(f"No entry matches {clean(query)!r}.")
    elif hits.total > len(hits):
        context.info(f"{len(hits)} of {hits.total} results (--limit N for more)")
    else:
        context.info(f"{len(hits)} result{'s' if len(hits) != 1 else ''}")
