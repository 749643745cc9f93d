"""Answer quality on a question set, judged on what a user reads, beside two baselines.

A question in scope is answered right when the bot answers, in the question's language,
and the answer says what was asked: the top fact is an expected one (labelled sets), or
every expected keyword group appears in the answer's paragraphs (blind sets; the Sources
line does not count, so a date found only there is no answer to "when?"). A question out
of scope is right when the bot abstains. Near-topic traps and off-topic questions are
reported apart: traps are where a word matcher goes wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .answers import Answer, fact_sentence
from .baselines import BM25Baseline, Prediction, WRatioBaseline
from .models import Fact, Language
from .question_sets import NEAR_TOPIC, OFF_TOPIC, OUT_OF_SCOPE, EvalQuestion

CATEGORY_ORDER = (
    "english", "french", "keyword", "casual", "typo", "paraphrase", "who", "when", "why",
    "yes_no", "two_part", "vague", "out_of_scope", "off_topic", "near_topic",
)  # fmt: skip
THIS_BOT = "this bot"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a system did with one question, reduced to what grading needs."""

    answered: bool
    language: Language | None = None
    fact_ids: tuple[str, ...] = ()
    body: str = ""

    @classmethod
    def of(cls, answer: Answer) -> Outcome:
        if not answer.answered:
            return cls(False, answer.language)
        return cls(
            True, answer.language, tuple(m.fact.id for m in answer.facts), "\n".join(answer.paragraphs)
        )

    def describe(self) -> str:
        if not self.answered:
            return "abstained"
        return f"{'+'.join(self.fact_ids)} ({self.language})"


def is_correct(question: EvalQuestion, outcome: Outcome) -> bool:
    if not question.in_scope:
        return not outcome.answered
    if not outcome.answered or outcome.language != question.language:
        return False
    if question.graded_by_keywords:
        return question.keywords_found_in(outcome.body)
    return bool(outcome.fact_ids) and outcome.fact_ids[0] in question.expected_ids


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Per-category (right, total), the headline rates, and answers in the wrong language."""

    name: str
    threshold: float | None
    per_category: dict[str, tuple[int, int]]
    wrong_language: int = 0

    def rate(self, categories: Iterable[str]) -> float | None:
        chosen = list(categories)
        right = sum(self.per_category.get(c, (0, 0))[0] for c in chosen)
        total = sum(self.per_category.get(c, (0, 0))[1] for c in chosen)
        return right / total if total else None

    @property
    def in_scope_accuracy(self) -> float | None:
        return self.rate(c for c in self.per_category if c not in OUT_OF_SCOPE)

    @property
    def near_topic_abstention(self) -> float | None:
        return self.rate([NEAR_TOPIC])

    @property
    def off_topic_abstention(self) -> float | None:
        return self.rate(OFF_TOPIC)

    @property
    def abstention(self) -> float | None:
        return self.rate(OUT_OF_SCOPE)

    def headline(self) -> dict[str, float | None]:
        return {
            "in_scope": self.in_scope_accuracy,
            "near_topic": self.near_topic_abstention,
            "off_topic": self.off_topic_abstention,
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "per_category": {c: list(v) for c, v in self.per_category.items()},
            "wrong_language": self.wrong_language,
        }

    @classmethod
    def from_dict(cls, name: str, data: dict[str, object]) -> Scorecard:
        raw = data["per_category"]
        assert isinstance(raw, dict)
        wrong = data.get("wrong_language", 0)
        return cls(
            name,
            None,
            {str(c): (int(v[0]), int(v[1])) for c, v in raw.items()},
            int(wrong) if isinstance(wrong, int) else 0,
        )


def scorecard(
    name: str, questions: Sequence[EvalQuestion], outcomes: Sequence[Outcome], threshold: float | None = None
) -> Scorecard:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong_language = 0
    for question, outcome in zip(questions, outcomes, strict=True):
        counts[question.category][0] += is_correct(question, outcome)
        counts[question.category][1] += 1
        wrong_language += outcome.answered and outcome.language != question.language
    return Scorecard(name, threshold, {c: (v[0], v[1]) for c, v in counts.items()}, wrong_language)


def _sum_of_rates(card: Scorecard) -> float:
    return (card.in_scope_accuracy or 0.0) + (card.abstention or 0.0)


def baseline_card(
    name: str,
    questions: Sequence[EvalQuestion],
    predictions: Sequence[Prediction],
    facts: dict[str, Fact],
) -> Scorecard:
    """A baseline at the threshold that maximises its in-scope accuracy plus abstention.

    A baseline has no language detection of its own; it is handed the question's language
    for free, which again flatters it.
    """
    best: Scorecard | None = None
    for threshold in sorted({p.score for p in predictions} | {0.0}):
        outcomes = [
            Outcome(True, q.language, (p.fact_id,), fact_sentence(facts[p.fact_id], q.language))
            if p.fact_id and p.score >= threshold
            else Outcome(False)
            for q, p in zip(questions, predictions, strict=True)
        ]
        card = scorecard(name, questions, outcomes, threshold)
        if best is None or _sum_of_rates(card) > _sum_of_rates(best):
            best = card
    assert best is not None
    return best


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    name: str
    questions: tuple[EvalQuestion, ...]
    cards: list[Scorecard]
    misses: list[tuple[EvalQuestion, Outcome]]
    first_touch: Scorecard | None = None

    @property
    def ours(self) -> Scorecard:
        return self.cards[0]

    def table(self) -> str:
        columns = ([self.first_touch] if self.first_touch else []) + self.cards
        names = [("first touch" if c is self.first_touch else c.name) for c in columns]
        present = {c for c in self.ours.per_category}
        categories = [c for c in CATEGORY_ORDER if c in present] + sorted(present - set(CATEGORY_ORDER))
        rows = []
        for category in categories:
            n = self.ours.per_category[category][1]
            rows.append([category, str(n), *[_percent(card.rate([category])) for card in columns]])
        rows.append(["**in scope, answered right**", "", *[_percent(c.in_scope_accuracy) for c in columns]])
        rows.append(
            ["**near-topic traps abstained**", "", *[_percent(c.near_topic_abstention) for c in columns]]
        )
        rows.append(["**off-topic abstained**", "", *[_percent(c.off_topic_abstention) for c in columns]])
        rows.append(["answers in the wrong language", "", *[str(c.wrong_language) for c in columns]])
        rows.append(
            ["threshold", "", *[f"{c.threshold:.2f}" if c.threshold is not None else "" for c in columns]]
        )
        return markdown_table(["category", "n", *names], rows)


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.1%}"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def evaluate(
    name: str,
    answer: Callable[[str], Answer],
    threshold: float,
    facts: Sequence[Fact],
    questions: Sequence[EvalQuestion],
    first_touch: Scorecard | None = None,
    baselines: bool = True,
) -> EvaluationReport:
    """Score the bot (through `answer`) and, unless told not to, both baselines on one set."""
    outcomes = [Outcome.of(answer(q.question)) for q in questions]
    cards = [scorecard(THIS_BOT, questions, outcomes, threshold)]
    if baselines:
        by_id = {f.id: f for f in facts}
        for baseline in (WRatioBaseline(list(facts)), BM25Baseline(list(facts))):
            predictions = [baseline.predict(q.question) for q in questions]
            cards.append(baseline_card(baseline.name, questions, predictions, by_id))
    misses = [(q, o) for q, o in zip(questions, outcomes, strict=True) if not is_correct(q, o)]
    return EvaluationReport(name, tuple(questions), cards, misses, first_touch)
