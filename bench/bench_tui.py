"""The browser's speed on a generated tree: start, search keystroke, save to view.

    .venv/bin/python bench/bench_tui.py [N]        (default N = 20000)

Generates a tree of N entries (bench/generate.py) in a temporary folder,
builds its index once, then measures, headless (Textual's test driver):

- start: from launching a fresh Python process to the first interactive
  screen (lists filled from the already built index), against a bare Textual
  app (one Static) launched the same way in the same run;
- search: from a keystroke in the search box to its results on screen
  (typing queries character by character; median and 95th percentile), once
  the app has settled (index reconciled, watcher running);
- save: from an atomic save of the open entry's file (as editors do) to the
  entry view showing the change (watcher, index update, reload).

"On screen" means the next screen refresh after the change has been drawn
(``painted``), not ``Pilot.pause()``, which waits for the whole process to be
idle; keys are sent as the terminal driver sends them, not with
``Pilot.press()``, which adds two idle waits of at least 20 ms each.

Prints a table and appends it to bench/README.md with the machine noted.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import REPO, append_to_readme, machine, median, p95  # noqa: E402

START_RUNS = 5
QUERIES = ["security detail", "milley iran", "retaliation", "actor:mark", "hegseth pentagon"]
SAVES = 10


async def painted(app) -> None:  # noqa: ANN001
    """Wait until the screen has been drawn after what just changed.

    Not Pilot.pause(): it waits until the whole process is idle, up to a second
    while the index reconciles in a worker, which is not what a person sees.
    """
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done


# The child processes get the same definition.
PAINTED = "import asyncio\n" + inspect.getsource(painted)

BARE_APP = PAINTED + """
import time, asyncio, json, sys
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
async def main():
    app = Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        await painted(app)
        print(json.dumps({"ready": time.time()}))
asyncio.run(main())
"""

DOSSIER_APP = PAINTED + """
import time, asyncio, json, sys
from pathlib import Path
from dossier.store import Store
from dossier.tui.app import make_app
async def main():
    app = make_app(Store(Path(sys.argv[1])), index_dir=Path(sys.argv[2]), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        first = None
        while not (app.index is not None and app.browser.rows_loaded[app.browser.kind]):
            if first is None and app.browser.is_mounted:
                first = time.time()
            await asyncio.sleep(0.002)
        await painted(app)
        print(json.dumps({"ready": time.time(), "first_paint": first or time.time()}))
asyncio.run(main())
"""


def launch(code: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    started = time.time()
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    out = json.loads(result.stdout.strip().splitlines()[-1])
    return {key: value - started for key, value in out.items()}


async def interactive(tree: Path, index_dir: Path) -> dict[str, list[float]]:
    from textual import events
    from textual.keys import _character_to_key

    from dossier.model import Kind
    from dossier.store import Store
    from dossier.tui.app import make_app
    from dossier.tui.screens.search import SearchScreen

    app = make_app(Store(tree), index_dir=index_dir)
    search_times: list[float] = []
    save_times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        # Measured once the app has settled (index reconciled, watcher running): while a
        # large tree reconciles, that work competes with the UI for the interpreter.
        while not (app.index is not None and app.browser.rows_loaded[app.browser.kind] and app.watcher is not None):
            await asyncio.sleep(0.01)
        # search: keystroke to results shown
        await pilot.press("slash")
        while not isinstance(app.screen, SearchScreen):
            await asyncio.sleep(0.005)
        screen = app.screen
        box = screen.query_one("#query")
        for query in QUERIES:
            box.value = ""
            await pilot.pause()
            for char in query:
                typed = box.value + char
                before = time.perf_counter()
                # As a terminal delivers a key: not Pilot.press(), which then waits for the
                # process to be idle for 20 ms windows, twice (a floor of 40 ms per key).
                key = events.Key(char if char.isalnum() else _character_to_key(char), char)
                key.set_sender(app)
                app._driver.send_message(key)
                while screen.searched != typed:
                    await asyncio.sleep(0.001)
                await painted(app)
                search_times.append(time.perf_counter() - before)
        await pilot.press("escape")
        # save: file written on disk to the view showing it
        while app.watcher is None:
            await asyncio.sleep(0.05)
        event = app.index.rows(Kind.EVENT, limit=1)[0]
        app.browser.open_entry(event.id)
        while app.browser.entry_view.data is None or app.browser.entry_view.data.id != event.id:
            await asyncio.sleep(0.01)
        await pilot.pause()
        path = tree / event.main_file
        deadline = time.monotonic() + 120
        for i in range(SAVES):
            marker = f"Saved location number {i}"
            text = path.read_text(encoding="utf-8")
            lines = [line for line in text.splitlines() if not line.startswith("location =")]
            tmp = path.with_name(".event.toml.swp")
            tmp.write_text(f'location = "{marker}"\n' + "\n".join(lines) + "\n", encoding="utf-8")
            before = time.perf_counter()
            os.replace(tmp, path)
            while True:
                data = app.browser.entry_view.data
                if data is not None and data.entry.data.get("location") == marker:
                    break
                if time.monotonic() > deadline:  # the watcher lost the event: report, do not hang
                    print("save not seen within the deadline", file=sys.stderr)
                    return {"search": search_times, "save": save_times or [float("nan")]}
                await asyncio.sleep(0.002)
            await painted(app)
            save_times.append(time.perf_counter() - before)
            await asyncio.sleep(0.3)
    return {"search": search_times, "save": save_times}


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 20000
    from generate import generate

    from dossier.index import Index
    from dossier.store import Store

    with tempfile.TemporaryDirectory(prefix="dossier-bench-tui-") as work:
        work_dir = Path(work)
        tree = work_dir / "tree"
        index_dir = work_dir / "index"
        print(f"generating {n} entries…", file=sys.stderr)
        generate(n, tree)
        print("building the index…", file=sys.stderr)
        index = Index.open(Store(tree), index_dir)
        index.reconcile()
        index.close()
        print("measuring start…", file=sys.stderr)
        bare = [launch(BARE_APP)["ready"] for _ in range(START_RUNS)]
        ours = [launch(DOSSIER_APP, str(tree), str(index_dir)) for _ in range(START_RUNS)]
        print(f"start: bare {bare}, dossier {ours}", file=sys.stderr)
        print("measuring search and save…", file=sys.stderr)
        timings = asyncio.run(interactive(tree, index_dir))

    start = median([o["ready"] for o in ours])
    first = median([o["first_paint"] for o in ours])
    bare_start = median(bare)
    rows = [
        ("start to first screen (lists filled)", f"{start:.2f} s", "≤ 1.5 s"),
        ("  first paint (lists still empty)", f"{first:.2f} s", ""),
        ("  bare Textual app, same run", f"{bare_start:.2f} s", ""),
        ("  above the bare app", f"{start - bare_start:+.2f} s", "≤ 0.7 s"),
        ("search keystroke to results, median", f"{median(timings['search']) * 1000:.0f} ms", "< 100 ms"),
        ("search keystroke to results, p95", f"{p95(timings['search']) * 1000:.0f} ms", ""),
        ("save on disk to view updated, median", f"{median(timings['save']):.2f} s", "< 1 s"),
        ("save on disk to view updated, max", f"{max(timings['save']):.2f} s", ""),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [
        f"## TUI: {n:,} entries ({time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {machine()}. Command: `.venv/bin/python bench/bench_tui.py {n}`; "
        f"{START_RUNS} starts each, {sum(len(q) for q in QUERIES)} search keystrokes, {SAVES} saves; headless "
        "(Textual's test driver).",
        "",
        f"| {'measure'.ljust(width)} | result | target |",
        f"|{'-' * (width + 2)}|--------|--------|",
    ]
    lines += [f"| {name.ljust(width)} | {value} | {target} |" for name, value, target in rows]
    table = "\n".join(lines)
    print(table)
    if os.environ.get("BENCH_NO_README") != "1":
        append_to_readme(table)


if __name__ == "__main__":
    main(sys.argv[1:])
