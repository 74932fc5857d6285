"""The browser's speed on a large tree: start, search keystroke, scrolling, save to view, memory.

    .venv/bin/python bench/bench_tui.py [N]                      (generate N entries, default 20000)
    .venv/bin/python bench/bench_tui.py --tree DIR --index DIR   (a tree and its index, built already)

Without ``--tree`` it generates a tree of N entries (bench/generate.py) in a
temporary folder and builds its index once. With ``--tree`` the tree is only
read, and the index is copied first (the browser writes to its index). The save
measure needs a tree it may write to: ``--writable`` says the tree given may be
edited (one event's file, put back after); ``--copy-tree`` copies the tree into the
temporary folder (``cp -a``; when it is a git repository, git's stat cache is
refreshed and the index's git baseline moved to the copy, so that the copy is
not re-indexed). Then, headless (Textual's test driver):

- start: from launching a fresh Python process to the first interactive
  screen (the list filled from the already built index), against floors launched
  the same way in the same run: a bare Textual app (one Static), and a process
  that only reads and parses the index's state table (what every list needs);
- search: from a keystroke in the search box to its results on screen (typing
  queries character by character; median and 95th percentile), once the app has
  settled (index reconciled, watcher running); floor: the same queries asked of
  ``Index.search`` directly, in the same process;
- scroll: page down through the sources list (its first 2,000 rows), then
  ``end``: each keystroke to the screen drawn;
- save: from an atomic save of the open entry's file (as editors do) to the
  entry view showing the change (watcher, reload), each save from a quiet app
  (the previous save's index update, lists and counts done); floor:
  ``Index.apply`` of that file alone;
- memory: the peak resident memory of the browser's process, at start (list on
  screen) and after all of the above.

"On screen" means the next screen refresh after the change has been drawn
(``painted``), not ``Pilot.pause()``, which waits for the whole process to be
idle; keys are sent as the terminal driver sends them, not with
``Pilot.press()``, which adds two idle waits of at least 20 ms each.

Prints a table and appends it to bench/README.md with the machine noted
(``BENCH_NO_README=1`` or ``--no-readme``: print only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import REPO, append_to_readme, machine, median, p95  # noqa: E402

from dossier.index.state_table import STATE_FILE  # noqa: E402

START_RUNS = 5
QUERIES = ["security detail", "milley iran", "retaliation", "actor:mark", "hegseth pentagon"]
SAVES = 10
#: Page downs through the sources list before ``end``: the rows a person scrolls through by hand.
SCROLL_ROWS = 2000


async def painted(app) -> None:  # noqa: ANN001
    """Wait until the screen has been drawn after what just changed.

    Not Pilot.pause(): it waits until the whole process is idle, up to a second
    while the index reconciles in a worker, which is not what a person sees.
    """
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The child processes get the same definitions.
PAINTED = "import asyncio\n" + inspect.getsource(painted) + inspect.getsource(peak_mb)

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

# The floor of a list from the index: open the state table and unpack every record once, nothing else.
STATE_ONLY = """
import time, json, sys
from pathlib import Path
from dossier.index import state_table
entries = state_table.read_state(Path(sys.argv[1]))["entries"]
for value in entries.materialised().values():
    state_table.msgpack.unpackb(value[3])
print(json.dumps({"ready": time.time(), "entries": len(entries)}))
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
        print(json.dumps({"ready": time.time(), "first_paint": first or time.time(), "peak_mb": peak_mb()}))
        app.exit()  # not waiting for the reconcile: the next start finds the index as this one did
asyncio.run(main())
"""


def launch(code: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    started = time.time()
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    out = json.loads(result.stdout.strip().splitlines()[-1])
    return {key: (value - started if key in ("ready", "first_paint") else value) for key, value in out.items()}


async def send_key(app, char_or_key: str) -> None:  # noqa: ANN001
    """A key as a terminal delivers it: not Pilot.press(), which then waits for the process to be
    idle for 20 ms windows, twice (a floor of 40 ms per key)."""
    from textual import events
    from textual.keys import _character_to_key

    if len(char_or_key) == 1:
        key = events.Key(char_or_key if char_or_key.isalnum() else _character_to_key(char_or_key), char_or_key)
    else:
        key = events.Key(char_or_key, None)
    key.set_sender(app)
    app._driver.send_message(key)


async def quiet(app) -> None:  # noqa: ANN001
    """Wait until no worker has run for half a second (one worker's results start the next)."""
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 0.5:
        if any(worker.is_running for worker in app.workers):
            await app.workers.wait_for_complete()
            idle_since = time.monotonic()
        await asyncio.sleep(0.05)


async def interactive(tree: Path, index_dir: Path, save: bool) -> dict[str, object]:
    from dossier.model import Kind
    from dossier.store import Store
    from dossier.tui.app import make_app
    from dossier.tui.screens.search import SearchScreen

    app = make_app(Store(tree), index_dir=index_dir, watch=save)
    search_times: list[float] = []
    floor_times: list[float] = []
    scroll_times: list[float] = []
    save_times: list[float] = []
    apply_times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        # Measured once the app has settled (index reconciled, watcher running): while a
        # large tree reconciles, that work competes with the UI for the interpreter.
        while not (app.index is not None and app.browser.rows_loaded[app.browser.kind]
                   and app.index.state == "up to date" and (app.watcher is not None or not save)):
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
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
                await send_key(app, char)
                while screen.searched != typed:
                    await asyncio.sleep(0.001)
                await painted(app)
                search_times.append(time.perf_counter() - before)
        await pilot.press("escape")
        # the floor: the same queries, asked of the index alone
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                before = time.perf_counter()
                with contextlib.suppress(Exception):  # a prefix that is no query is refused, as in the box
                    app.index.search(query[:end])
                floor_times.append(time.perf_counter() - before)
        # scroll: the sources list, page by page, then to its end
        app.browser.show_kind(Kind.SOURCE)
        entries = app.browser.entries
        while not (app.browser.rows_loaded[Kind.SOURCE] and len(entries.items) > 100):
            await asyncio.sleep(0.01)
        entries.focus()
        await painted(app)
        rows = len(entries.items)
        while entries.cursor < min(SCROLL_ROWS, rows // 2):
            before_cursor = entries.cursor
            before = time.perf_counter()
            await send_key(app, "pagedown")
            while entries.cursor == before_cursor:
                await asyncio.sleep(0.0005)
            await painted(app)
            scroll_times.append(time.perf_counter() - before)
        before = time.perf_counter()
        await send_key(app, "end")
        while entries.cursor != rows - 1:
            await asyncio.sleep(0.0005)
        await painted(app)
        end_time = time.perf_counter() - before
        if save:
            event = app.index.rows(Kind.EVENT, limit=1)[0]
            app.browser.open_entry(event.id)
            while app.browser.entry_view.data is None or app.browser.entry_view.data.id != event.id:
                await asyncio.sleep(0.01)
            await pilot.pause()
            path = tree / event.main_file
            original = path.read_bytes()
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
                        break
                    await asyncio.sleep(0.002)
                await painted(app)
                save_times.append(time.perf_counter() - before)
                await quiet(app)  # each save from a quiet app: the last one's index update and lists done
            # the floor: the index taking in that one file, alone (the watcher stopped first)
            app.watcher.stop()
            for i in range(3):
                path.write_text(path.read_text(encoding="utf-8").replace(f"number {SAVES - 1}", f"floor {i}"),
                                encoding="utf-8")
                before = time.perf_counter()
                app.index.apply([event.main_file])
                apply_times.append(time.perf_counter() - before)
            path.write_bytes(original)
            app.index.apply([event.main_file])
    return {"search": search_times, "search_floor": floor_times, "scroll": scroll_times, "end": end_time,
            "rows": rows, "save": save_times, "apply": apply_times, "peak_mb": peak_mb()}


def prepare(args: argparse.Namespace, work_dir: Path) -> tuple[Path, Path, int]:
    """The tree and a private copy of its index (generated and built here without --tree)."""
    from dossier.index import Index
    from dossier.store import Store

    index_dir = work_dir / "index"
    if args.tree is None:
        from generate import generate

        tree = work_dir / "tree"
        print(f"generating {args.n} entries…", file=sys.stderr)
        generate(args.n, tree)
        print("building the index…", file=sys.stderr)
        index = Index.open(Store(tree), index_dir)
        index.reconcile()
        index.close()
        return tree, index_dir, args.n
    tree = args.tree.resolve()
    print("copying the index…", file=sys.stderr)
    shutil.copytree(args.index, index_dir)
    if args.copy_tree:
        from dossier.index import gitstate

        print("copying the tree…", file=sys.stderr)
        copy = work_dir / "tree"
        subprocess.run(["cp", "-a", str(tree), str(copy)], check=True)
        if (copy / ".git").exists():
            # The copy's files have new inodes and ctimes: git re-reads them once, here, not in the browser.
            subprocess.run(["git", "-C", str(copy), "update-index", "-q", "--refresh"], check=False)
            baseline = index_dir / gitstate.BASELINE_FILE
            view = gitstate.read_baseline(baseline, tree)
            if view is not None:
                gitstate.write_baseline(baseline, copy, view)
        tree = copy
    index = Index.open(Store(tree), index_dir)
    print("reconciling the copied index…", file=sys.stderr)
    index.reconcile()
    n = sum(index.counts().values())
    index.close()
    return tree, index_dir, n


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=20000)
    parser.add_argument("--tree", type=Path, help="an existing tree (read only, unless --copy-tree)")
    parser.add_argument("--index", type=Path, help="its built index (copied, never written)")
    parser.add_argument("--copy-tree", action="store_true", help="copy the tree to measure saves in it")
    parser.add_argument("--writable", action="store_true",
                        help="the tree is yours: saves are measured in it (one event's file, put back after)")
    parser.add_argument("--label", default="", help="a word for the README's heading (before / after)")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--interactive", nargs=3, metavar=("TREE", "INDEX", "SAVE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.interactive:  # the child process that measures search, scroll and save
        tree, index_dir, save = args.interactive
        print(json.dumps(asyncio.run(interactive(Path(tree), Path(index_dir), save == "1"))))
        return
    if args.tree is not None and args.index is None:
        parser.error("--tree needs --index (a built index of that tree)")

    with tempfile.TemporaryDirectory(prefix="dossier-bench-tui-") as work:
        work_dir = Path(work)
        tree, index_dir, n = prepare(args, work_dir)
        save = args.tree is None or args.copy_tree or args.writable
        print("measuring start…", file=sys.stderr)
        bare, state_only, ours = [], [], []
        for _ in range(START_RUNS):  # interleaved: a burst of load hits each the same
            bare.append(launch(BARE_APP)["ready"])
            state_only.append(launch(STATE_ONLY, str(index_dir / STATE_FILE))["ready"])
            ours.append(launch(DOSSIER_APP, str(tree), str(index_dir)))
        print(f"start: bare {bare}, state table {state_only}, dossier {ours}", file=sys.stderr)
        print("measuring search, scrolling and save…", file=sys.stderr)
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        child = subprocess.run([sys.executable, __file__, "--interactive", str(tree), str(index_dir),
                                "1" if save else "0"], capture_output=True, text=True, env=env)
        if child.returncode != 0:
            raise RuntimeError(child.stderr)
        timings = json.loads(child.stdout.strip().splitlines()[-1])

    start = median([o["ready"] for o in ours])
    first = median([o["first_paint"] for o in ours])
    bare_start = median(bare)
    state_start = median(state_only)
    search, floor = timings["search"], timings["search_floor"]
    rows = [
        ("start to first screen (list filled)", f"{start:.2f} s", "≤ 1.5 s"),
        ("  first paint (list still empty)", f"{first:.2f} s", ""),
        ("  floor: bare Textual app", f"{bare_start:.2f} s", ""),
        ("  floor: open the state table, unpack every record", f"{state_start:.2f} s", ""),
        ("  above the bare app", f"{start - bare_start:+.2f} s", ""),
        ("  peak memory at start", f"{median([o['peak_mb'] for o in ours]):.0f} MB", ""),
        ("search keystroke to results, median", f"{median(search) * 1000:.0f} ms", "< 100 ms"),
        ("search keystroke to results, p95", f"{p95(search) * 1000:.0f} ms", ""),
        ("  floor: Index.search alone, median / p95",
         f"{median(floor) * 1000:.0f} / {p95(floor) * 1000:.0f} ms", ""),
        (f"scroll {timings['rows']:,} sources: page down, median / max",
         f"{median(timings['scroll']) * 1000:.0f} / {max(timings['scroll']) * 1000:.0f} ms", "no stall"),
        ("  end (to the last row)", f"{timings['end'] * 1000:.0f} ms", ""),
    ]
    if timings["save"]:
        rows += [
            ("save on disk to view updated, median", f"{median(timings['save']):.2f} s", "< 1 s"),
            ("save on disk to view updated, max", f"{max(timings['save']):.2f} s", ""),
            ("  floor: Index.apply of the file alone", f"{median(timings['apply']):.2f} s", ""),
        ]
    rows.append(("peak memory, after all of the above", f"{timings['peak_mb']:.0f} MB", "< 400 MB"))
    width = max(len(r[0]) for r in rows)
    command = " ".join(["bench/bench_tui.py", *argv])
    label = f", {args.label}" if args.label else ""
    lines = [
        f"## TUI: {n:,} entries{label} ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {machine()}; shared with other work (figures noisy: compare with the floors of the same run). "
        f"Command: `.venv/bin/python {command}`; {START_RUNS} starts each, {len(search)} search keystrokes, "
        f"{len(timings['scroll'])} page downs, {len(timings['save'])} saves; headless (Textual's test driver).",
        "",
        f"| {'measure'.ljust(width)} | result | target |",
        f"|{'-' * (width + 2)}|--------|--------|",
    ]
    lines += [f"| {name.ljust(width)} | {value} | {target} |" for name, value, target in rows]
    table = "\n".join(lines)
    print(table)
    if os.environ.get("BENCH_NO_README") != "1" and not args.no_readme:
        append_to_readme(table)


if __name__ == "__main__":
    main(sys.argv[1:])
