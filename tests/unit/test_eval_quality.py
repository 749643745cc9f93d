"""The quality bar: in-scope accuracy ≥ 95% and out-of-scope abstention ≥ 90% on the labelled set."""

from collections import Counter

import pytest

from config.settings import Settings
from knowledge.evaluation import OUT_OF_SCOPE, evaluate, load_questions
from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.service import Answerer, AnswerPolicy

QUESTIONS = load_questions()
FACT_BASE = load_fact_base(SEED_PATH)


def test_the_labelled_set_is_big_and_varied_enough() -> None:
    categories = Counter(q.category for q in QUESTIONS)
    assert len(QUESTIONS) >= 150
    assert sum(categories[c] for c in OUT_OF_SCOPE) >= 40
    assert {"english", "french", "typo", "paraphrase", "keyword", "near_topic"} <= set(categories)
    assert {q.language for q in QUESTIONS} == {"en", "fr"}
    known = {f.id for f in FACT_BASE.facts}
    assert all(q.expected <= known for q in QUESTIONS)


@pytest.fixture(scope="module")
def report():
    threshold = Settings().answer_threshold
    answerer = Answerer(FACT_BASE, AnswerPolicy(threshold=threshold))

    def top_fact(question: str, language: str) -> str | None:
        answer = answerer.answer(question)
        return answer.facts[0].fact.id if answer.answered else None

    return evaluate(top_fact, threshold, list(FACT_BASE.facts), QUESTIONS)


def test_in_scope_accuracy_is_at_least_95_percent(report) -> None:
    ours = report.cards[0]
    misses = [q.question for q, _ in report.misses if q.in_scope]
    assert ours.in_scope_accuracy >= 0.95, misses


def test_out_of_scope_abstention_is_at_least_90_percent(report) -> None:
    ours = report.cards[0]
    misses = [q.question for q, _ in report.misses if not q.in_scope]
    assert ours.abstention >= 0.90, misses


def test_we_beat_both_baselines_at_their_best_threshold(report) -> None:
    ours, *baselines = report.cards
    for baseline in baselines:
        assert ours.in_scope_accuracy > baseline.in_scope_accuracy
        assert ours.abstention >= baseline.abstention
