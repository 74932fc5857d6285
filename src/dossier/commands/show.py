"""``dossier show``."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dossier.commands import FINDINGS, OK, Command, Context, UsageError
from dossier.model import Entry, Kind
from dossier.safe import SHOW_TEXT_CHARS, clean, clean_block
from dossier.store import EntryNotFound, Store
from dossier.values import json_value, value_text


def resolve_titles(store: Store, entry: Entry) -> dict[str, dict[str, Any]]:
    """Each id the entry refers to, with its kind and title (or ``missing``)."""
    resolved: dict[str, dict[str, Any]] = {}
    for ref in entry.references:
        if ref.target in resolved:
            continue
        location = store.locate(ref.target)
        if location is None:
            resolved[ref.target] = {"id": ref.target, "missing": True}
            continue
        target = store.load(location)
        resolved[ref.target] = {"id": ref.target, "kind": target.kind.value, "title": target.title}
    return resolved


def provenance_json(store: Store, entry: Entry, resolved: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What backs each field (sources resolved to titles), and the fields the policy wants backed that lack it."""
    from dossier import policy, provenance

    backings, _ = provenance.read(entry.data)
    rules, _ = policy.load(store)
    return {
        "provenance": [
            {**b.to_json(), "sources": [resolved.get(s, {"id": s, "missing": True}) for s in b.sources]}
            for b in backings.values()
        ],
        "lacking_provenance": policy.lacking(rules, entry.kind, entry.data),
    }


def entry_json(store: Store, entry: Entry, texts: bool = True) -> dict[str, Any]:
    """An entry as JSON: fields, references resolved, provenance, text files, problems."""
    resolved = resolve_titles(store, entry)
    result: dict[str, Any] = {
        "id": entry.id,
        "kind": entry.kind.value,
        "title": entry.title,
        "folder": entry.folder,
        "file": entry.main_file,
        "fields": json_value(entry.data),
        "references": [
            {"field": r.field, "label": r.label, **resolved[r.target]} for r in entry.references
        ],
        "problems": [p.to_json() for p in entry.problems],
        **provenance_json(store, entry, resolved),
    }
    if texts:
        files = []
        for rel in entry.text_files:
            text_file = store.read_text_file(rel, entry.id)
            result["problems"].extend(p.to_json() for p in text_file.problems)
            files.append({"path": rel, "text": text_file.text})
        result["texts"] = files
    return result


class Show(Command):
    """Show one entry: its fields, text files and the entries it refers to.

    References are resolved to the referenced entry's title; one that no entry
    has is marked missing. With the search index, also lists backlinks: the
    events that name an actor, the entries that cite a source, and mentions.
    """

    name = "show"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("id", help="the entry's id (its folder's name)")
        parser.add_argument("--no-text", action="store_true", help="leave out the text files")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        store = context.store()
        try:
            entry = store.load(args.id)
        except EntryNotFound:
            from dossier.model import suggest_id

            hint = suggest_id(args.id, [loc.id for loc in store.scan().locations])
            raise UsageError(f"no entry with id {args.id!r}" + (f" (did you mean {hint!r}?)" if hint else "")) from None
        data = entry_json(store, entry, texts=not args.no_text)
        from dossier.commands.index import entry_links

        data.update(entry_links(context, store, entry.id))
        if args.json:
            context.print_json(data)
        else:
            render_entry(context, entry, data)
        return FINDINGS if data["problems"] else OK


def render_entry(context: Context, entry: Entry, data: dict[str, Any]) -> None:
    """An entry for a person: a header, a field table, references, text files."""
    from rich.markdown import Markdown  # here: it pulls in markdown-it, and ``--help`` needs neither

    out = context.out
    header = Text(clean(entry.title), style="bold")
    header.append(f"  {entry.kind.value} · {entry.id}", style="dim")
    out.print(header)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="cyan", no_wrap=True)
    table.add_column()
    for key, value in entry.data.items():
        if _is_table(key, value):
            continue
        table.add_row(Text(clean(key)), Text(clean(value_text(value))))
    out.print(table)
    for key, value in entry.data.items():
        if _is_table(key, value) and key != PROVENANCE:
            out.print(Text(f"\n{clean(key)}", style="bold cyan"))
            for item in value:
                out.print(Text("  • " + clean(", ".join(f"{k}: {value_text(v)}" for k, v in item.items()))))
    if data["references"]:
        out.print(Text("\nReferences", style="bold"))
        for ref in data["references"]:
            line = Text(f"  {ref['field']}: ")
            line.append(clean(ref["id"]), style="bold")
            if ref.get("missing"):
                line.append("  (missing: no entry has this id)", style="red")
            else:
                line.append(f"  {clean(ref['title'])} ({ref['kind']})", style="dim")
            if ref.get("label"):
                line.append(f"  — {clean(ref['label'], 80)}", style="italic")
            out.print(line)
    render_provenance(context, data)
    from dossier.commands.index import render_links

    render_links(context, data)
    for problem in data["problems"]:
        where = f"{problem['path']}:{problem['line']}" if problem["line"] else problem["path"]
        out.print(Text(f"{clean(where)}: {clean(problem['message'])}", style="red"))
    for text_file in data.get("texts", []):
        if text_file["text"] is None:
            continue
        text, parts = text_file["text"], []
        if len(text) > SHOW_TEXT_CHARS:  # Rich lays out ~300 KB/s: a huge file would take minutes
            rest = len(text) - SHOW_TEXT_CHARS
            text = text[:SHOW_TEXT_CHARS]
            parts.append(Text(f"… {rest:,} more characters not shown; open the file, or use --json", style="dim"))
        if context.piped:  # the file as it is, under its name: no box, no re-flowed paragraphs
            out.print(Text(f"\n== {clean(text_file['path'])} =="), soft_wrap=True)
            out.print(Text(clean_block(text).rstrip("\n")), soft_wrap=True)
            for part in parts:
                out.print(part)
            continue
        out.print(
            Panel(
                Group(Markdown(clean_block(text), hyperlinks=False), *parts),
                title=Text(clean(text_file["path"])),
                title_align="left",
            )
        )


def render_provenance(context: Context, data: dict[str, Any]) -> None:
    """Each field's sources (or the note that says where it comes from), then the fields that lack one."""
    out = context.out
    if data.get("provenance"):
        out.print(Text("\nProvenance (which source backs which field)", style="bold"))
        for backing in data["provenance"]:
            line = Text("  ")
            line.append(clean(backing["field"]), style="cyan")
            line.append(": ")
            if not backing["sources"]:
                line.append("no source in this tree", style="yellow")
            for i, source in enumerate(backing["sources"]):
                line.append(", " if i else "")
                line.append(clean(source["id"]), style="bold")
                if source.get("missing"):
                    line.append(" (missing: no entry has this id)", style="red")
            if backing["note"]:
                line.append(f"  — {clean(backing['note'])}", style="italic")
            out.print(line)
    if data.get("lacking_provenance"):
        out.print(Text("\nNo provenance, though the policy asks for it: "
                       + clean(", ".join(data["lacking_provenance"])), style="yellow"))


def _is_table(key: str, value: Any) -> bool:
    if key == PROVENANCE and isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


PROVENANCE = "provenance"


__all__ = ["Show", "entry_json", "render_entry", "Kind"]
