"""Write a realistic dossier tree of N entries, for benchmarks.

Proportions follow what importing the real corpus (../shared/corpus) gives:
about 30% actors, 18% events, 52% sources. Event bodies are real timeline
texts from the corpus (cycled, so their lengths and vocabulary are real);
actors get a summary and, one in three, a page of notes; one source in four
carries a captured article of a few kilobytes, the others only metadata (as
imported sources do). Events name 2-6 actors and 1-4 sources; actors link to
other actors. Without the corpus, bodies are made of a fixed vocabulary.

    python bench/generate.py N TARGET_DIR
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from pathlib import Path

import tomli_w

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "timeline-events"

FIRST = ["mark", "pete", "john", "susan", "anthony", "maria", "li", "omar", "elena", "james", "fatima", "igor"]
LAST = ["milley", "hegseth", "bolton", "glasser", "fauci", "reed", "esper", "kasper", "ullyot", "zakaria"]
TAGS = [
    "retaliation",
    "security-detail",
    "iran",
    "china",
    "us-military",
    "pentagon",
    "sanctions",
    "elections",
    "intelligence",
    "media",
    "courts",
    "congress",
    "lobbying",
    "surveillance",
]
OUTLETS = ["CNN", "NPR", "CBS News", "NBC News", "The Hill", "Fox News", "Reuters", "AP", "Politico"]
STATUSES = ["reported", "confirmed", "disputed", "debunked"]


def corpus_bodies() -> list[str]:
    bodies = []
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            parts = text.split("---", 2)
            body = parts[2].strip() if len(parts) == 3 else text
            if len(body) > 200:
                bodies.append(body)
    if not bodies:
        rng = random.Random(7)
        words = [
            "security",
            "detail",
            "clearance",
            "revoked",
            "general",
            "pentagon",
            "inspector",
            "retaliation",
            "threat",
            "iran",
            "strike",
            "official",
            "statement",
            "report",
            "hearing",
            "senate",
            "defense",
            "secretary",
            "army",
        ]
        bodies = [" ".join(rng.choice(words) for _ in range(rng.randint(150, 400))) for _ in range(200)]
    return bodies


def generate(n: int, target: Path, seed: int = 1) -> dict[str, list[str]]:
    """Write the tree; returns the ids by kind."""
    rng = random.Random(seed)
    bodies = corpus_bodies()
    words = re.findall(r"[A-Za-z]{4,}", " ".join(bodies[:300]))
    n_actors = max(1, n * 30 // 100)
    n_events = max(1, n * 18 // 100)
    n_sources = max(1, n - n_actors - n_events)
    ids: dict[str, list[str]] = {"actor": [], "event": [], "source": []}
    start = dt.date(1990, 1, 1)

    def sentence(k: int) -> str:
        return " ".join(rng.choice(words) for _ in range(k)).capitalize() + "."

    for i in range(n_actors):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        entry_id = f"{first}-{last}-{i}"
        ids["actor"].append(entry_id)
    for i in range(n_sources):
        day = start + dt.timedelta(days=rng.randrange(12000))
        ids["source"].append(f"{day}-{rng.choice(OUTLETS).lower().replace(' ', '-')}-report-{i}")
    for i in range(n_events):
        day = start + dt.timedelta(days=rng.randrange(12000))
        ids["event"].append(f"{day}-event-{i}")

    for i, entry_id in enumerate(ids["actor"]):
        first, last = entry_id.split("-")[:2]
        data = {
            "name": f"{first.title()} {last.title()} {i}",
            "type": rng.choice(["person"] * 6 + ["organization", "group", "state"]),
            "aliases": [f"{last.title()} {i}", f"{first[0].upper()}. {last.title()} {i}"],
            "summary": sentence(rng.randint(15, 40)),
            "tags": rng.sample(TAGS, rng.randint(1, 3)),
            "links": [
                {"to": rng.choice(ids["actor"]), "rel": rng.choice(["ally of", "rival of", "adviser to"])}
                for _ in range(rng.randint(0, 2))
            ],
        }
        if not data["links"]:
            del data["links"]
        folder = target / "actors" / entry_id
        folder.mkdir(parents=True)
        (folder / "profile.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
        if i % 3 == 0:
            (folder / "notes.md").write_text(
                "# Notes\n\n" + " ".join(sentence(12) for _ in range(rng.randint(3, 10))), encoding="utf-8"
            )
    for i, entry_id in enumerate(ids["source"]):
        data = {
            "title": sentence(rng.randint(6, 14)).rstrip("."),
            "url": f"https://example.org/{entry_id}",
            "outlet": rng.choice(OUTLETS),
            "author": f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}",
            "published": dt.date.fromisoformat(entry_id[:10]),
            "type": "news",
            "reliability": rng.choice("ABC"),
            "credibility": rng.randint(1, 4),
        }
        folder = target / "sources" / entry_id
        folder.mkdir(parents=True)
        (folder / "source.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
        if i % 4 == 0:
            article = "\n\n".join(rng.choice(bodies) for _ in range(rng.randint(1, 3)))
            (folder / "text.md").write_text(article, encoding="utf-8")
    for i, entry_id in enumerate(ids["event"]):
        body = bodies[i % len(bodies)]
        data = {
            "title": sentence(rng.randint(6, 12)).rstrip("."),
            "date": dt.date.fromisoformat(entry_id[:10]),
            "importance": rng.randint(1, 10),
            "status": rng.choice(STATUSES),
            "actors": rng.sample(ids["actor"], min(len(ids["actor"]), rng.randint(2, 6))),
            "tags": rng.sample(TAGS, rng.randint(1, 4)),
            "sources": rng.sample(ids["source"], min(len(ids["source"]), rng.randint(1, 4))),
        }
        folder = target / "events" / entry_id
        folder.mkdir(parents=True)
        (folder / "event.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
        (folder / "summary.md").write_text(body + f"\n\n(entry {i})\n", encoding="utf-8")
    return ids


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/generate.py N TARGET_DIR")
    out = Path(sys.argv[2])
    if out.exists() and any(out.iterdir()):
        sys.exit(f"{out} is not empty")
    counts = generate(int(sys.argv[1]), out)
    print({k: len(v) for k, v in counts.items()})
