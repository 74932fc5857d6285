"""The ``dossier`` browser: a Textual app on a tree, reading through the search index.

:func:`make_app` builds the app (the CLI and the tests share it); :func:`run_app`
runs it. At start the first screen appears at once; the index is opened and
reconciled in a thread worker, then the file watcher keeps it current. Index
work runs in thread workers of the "index" group: opening and reconciling
exclusively (a new one cancels the one before), applying the watcher's changes
not (a cancelled apply would drop its paths; the index serialises its writes
itself). Results come back as messages.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from dossier.safe import clean
from dossier.store import Store
from dossier.tui.config import Config, config_dir
from dossier.tui.keys import handle_now
from dossier.tui.messages import FilesChanged, IndexChanged, IndexFailed, IndexOpened, RowsLoaded, SyncStatus
from dossier.tui.screens.browser import BrowserScreen
from dossier.tui.themes import load_themes, shipped_themes_dir

if TYPE_CHECKING:
    from textual.theme import Theme

    from dossier.index import Index


#: Seconds without file events before a batch of changes goes to the index.
WATCH_QUIET = 0.15


def _commands_provider():  # type: ignore[no-untyped-def]
    from dossier.tui.commands import ActionsProvider

    return ActionsProvider


class DossierApp(App[int]):
    """Browse a dossier tree with the keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "dossier"
    # `q` quits from the open entry (EntryView); on a list a letter is always part of a name.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        # f1 too: in a text box (the list's filter, the search) ? is a character like any other.
        Binding("question_mark,f1", "help", "Help", id="app.help"),
    ]
    COMMANDS = App.COMMANDS | {_commands_provider}
    #: Below 80 columns the screen gets the class -narrow and the panes stack (app.tcss).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (80, "-wide")]

    def __init__(self, store: Store, index_dir: Path | None = None, *, watch: bool = True,
                 settings_dir: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.index_dir = index_dir
        self.watch_files = watch
        self.index: Index | None = None
        self.watcher = None
        self.settings_dir = settings_dir or config_dir()
        self.config = Config.load(self.settings_dir)
        self.dossier_themes: dict[str, Theme] = {}
        self._theme_errors: list[str] = []
        self._load_themes()
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.browser = BrowserScreen()

    async def on_event(self, event: events.Event) -> None:
        # The screen sees each key before any widget does (dossier.tui.keys): keys typed ahead
        # of their results wait for them, and digit hints work from every pane.
        if isinstance(event, events.Key) and not event.is_forwarded:
            screen = self.screen
            intercept = getattr(screen, "intercept_key", None)
            if intercept is not None and (intercept(event) or await handle_now(screen, event)):
                return
        await super().on_event(event)

    # -- themes and settings

    def _load_themes(self) -> None:
        loaded = load_themes(shipped_themes_dir(), self.settings_dir / "themes")
        for theme in loaded.themes.values():
            self.register_theme(theme)
        self.dossier_themes = loaded.themes
        message = loaded.message()
        if message:
            self._theme_errors.append(message)
        if self.config.problem:
            self._theme_errors.append(self.config.problem)
        wanted = self.config.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            if wanted != "dossier-dark":
                self._theme_errors.append(f"Theme {wanted!r} is not available; using the default.")
            self.theme = "dossier-dark" if "dossier-dark" in self.available_themes else "textual-dark"

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name == self.config.theme:
            return
        self.config.theme = theme.name
        problem = self.config.save(self.settings_dir)
        if problem:
            self.notify(problem, severity="warning")

    # -- lifecycle

    def get_default_screen(self) -> BrowserScreen:
        return self.browser

    def on_load(self) -> None:
        # Before the first screen is composed: opening the index of a large tree takes longer
        # than drawing that screen, so it starts as early as the app can run a worker.
        self.open_index()

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for message in self._theme_errors:
            self.notify(message, severity="error", timeout=10)
        self.set_interval(0.5, self._poll_index_state)
        self.run_worker(self._read_last_sync, thread=True, group="sync-status")

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.index is not None:
            self.index.close()

    def _poll_index_state(self) -> None:
        if self.index is not None:
            self.browser.set_status(index_state=self.index.state)

    # -- the index (thread workers of the "index" group, results as messages)

    @work(thread=True, exclusive=True, group="index")
    def open_index(self) -> None:
        try:
            from dossier.index import Index

            index = Index.open(self.store, self.index_dir)
        except Exception as exc:  # an unusable index folder must not stop browsing
            self.post_message(IndexFailed(f"the index could not be opened: {exc}"))
            return
        # The first list comes from the saved state in this same worker, before reconciling,
        # so it is on screen without waiting for another worker or for the tree's scan.
        kind, text = self.browser.kind, self.browser.filter_text(self.browser.kind)
        try:
            first, counts = RowsLoaded(kind, text, index.rows(kind, text=text)), index.counts()
        except Exception:  # the browser asks again once it knows the index is open
            first, counts = None, None
        self.post_message(IndexOpened(index, first, counts))
        # Watch before reconciling: a file saved during the reconcile is applied after it (applying is
        # idempotent), and once the reconcile is done the watcher can tell commands the index is current.
        if self.watch_files:
            self._start_watcher(index)
        try:
            # A first build commits in batches: show each batch's entries instead of empty lists.
            changes = index.reconcile(committed=lambda: self.post_message(
                IndexChanged(None, index.counts(), None, reconciled=True)))
        except Exception as exc:  # e.g. another process holds the index: keep what it has
            self.post_message(IndexFailed(f"the index could not be brought up to date: {exc}"))
            changes = None
        self.post_message(IndexChanged(changes, index.counts(), len(index.problems()), reconciled=True))
        if changes is not None and self.watcher is not None:
            self.watcher.index_matches()

    def _start_watcher(self, index: Index) -> None:
        """Runs in the index worker: watching a large tree means walking every folder once."""
        try:
            from dossier.watch import TreeWatcher
        except ImportError:
            return
        # A save arrives as a burst of events within milliseconds; a short quiet time keeps
        # save-to-view well under a second while still collapsing the burst into one batch.
        watcher = TreeWatcher(self.store.root, self._on_batch, quiet=WATCH_QUIET, index_dir=index.dir)
        try:
            watcher.start()
        except Exception as exc:  # e.g. too many inotify watches: browsing still works
            self.post_message(IndexFailed(f"watching the tree for changes failed: {exc}"))
            return
        self.watcher = watcher
        # What lives as long as the app is now made: the watcher's two objects per folder (200,000 at
        # 100,000 entries), the first list's rows, the widgets. Out of the cyclic collector's reach, a
        # full collection no longer walks them (0.2-0.3 s, a stall in the middle of scrolling). They
        # are still freed by reference counting when dropped; only cycles among them would stay.
        gc.freeze()

    def _on_batch(self) -> None:
        self.post_message(FilesChanged())

    def on_files_changed(self, message: FilesChanged) -> None:
        if self.watcher is not None:
            paths = self.watcher.take()  # cheap and atomic; the watcher signals again only after a take
            if paths:
                ordered = sorted(paths)
                # The open entry is read from its files: it shows what was saved first, and the index
                # takes the change in after (at 100,000 entries that rewrites a 60 MB state table, a
                # second that would hold the reload back, the two sharing the interpreter). Until
                # then the watcher's heartbeat says a batch is in flight: commands do not trust it.
                if not self.browser.files_changed(paths, then=lambda: self._apply(ordered, taken=True)):
                    self._apply(ordered, taken=True)

    def apply_paths(self, paths: list[str]) -> None:
        """Bring the index up to date with files the app itself changed (an edit, a new entry)."""
        self._apply(paths)

    # Not exclusive: cancelling a queued apply would drop its paths; the index serialises writes itself.
    @work(thread=True, group="index")
    def _apply(self, paths: list[str], taken: bool = False) -> None:
        """Apply changed paths; ``taken`` when they are a batch taken from the watcher (it is told when done)."""
        ok = False
        try:
            ok = self._apply_paths(paths)
        finally:
            if taken and self.watcher is not None:
                self.watcher.batch_done(ok)

    def _apply_paths(self, paths: list[str]) -> bool:
        from textual.worker import get_current_worker

        from dossier.index import IndexBusy

        index = self.index
        if index is None or not paths:
            return index is not None
        worker = get_current_worker()
        while True:
            try:
                changes = index.apply(paths)
                break
            except IndexBusy:
                # Another program (an import, a --rebuild) is writing: these changes must not be
                # dropped. Each attempt waits for its lock; the index's state says it is waiting.
                if worker.is_cancelled:
                    if self.watcher is not None:
                        self.watcher.add(paths)  # the app is closing: nothing is lost in memory either
                    return True
            except Exception as exc:
                self.post_message(IndexFailed(f"updating the index failed: {exc}"))
                return False
        # Counts and problems for the status bar come later (refresh_status): counting walks
        # the whole tree's records and would compete with reloading the open entry.
        self.post_message(IndexChanged(changes, None, None))
        return True

    @work(thread=True, exclusive=True, group="status")
    def refresh_status(self) -> None:
        """Count entries and problems again for the status bar."""
        index = self.index
        if index is not None:
            self.post_message(IndexChanged(None, index.counts(), len(index.problems())))
        self._read_last_sync()

    def _read_last_sync(self) -> None:
        from dossier.gitsync import describe_sync, last_sync

        record = last_sync(self.store.root)
        if record is not None:
            self.post_message(SyncStatus(describe_sync(record)))

    @work(thread=True, exclusive=True, group="sync")
    def action_sync_git(self) -> None:
        """Commit, pull, check and push the tree, as ``dossier sync`` does."""
        from dossier.gitsync import GitError, describe_sync, sync

        try:
            report = sync(self.store.root)
        except GitError as exc:
            self.post_message(SyncStatus(f"sync failed: {exc}", fresh=True))
            return
        self.post_message(SyncStatus(describe_sync(report.to_json()), fresh=True))

    def on_sync_status(self, message: SyncStatus) -> None:
        self.browser.set_status(sync=message.summary)
        if message.fresh:
            failed = "conflict" in message.summary or message.summary.startswith("sync failed")
            self.notify(message.summary, severity="error" if failed else "information", timeout=10)

    def _browser_ready(self) -> bool:
        """False while the app is starting or shutting down (the browser's widgets are not there)."""
        return self.is_running and not self._exit and bool(self.browser.query("#filter"))

    def on_index_opened(self, message: IndexOpened) -> None:
        self.index = message.index
        if self._exit:
            return
        # Before the browser is mounted it keeps the rows and shows them when it is.
        self.browser.set_status(index_state=message.index.state, counts=message.counts)
        self.browser.index_opened(message.first_rows)

    def on_index_changed(self, message: IndexChanged) -> None:
        if not self._browser_ready():
            return
        self.browser.set_status(counts=message.counts, problems=message.problems,
                                index_state=self.index.state if self.index else None)
        if message.reconciled or message.changes:
            then = self.refresh_status if message.counts is None else None
            self.browser.index_changed(message.changes.ids if message.changes else None, then)
            from dossier.tui.screens.problems import ProblemsScreen

            for screen in self.screen_stack:
                if isinstance(screen, ProblemsScreen):  # a file fixed or broken while the list is open
                    screen.refresh_problems()

    def on_index_failed(self, message: IndexFailed) -> None:
        self.browser.set_status(index_state="unavailable" if self.index is None else None)
        self.browser.type_ahead.release()  # keys waiting for rows that will not come
        self.notify(message.reason, severity="error", timeout=10)

    # -- app-wide actions

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":  # Textual's saves into a Downloads folder that may not exist
                command = SystemCommand(command.title, "Save an SVG picture of the screen in the current folder",
                                        lambda: self.set_timer(0.1, self.save_screen_picture))
            yield command

    def save_screen_picture(self) -> Path | None:
        """An SVG of the screen in the current folder (else the config folder); the notice says where."""
        for folder in (Path.cwd(), self.settings_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path = Path(self.save_screenshot(path=str(folder)))
            except OSError:
                continue
            self.notify(f"Saved to {clean(str(path))}", title="Screenshot", markup=False)
            return path
        self.notify("The screenshot could not be saved in the current folder nor the config folder.",
                    severity="error")
        return None

    def action_help(self) -> None:
        from dossier.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def make_app(store: Store, index_dir: Path | None = None, *, watch: bool = True,
             settings_dir: Path | None = None) -> DossierApp:
    """The browser on this tree (index in ``index_dir``, else the default place)."""
    return DossierApp(store, index_dir, watch=watch, settings_dir=settings_dir)


def run_app(store: Store, index_dir: Path | None = None) -> int:
    """Run the browser until the user quits; the exit code."""
    app = make_app(store, index_dir)
    app.run()
    return app.return_code or 0
