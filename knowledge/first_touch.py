"""The first run of the bot on a blind question set, kept for good.

A blind set is only blind once: after the bot has been run on it, anyone who looks at the
misses learns from them. The figures of that first run are therefore written down here,
by `python bot.py eval --first-touch`, and never overwritten; reports show them beside the
current figures so that progress measured on a set we have since seen is never mistaken
for generalisation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .evaluation import Scorecard
from .question_sets import EVAL_DIR

RECORDS_PATH = EVAL_DIR / "first_touch.json"


class AlreadyTouched(Exception):
    """The set has a first touch already; a second run is not a first touch."""


@dataclass(frozen=True, slots=True)
class FirstTouch:
    set_name: str
    recorded: str
    commit: str
    card: Scorecard


def load(path: Path = RECORDS_PATH) -> dict[str, FirstTouch]:
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: FirstTouch(name, entry["recorded"], entry["commit"], Scorecard.from_dict("first touch", entry))
        for name, entry in raw.items()
    }


def record(set_name: str, card: Scorecard, commit: str, path: Path = RECORDS_PATH) -> FirstTouch:
    """Write the first touch of `set_name`; refuses if one exists."""
    raw = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if set_name in raw:
        raise AlreadyTouched(set_name)
    recorded = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    raw[set_name] = {"recorded": recorded, "commit": commit, **card.to_dict()}
    path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return FirstTouch(set_name, recorded, commit, card)
