"""Answer quality on a labelled question set, side by side with two baselines.

A question counts as right when the top fact is one of its expected ids (in scope) or
when the system abstains (out of scope and near-topic traps). The baselines, rapidfuzz
WRatio and BM25 over the fact statements, get the threshold that suits them best on
the same set, so the comparison flatters them rather than us.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from .models import Fact, Language
from .text import content_tokens, fold, stem

EVAL_PATH = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval_questions.json"
OUT_OF_SCOPE = frozenset({"out_of_scope", "near_topic"})
CATEGORY_ORDER = ("english", "french", "typo", "paraphrase", "keyword", "out_of_scope", "near_topic")


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    question: str
    language: Language
    category: str
    expected: frozenset[str]

    @property
    def in_scope(self) -> bool:
        return bool(self.expected)


@dataclass(frozen=True, slots=True)
class Prediction:
    """The top fact id and its score, or None when the system found nothing at all."""

    fact_id: str | None
    score: float


def load_questions(path: Path = EVAL_PATH) -> list[LabelledQuestion]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [
        LabelledQuestion(r["question"], r["language"], r["category"], frozenset(r["expected"])) for r in rows
    ]


def is_correct(question: LabelledQuestion, answered_id: str | None) -> bool:
    if question.in_scope:
        return answered_id in question.expected
    return answered_id is None


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Per-category share of correct outcomes, plus the two headline figures."""

    name: str
    threshold: float | None
    per_category: dict[str, tuple[int, int]]

    def rate(self, categories: Iterable[str]) -> float:
        categories = list(categories)
        right = sum(self.per_category.get(c, (0, 0))[0] for c in categories)
        total = sum(self.per_category.get(c, (0, 0))[1] for c in categories)
        return right / total if total else 0.0

    @property
    def in_scope_accuracy(self) -> float:
        return self.rate(c for c in self.per_category if c not in OUT_OF_SCOPE)

    @property
    def abstention(self) -> float:
        return self.rate(c for c in self.per_category if c in OUT_OF_SCOPE)


def scorecard(
    name: str, questions: list[LabelledQuestion], answered: list[str | None], threshold=None
) -> Scorecard:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for question, fact_id in zip(questions, answered, strict=True):
        counts[question.category][0] += is_correct(question, fact_id)
        counts[question.category][1] += 1
    return Scorecard(name, threshold, {c: (v[0], v[1]) for c, v in counts.items()})


def best_threshold(name: str, questions: list[LabelledQuestion], predictions: list[Prediction]) -> Scorecard:
    """The threshold that maximises the mean of in-scope accuracy and abstention."""
    candidates = sorted({p.score for p in predictions} | {0.0})
    best: Scorecard | None = None
    for threshold in candidates:
        answered = [p.fact_id if p.fact_id and p.score >= threshold else None for p in predictions]
        card = scorecard(name, questions, answered, threshold)
        if best is None or (card.in_scope_accuracy + card.abstention) > (
            best.in_scope_accuracy + best.abstention
        ):
            best = card
    assert best is not None
    return best


class WRatioBaseline:
    """rapidfuzz WRatio of the question against each fact's statements (both languages)."""

    name = "rapidfuzz WRatio (statements)"

    def __init__(self, facts: list[Fact]) -> None:
        self._texts = [(f.id, fold(f.statement.en), fold(f.statement.fr)) for f in facts]

    def predict(self, question: str) -> Prediction:
        folded = fold(question)
        best = max(
            (
                (max(fuzz.WRatio(folded, en), fuzz.WRatio(folded, fr)), fact_id)
                for fact_id, en, fr in self._texts
            ),
            default=(0.0, None),
        )
        return Prediction(best[1], best[0] / 100)


class BM25Baseline:
    """Okapi BM25 (k1=1.5, b=0.75) over each fact's statements, on the same stems we use."""

    name = "BM25 (statements)"

    def __init__(self, facts: list[Fact], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._docs = [
            (f.id, Counter(stem(t) for t in content_tokens(f"{f.statement.en} {f.statement.fr}")))
            for f in facts
        ]
        self._average = sum(sum(d.values()) for _, d in self._docs) / max(len(self._docs), 1)
        frequency: Counter[str] = Counter()
        for _, doc in self._docs:
            frequency.update(doc.keys())
        total = len(self._docs)
        self._idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}

    def predict(self, question: str) -> Prediction:
        terms = [stem(t) for t in content_tokens(question)]
        best = (0.0, None)
        for fact_id, doc in self._docs:
            length = sum(doc.values())
            score = 0.0
            for term in terms:
                tf = doc.get(term, 0)
                if tf:
                    norm = tf + self.k1 * (1 - self.b + self.b * length / self._average)
                    score += self._idf[term] * tf * (self.k1 + 1) / norm
            if score > best[0]:
                best = (score, fact_id)
        return Prediction(best[1], best[0])


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    questions: int
    cards: list[Scorecard]
    misses: list[tuple[LabelledQuestion, str | None]]

    def table(self) -> str:
        header = ["category", "n", *[c.name for c in self.cards]]
        categories = [c for c in CATEGORY_ORDER if c in self.cards[0].per_category]
        rows = []
        for category in categories:
            n = self.cards[0].per_category[category][1]
            rows.append([category, str(n), *[f"{card.rate([category]):.1%}" for card in self.cards]])
        rows.append(["in-scope accuracy", "", *[f"{c.in_scope_accuracy:.1%}" for c in self.cards]])
        rows.append(["out-of-scope abstention", "", *[f"{c.abstention:.1%}" for c in self.cards]])
        rows.append(
            ["threshold", "", *[f"{c.threshold:.2f}" if c.threshold is not None else "" for c in self.cards]]
        )
        return markdown_table(header, rows)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def evaluate(
    answer_fact: Callable[[str, Language], str | None],
    threshold: float,
    facts: list[Fact],
    questions: list[LabelledQuestion] | None = None,
) -> EvaluationReport:
    """Score our matcher (through `answer_fact`) and both baselines on one question set."""
    questions = questions if questions is not None else load_questions()
    ours = [answer_fact(q.question, q.language) for q in questions]
    cards = [scorecard("this bot", questions, ours, threshold)]
    for baseline in (WRatioBaseline(facts), BM25Baseline(facts)):
        predictions = [baseline.predict(q.question) for q in questions]
        cards.append(best_threshold(baseline.name, questions, predictions))
    misses = [(q, got) for q, got in zip(questions, ours, strict=True) if not is_correct(q, got)]
    return EvaluationReport(len(questions), cards, misses)
