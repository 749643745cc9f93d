"""The answer path: the question log written off it, yet complete when input ends cleanly."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from knowledge.answers import fact_sentence
from knowledge.models import Bilingual
from knowledge.schema import SEED_PATH, load_fact_base

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ["what did WikiLeaks propose?", "qu'a proposé WikiLeaks ?", "who founded Twitter?", "tl;dr"]


def test_every_question_of_a_batch_is_logged_by_the_clean_end_of_input(tmp_path: Path) -> None:
    database = tmp_path / "k.db"
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env |= {"DATABASE_PATH": str(database), "DISCORD_TOKEN": ""}
    lines = [QUESTIONS[i % len(QUESTIONS)] + f" #{i}" for i in range(300)] + [""]
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "ask", "--json"],
        input="\n".join(lines).encode() + b"\n",
        capture_output=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(lines)  # one line out per line in, the empty one included
    with sqlite3.connect(database) as db:
        logged = [row[0] for row in db.execute("SELECT text FROM questions_asked ORDER BY id")]
    assert logged == [line for line in lines if line]  # all of them, in order; the empty line is no question


def test_a_facts_sentence_is_composed_once_per_state_of_the_fact() -> None:
    fact = load_fact_base(SEED_PATH).facts[0]
    first = fact_sentence(fact, "en")
    assert fact_sentence(fact, "en") is first  # the same state: the same text, not recomposed
    edited = replace(fact, statement=Bilingual("A moderator's new statement.", fact.statement.fr))
    assert fact_sentence(edited, "en").startswith("A moderator's new statement")
    assert fact_sentence(fact, "fr") != first
