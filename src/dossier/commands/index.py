"""``dossier index``: bring the search index up to date, rebuild it, or keep it current."""

from __future__ import annotations

import argparse
import threading
import time
from typing import TYPE_CHECKING, Any

from rich.text import Text

from dossier.commands import OK, USAGE, Command, Context, UsageError
from dossier.safe import clean
from dossier.store import Store

if TYPE_CHECKING:
    from dossier.index import Changes, Index
    from dossier.watch import IndexWatcher

#: How long a command waits for another program that is writing the index before reading it as it is.
COMMAND_WAIT = 5.0


def open_index(context: Context, store: Store, *, reconcile: bool = True, progress: bool = True) -> Index:
    """The tree's index, brought up to date (with a progress bar on a terminal when that takes a while).

    When another program (a running TUI) is writing the index, waits a little,
    then reads the index as it is: that program keeps it current. When a watcher
    (``dossier index --watch``, an open browser) says it keeps the index current,
    the tree is not looked at (dossier/index/heartbeat.py).
    """
    from dossier.index import IndexBusy, IndexWriteError, heartbeat
    from dossier.index.core import index_folder

    # Asked before the index is opened: what the watcher applied while we waited is then read too.
    watched = reconcile and heartbeat.trusted(index_folder(store, context.index_dir), store.root,
                                              since=context.started)
    index = _open(store, context)
    report_rebuild(context, index)
    if watched and index.rebuilt_reason is None:
        context.detail("a running watcher keeps the index current: the tree was not looked at")
    elif reconcile:
        try:
            _with_progress(context, index, lambda cb: index.reconcile(cb, wait=COMMAND_WAIT), progress)
        except IndexBusy:
            context.err.print(
                Text("dossier: the index is being updated by another program; searching it as it is", style="yellow")
            )
        except IndexWriteError as exc:
            context.err.print(Text(f"dossier: {clean(str(exc))}", style="yellow"))
    return index


def _open(store: Store, context: Context) -> Index:
    """Open the tree's index; an index folder that cannot even be created is a usage error (exit 2)."""
    from dossier.index import Index, IndexWriteError

    try:
        return Index.open(store, context.index_dir)
    except IndexWriteError as exc:
        raise UsageError(str(exc)) from None


#: Reasons to rebuild that are routine, not news to the user.
_ROUTINE = (None, "no index yet")


def report_rebuild(context: Context, index: Index, seen: str | None = None) -> None:
    """Say on stderr why the index was rebuilt (damaged, deleted, a new format), unless routine or said."""
    reason = index.rebuilt_reason
    if reason in _ROUTINE or reason == seen:
        return
    context.err.print(Text(f"dossier: {clean(reason or '')}: the index was rebuilt from the tree", style="yellow"))


def _with_progress(context: Context, index: Index, action: Any, show: bool) -> Changes:
    """Run ``action(progress_callback)``; a Rich progress bar appears if it runs long on a terminal."""
    if not show or not context.progress:
        return action(None)
    from dossier.commands.progress import progress_bar

    progress = progress_bar(context)
    task = progress.add_task("indexing", total=None)
    started = time.monotonic()
    shown = saving = False

    def callback(done: int, total: int) -> None:
        nonlocal shown, saving
        if not shown and time.monotonic() - started > 0.3 and done < total:
            progress.start()
            shown = True
        if done >= total and not saving:
            # Every entry is in; the commit that follows takes seconds on a large tree: a pulsing
            # bar of its own (no total) with its clock running says that work goes on.
            saving = True
            progress.update(task, visible=False)
            progress.add_task("indexing: saving", total=None)
        elif not saving:
            progress.update(task, completed=done, total=total)

    try:
        return action(callback)
    finally:
        if shown:
            progress.stop()


class IndexCommand(Command):
    """Bring the search index up to date with the tree, rebuild it, or keep it current.

    The index lives outside the tree, in the user's cache folder (one per tree;
    --index DIR or DOSSIER_INDEX to choose another). It is brought up to date
    by every command that reads it, and kept current by a running browser; this
    command does it on demand. --rebuild indexes everything from scratch;
    --watch keeps the index current as files change until Ctrl-C.
    """

    name = "index"
    writes = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="index everything from scratch")
        parser.add_argument("--watch", action="store_true", help="keep the index current until Ctrl-C")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        from dossier.index import IndexBusy, IndexWriteError

        store = context.store()
        if args.dry_run:
            if args.watch:
                raise UsageError("--dry-run and --watch do not go together: a dry run writes nothing")
            return _dry_run(context, store, args)
        index = _open(store, context)
        # This command is what others start to build apart: it builds here, never starts itself again.
        index.build_apart = False
        if not args.watch:
            # A command of its own (no browser's threads): a large build may use worker processes.
            from dossier.index.bulk import worker_count

            index.workers = worker_count()
        # Watch before reconciling: a file saved between the reconcile and the watcher's start
        # would otherwise wait for the next run (the watcher applies it after; applying is idempotent).
        watcher = _start_watcher(context, index, args.json) if args.watch else None
        started = time.monotonic()
        try:
            if args.rebuild:
                changes = _with_progress(context, index, lambda cb: index.rebuild(cb), True)
            else:
                changes = _with_progress(context, index, lambda cb: index.reconcile(cb), True)
        except IndexBusy:
            if watcher is not None:
                watcher.stop()
            context.err.print("dossier: another program is updating this index; try again later", markup=False)
            return USAGE
        except IndexWriteError as exc:
            if watcher is not None:
                watcher.stop()
            context.err.print(Text(f"dossier: {clean(str(exc))}"))
            return USAGE
        elapsed = time.monotonic() - started
        counts = index.counts()
        report = {
            "index": str(index.dir),
            "rebuilt": bool(args.rebuild) or index.rebuilt_reason is not None,
            "reason": "asked to rebuild" if args.rebuild else index.rebuilt_reason,
            "added": sorted(changes.added),
            "changed": sorted(changes.changed),
            "removed": sorted(changes.removed),
            "counts": {kind.plural: n for kind, n in counts.items()},
            "seconds": round(elapsed, 3),
        }
        if args.json and not args.watch:
            context.print_json(report)
        else:
            _print_report(context, report)
        if watcher is not None:
            watcher.index_matches()
            return _watch(context, index, watcher, args.json)
        index.close()
        return OK


def _dry_run(context: Context, store: Store, args: argparse.Namespace) -> int:
    """What ``index`` would add, change and remove, by id, from the tree and the index's records; no write.

    An index that does not exist yet (or has an old format) would be built from
    scratch: every entry is added. Nothing is created, not even the index folder.
    """
    from dossier.index import INDEX_FORMAT_VERSION, Index, index_folder
    from dossier.index.state_table import STATE_FILE

    folder = index_folder(store, context.index_dir)
    scan = store.scan()
    by_id = scan.by_id()
    records: dict[str, Any] = {}
    reason = "asked to rebuild" if args.rebuild else None
    if reason is None and not (folder / STATE_FILE).exists():
        reason = "no index yet"
    if reason is None:
        index = Index.open(store, folder)
        try:
            reason = index.rebuilt_reason
            records = {} if reason else dict(index._records)  # read only: the same comparison as a reconcile
        finally:
            index.close()
    added = sorted(i for i in by_id if i not in records)
    changed = sorted(
        i for i, loc in by_id.items()
        if i in records and (records[i].fingerprint, records[i].folder, records[i].kind)
        != (loc.fingerprint, loc.folder, loc.kind)
    )
    removed = sorted(i for i in records if i not in by_id)
    report = {"index": str(folder), "dry_run": True, "rebuilt": reason is not None, "reason": reason,
              "added": added, "changed": changed, "removed": removed, "format": INDEX_FORMAT_VERSION,
              "written": 0}
    if args.json:
        context.print_json(report)
        return OK
    what = f"would rebuild the index ({reason})" if reason else "would update the index"
    context.out.print(f"{what}: {len(added)} added, {len(changed)} changed, {len(removed)} removed "
                      "(dry run: nothing written)", markup=False, highlight=False)
    for label, ids in (("add", added), ("change", changed), ("remove", removed)):
        for entry_id in ids[:200] if not context.verbose else ids:
            context.out.print(f"would {label} {entry_id}", markup=False, highlight=False)
    return OK


def _print_report(context: Context, report: dict[str, Any]) -> None:
    out = context.out
    what = "rebuilt" if report["rebuilt"] else "updated"
    if report["rebuilt"] and report["reason"]:
        what += f" ({report['reason']})"
    line = Text(f"Index {what} in {report['seconds']:.2f} s: ")
    line.append(
        f"{len(report['added'])} added, {len(report['changed'])} changed, {len(report['removed'])} removed; "
    )
    line.append(", ".join(f"{n} {kind}" for kind, n in report["counts"].items()))
    out.print(line)
    out.print(Text(f"Index folder: {clean(report['index'])}", style="dim"))


def _start_watcher(context: Context, index: Index, as_json: bool) -> IndexWatcher:
    from dossier.watch import IndexWatcher

    lock = threading.Lock()

    def on_changes(changes: Changes) -> None:
        with lock:
            if as_json:
                context.print_json(
                    {"added": sorted(changes.added), "changed": sorted(changes.changed),
                     "removed": sorted(changes.removed)}
                )
                return
            stamp = time.strftime("%H:%M:%S")
            parts = []
            for label, ids in (("added", changes.added), ("changed", changes.changed), ("removed", changes.removed)):
                if ids:
                    shown = ", ".join(sorted(ids)[:5]) + (" …" if len(ids) > 5 else "")
                    parts.append(f"{label} {len(ids)}: {shown}")
            context.out.print(Text(f"{stamp}  " + clean("; ".join(parts))))

    watcher = IndexWatcher(index, on_changes)
    watcher.start()
    return watcher


def _watch(context: Context, index: Index, watcher: IndexWatcher, as_json: bool) -> int:
    """Keep watching until Ctrl-C."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Stopped by a service manager or `kill`: the heartbeat file is removed as on Ctrl-C (a stale one
    # would only be ignored, but a clean stop says at once that commands must look at the tree again).
    signal.signal(signal.SIGTERM, stop)
    if not as_json:
        context.out.print(Text("Watching the tree; Ctrl-C to stop.", style="dim"))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        index.close()
    return OK


# ------------------------------------------------------------ for `dossier show`


def entry_links(context: Context, store: Store, entry_id: str) -> dict[str, Any]:
    """Backlinks and mentions of one entry, from the index, as JSON-ready data.

    An index that cannot be opened (an unwritable cache folder, say) leaves
    them out with a note rather than failing ``show``.
    """
    try:
        index = open_index(context, store, progress=True)
    except Exception as exc:  # the entry itself can still be shown
        return {"backlinks": [], "mentions": [], "index_error": str(exc)}
    try:
        backlinks = [
            {
                "id": link.row.id, "kind": link.row.kind.value, "title": link.row.title,
                "date": link.row.date, "field": link.field, "label": link.label,
            }
            for link in index.backlinks(entry_id)
        ]
        mentions = [
            {
                "id": m.row.id, "kind": m.row.kind.value, "title": m.row.title, "date": m.row.date,
                "path": m.path, "name": m.name, "snippet": m.snippet,
            }
            for m in index.mentions(entry_id)
        ]
    finally:
        index.close()
    return {"backlinks": backlinks, "mentions": mentions}


def render_links(context: Context, data: dict[str, Any]) -> None:
    """The backlinks and mentions sections of ``dossier show``."""
    out = context.out
    if data.get("backlinks"):
        out.print(Text("\nBacklinks", style="bold"))
        for link in data["backlinks"]:
            line = Text(f"  {link['kind']} ")
            line.append(clean(link["id"]), style="bold")
            line.append(f"  {clean(link['title'], 100)}", style="dim")
            if link.get("date"):
                line.append(f"  {clean(link['date'])}", style="dim")
            line.append(f"  ({link['field']}" + (f": {clean(link['label'], 60)}" if link.get("label") else "") + ")")
            out.print(line)
    if data.get("mentions"):
        out.print(Text("\nMentions (named in the text without a reference)", style="bold"))
        for mention in data["mentions"]:
            line = Text(f"  {mention['kind']} ")
            line.append(clean(mention["id"]), style="bold")
            line.append(f"  {clean(mention['path'])}: ", style="dim")
            line.append(clean(mention["snippet"], 160))
            out.print(line)
    if data.get("index_error"):
        out.print(Text(f"\n(backlinks unavailable: {clean(data['index_error'])})", style="dim"))
