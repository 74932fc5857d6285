"""Curation from the entry page: merge a likely duplicate, link a mention, add an alias, rename, undo.

An actor's page lists its likely duplicates (:func:`dossier.review.duplicates_in_index`,
gathered with the entry). Keys, on the entry pane only (on a list, letters type into its filter):
``m`` merge a duplicate (the one under the cursor first), ``l`` link the mention under the cursor,
``a`` alias, ``r`` rename, ``u`` undo the last curation made since the browser opened. Each opens
:class:`CurationDialog`, which plans in a worker, shows the plan and its diff, and applies it on
one enter (in a worker too); the browser then updates the index once with the plan's paths and
reopens the entry.

:class:`CurationActions` is mixed into the browser screen: the actions the keys run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dossier.model import Kind
from dossier.safe import clean, clean_block

if TYPE_CHECKING:
    from dossier.curate import Plan

#: The entry pane's curation keys (bound on the entry view, so a list's filter never sees them run).
CURATION_BINDINGS: list[BindingType] = [
    Binding("m", "screen.curate_merge", "Merge a duplicate", show=False, id="entry.merge"),
    Binding("l", "screen.curate_link", "Link the mention", show=False, id="entry.link"),
    Binding("a", "screen.curate_alias", "Add an alias", show=False, id="entry.alias"),
    Binding("r", "screen.curate_rename", "Rename the id", show=False, id="entry.rename"),
    Binding("u", "screen.curate_undo", "Undo the last curation", show=False, id="entry.undo"),
]


def diff_text(plan: Plan) -> Text:
    """The plan's summary and unified diff, coloured, as plain text (its content comes from the tree)."""
    text = Text()
    for line in plan.summary:
        text.append(clean(line) + "\n", style="bold")
    text.append("\n")
    for line in clean_block(plan.diff()).splitlines():
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
        if line.startswith(("---", "+++", "rename ", "remove folder", "create folder")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        text.append(line + "\n", style=style)
    return text


class CurationDialog(ModalScreen["Plan | None"]):
    """Ask what is needed (a choice, a text), show the plan and its diff, apply it on enter.

    ``make_plan(choice, text)`` runs in a worker; the dialog is dismissed with the applied plan,
    or None when cancelled. Changing the choice or the text after planning plans again.
    """

    DEFAULT_CSS = """
    CurationDialog #choices { height: auto; max-height: 8; margin: 0 0 1 0; }
    CurationDialog #diff { height: 1fr; border-top: solid $panel; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", id="curate.cancel"),
        Binding("enter", "confirm", "Plan / apply", id="curate.confirm", priority=True),
    ]

    def __init__(
        self,
        title: str,
        make_plan: Callable[[str | None, str | None], Plan],
        *,
        prompt: str | None = None,
        value: str = "",
        choices: list[tuple[str, str, str]] | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.heading = title
        self.make_plan = make_plan
        self.prompt = prompt
        self.value = value
        self.choices = choices  # (value, label, text to put in the input when chosen)
        self.plan: Plan | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        from dossier.tui.widgets.key_bar import KeyBar

        yield KeyBar(classes="dialog-keys")  # this dialog's own keys, over the browser's footer
        with Vertical(id="body"):
            yield Static(Text(self.heading), classes="dialog-title")
            if self.choices is not None:
                yield OptionList(*(Option(Text(label), id=value) for value, label, _ in self.choices), id="choices")
            if self.prompt is not None:
                yield Input(value=self.value, placeholder=self.prompt, id="value")
            with VerticalScroll(id="diff"):
                yield Static("", id="plan")
            yield Static("", classes="error", id="error")
            yield Static("enter plans, then shows the diff · enter again applies · escape cancels", classes="hint",
                         id="hint")

    def on_mount(self) -> None:
        if self.choices is not None:
            self.query_one(OptionList).focus()
            if self.choices:
                self.query_one(OptionList).highlighted = 0
                self._chosen(0)
        elif self.prompt is not None:
            self.query_one(Input).focus()
        else:
            self._plan(None, None)

    def _chosen(self, index: int) -> None:
        assert self.choices is not None
        if self.prompt is not None:
            self.query_one(Input).value = self.choices[index][2]

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._chosen(event.option_index)
        self._forget_plan()

    @on(Input.Changed)
    def _changed(self) -> None:
        self._forget_plan()

    def _forget_plan(self) -> None:
        if self.plan is not None:
            self.plan = None
            self.query_one("#plan", Static).update("")

    def _inputs(self) -> tuple[str | None, str | None]:
        choice = None
        if self.choices is not None:
            highlighted = self.query_one(OptionList).highlighted
            choice = self.choices[highlighted][0] if highlighted is not None and self.choices else None
        text = self.query_one(Input).value if self.prompt is not None else None
        return choice, text

    def action_confirm(self) -> None:
        if self.busy:
            return
        if self.plan is None:
            choice, text = self._inputs()
            self._plan(choice, text)
        elif not self.plan.operations:
            self.dismiss(None)
        else:
            self._apply(self.plan)

    def _set_busy(self, message: str) -> None:
        self.busy = True
        self.query_one("#error", Static).update("")
        self.query_one("#hint", Static).update(message)

    @work(thread=True, exclusive=True, group="curate-plan")
    def _plan(self, choice: str | None, text: str | None) -> None:
        from dossier.curate import CurationError

        self.app.call_from_thread(self._set_busy, "planning…")
        try:
            plan = self.make_plan(choice, text)
        except (CurationError, ValueError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._planned, plan)

    def _planned(self, plan: Plan) -> None:
        self.busy = False
        self.plan = plan
        self.query_one("#plan", Static).update(diff_text(plan) if plan.operations else Text(
            "\n".join(clean(line) for line in plan.summary) + "\nNothing to change."))
        self.query_one("#hint", Static).update(
            "enter applies this change · escape cancels" if plan.operations else "enter closes")
        self.query_one("#diff", VerticalScroll).focus()

    def _failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#error", Static).update(Text(clean(message, 500)))
        self.query_one("#hint", Static).update("enter plans again · escape cancels")

    @work(thread=True, exclusive=True, group="curate-apply")
    def _apply(self, plan: Plan) -> None:
        from dossier.curate import CurationError, apply

        self.app.call_from_thread(self._set_busy, "applying…")
        try:
            apply(self.app.store, plan)  # type: ignore[attr-defined]
        except (CurationError, OSError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.dismiss, plan)

    def action_close(self) -> None:
        if not self.busy or self.plan is None:
            self.dismiss(None)


class CurationActions:
    """The curation actions of the browser screen (mixed into :class:`BrowserScreen`)."""

    @property
    def curation_history(self) -> list[Plan]:
        """Plans applied since the browser opened, the last on top: what ``u`` undoes."""
        history = getattr(self, "_curation_history", None)
        if history is None:
            history = self._curation_history = []
        return history

    def _open_data(self, kind: Kind | None = None) -> Any:
        data = self.entry_view.data  # type: ignore[attr-defined]
        if data is None:
            self.notify("Open an entry first.", severity="warning")  # type: ignore[attr-defined]
            return None
        if kind is not None and data.entry.kind is not kind:
            self.notify(f"Open an {kind.value} for this.", severity="warning")  # type: ignore[attr-defined]
            return None
        return data

    def _curate(self, dialog: CurationDialog, open_after: Callable[[Plan], str | None]) -> None:
        def done(plan: Plan | None) -> None:
            if plan is None:
                return
            history = self.curation_history
            if plan.command == "undo":
                history.pop()
            else:
                history.append(plan)
            self.dossier.apply_paths(plan.paths())  # type: ignore[attr-defined]
            self.notify(clean(plan.summary[0] if plan.summary else "done", 200), timeout=4)  # type: ignore[attr-defined]
            target = open_after(plan)
            if target is not None:
                self.open_entry(target)  # type: ignore[attr-defined]

        self.app.push_screen(dialog, done)  # type: ignore[attr-defined]

    def action_curate_merge(self) -> None:
        data = self._open_data(Kind.ACTOR)
        if data is None:
            return
        if not data.duplicates:
            self.notify(f"No likely duplicate of {data.id} found.", timeout=3)  # type: ignore[attr-defined]
            return
        from dossier.curate import plan_merge

        store, keep = self.dossier.store, data.id  # type: ignore[attr-defined]
        # The duplicate under the cursor first, so that m on it merges that one.
        target = self.entry_view.focused_target()  # type: ignore[attr-defined]
        chosen = target.info.entry_id if target is not None and target.info.field.startswith("duplicate") else None
        found = sorted(data.duplicates, key=lambda item: item[0].id != chosen)
        choices = [(row.id, f"{row.id}  {row.title}  ({why})", f"likely duplicate: {why}") for row, why in found]

        def make(choice: str | None, reason: str | None) -> Plan:
            if choice is None:
                raise ValueError("choose the duplicate to merge")
            return plan_merge(store, keep, [choice], reason or "")

        dialog = CurationDialog(f"Merge into {keep}: choose the duplicate, give the reason", make,
                                prompt="why they are one (recorded in [[merged]])", choices=choices)
        self._curate(dialog, lambda plan: keep)

    def action_curate_link(self) -> None:
        data = self._open_data(Kind.ACTOR)
        if data is None:
            return
        target = self.entry_view.focused_target()  # type: ignore[attr-defined]
        if target is None or target.info.field != "mention":
            self.notify("Put the cursor on a mention (under \u201cMentioned in text\u201d) to link it.",  # type: ignore[attr-defined]
                        severity="warning")
            return
        from dossier.curate import plan_link

        store, mention, actor = self.dossier.store, target.info.entry_id, data.id  # type: ignore[attr-defined]
        dialog = CurationDialog(f"Link {actor} in {mention}", lambda _c, _t: plan_link(store, mention, [actor]))
        self._curate(dialog, lambda plan: actor)

    def action_curate_alias(self) -> None:
        data = self._open_data(Kind.ACTOR)
        if data is None:
            return
        from dossier.curate import plan_alias

        store, actor = self.dossier.store, data.id  # type: ignore[attr-defined]
        dialog = CurationDialog(f"Add an alias to {actor}", lambda _c, text: plan_alias(store, actor, [text or ""]),
                                prompt="another name, as texts write it")
        self._curate(dialog, lambda plan: actor)

    def action_curate_rename(self) -> None:
        data = self._open_data()
        if data is None:
            return
        from dossier.curate import plan_rename

        store, old = self.dossier.store, data.id  # type: ignore[attr-defined]
        dialog = CurationDialog(f"Rename {old}", lambda _c, text: plan_rename(store, old, (text or "").strip()),
                                prompt="the new id", value=old)
        self._curate(dialog, lambda plan: plan.args[1])

    def action_curate_undo(self) -> None:
        history = self.curation_history
        if not history:
            self.notify("No curation to undo since the browser opened.", timeout=3)  # type: ignore[attr-defined]
            return
        last = history[-1]
        inverse = last.inverse()
        dialog = CurationDialog(f"Undo: {clean(last.summary[0] if last.summary else last.command, 120)}",
                                lambda _c, _t: inverse)

        def reopen(plan: Plan) -> str | None:
            command, *ids = plan.args
            # The entry the curation was made from: the actor of a link, else the first id.
            return ids[-1] if command == "link" else ids[0]

        self._curate(dialog, reopen)
