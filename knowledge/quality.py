"""Evaluating every question set at once: what `bot.py eval` and `bench.quality` share."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from . import first_touch
from .answering import Answerer, AnswerPolicy
from .evaluation import EvaluationReport, evaluate
from .question_sets import QuestionSet, available_sets, load_set
from .schema import SEED_PATH, load_fact_base


def seed_answerer(threshold: float) -> Answerer:
    return Answerer(load_fact_base(SEED_PATH), AnswerPolicy(threshold=threshold))


def evaluate_sets(
    answerer: Answerer,
    paths: Sequence[Path] | None = None,
    baselines: bool = True,
    limit: int | None = None,
) -> list[EvaluationReport]:
    """Each set (every shipped one by default), with its first touch when one was recorded."""
    touched = first_touch.load()
    reports = []
    for path in paths if paths is not None else available_sets():
        question_set = load_set(path)
        recorded = touched.get(question_set.name)
        reports.append(
            evaluate(
                question_set.name,
                answerer.answer,
                answerer.policy.threshold,
                answerer.facts(),
                question_set.questions[:limit],
                first_touch=recorded.card if recorded else None,
                baselines=baselines,
            )
        )
    return reports


def record_first_touches(answerer: Answerer) -> list[str]:
    """Run every blind set that has never been run, and write its figures down for good."""
    touched = first_touch.load()
    recorded = []
    for path in available_sets():
        question_set: QuestionSet = load_set(path)
        if not question_set.blind or question_set.name in touched:
            continue
        report = evaluate_sets(answerer, [path], baselines=False)[0]
        first_touch.record(question_set.name, report.ours, current_commit())
        recorded.append(question_set.name)
    return recorded


def current_commit() -> str:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return found.stdout.strip()
