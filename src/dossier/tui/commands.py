"""The command palette (``ctrl+p``): every action of the browser, and every theme.

The commands are made from the bindings themselves (each has a description),
so a new key is in the palette without further work.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dossier.model import Kind


class ActionsProvider(Provider):
    """Actions of the screen the palette was opened on, plus lists and themes."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from dossier.tui.screens.help import key_names

        app = self.app
        screen = self.screen
        commands: list[tuple[str, Callable[[], object], str]] = []
        seen: set[str] = set()
        sources = [(getattr(screen, "BINDINGS", []), screen), (app.BINDINGS, app)]
        browser = getattr(app, "browser", None)
        if browser is not None and screen is browser:
            # The commands on the open entry (its letter keys) are actions of this screen too.
            view = browser.entry_view
            sources.insert(1, ([b for b in view.BINDINGS if getattr(b, "action", "").startswith(("screen.", "app."))],
                               view))
        for bindings, namespace in sources:
            for binding in bindings:
                # The same command may have a key on the lists and one on the entry (ctrl+t, t): list it once.
                if not hasattr(binding, "action") or binding.description in seen or not binding.description:
                    continue
                seen.add(binding.description)
                action = binding.action
                commands.append((
                    binding.description,
                    partial(app.run_action, action, namespace),
                    f"key: {key_names(binding)}",
                ))
        if browser is not None and screen is browser:
            for kind in Kind:
                commands.append((f"Show {kind.plural}", partial(browser.show_kind, kind), f"the list of {kind.plural}"))
        if hasattr(app, "action_sync_git"):
            commands.append(("Sync with git", app.action_sync_git, "commit, pull, check and push (dossier sync)"))
        for name in sorted(getattr(app, "dossier_themes", {})):
            commands.append((f"Theme: {name}", partial(setattr, app, "theme", name), "switch to this theme"))
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
