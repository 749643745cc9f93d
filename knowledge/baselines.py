"""Two reference systems the bot must beat: rapidfuzz WRatio and Okapi BM25.

Both see what the bot sees: each fact's statements in both languages *and* its curated
question variants, so the comparison measures the matcher, not the data. Each returns
its best fact and a raw score; the evaluation then picks the threshold that suits each
baseline best on the very set it is scored on, which flatters them, not us.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .models import Fact
from .text import content_tokens, fold, stem


@dataclass(frozen=True, slots=True)
class Prediction:
    """The top fact id and its score, or None when the system found nothing at all."""

    fact_id: str | None
    score: float


def _texts(fact: Fact) -> list[str]:
    return [fact.statement.en, fact.statement.fr, *(text for _, text in fact.questions.all())]


class WRatioBaseline:
    """rapidfuzz WRatio of the question against every statement and question variant."""

    name = "WRatio"

    def __init__(self, facts: list[Fact]) -> None:
        self._owners: list[str] = []
        self._choices: list[str] = []
        for fact in facts:
            for text in _texts(fact):
                self._owners.append(fact.id)
                self._choices.append(fold(text))

    def predict(self, question: str) -> Prediction:
        found = process.extractOne(fold(question), self._choices, scorer=fuzz.WRatio)
        if found is None:
            return Prediction(None, 0.0)
        return Prediction(self._owners[found[2]], found[1] / 100)


class BM25Baseline:
    """Okapi BM25 (k1=1.5, b=0.75), one document per fact, on the same stems the bot uses."""

    name = "BM25"

    def __init__(self, facts: list[Fact], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._docs = [
            (f.id, Counter(stem(t) for text in _texts(f) for t in content_tokens(text))) for f in facts
        ]
        self._average = sum(sum(d.values()) for _, d in self._docs) / max(len(self._docs), 1)
        frequency: Counter[str] = Counter()
        for _, doc in self._docs:
            frequency.update(doc.keys())
        total = len(self._docs)
        self._idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}

    def predict(self, question: str) -> Prediction:
        terms = [stem(t) for t in content_tokens(question)]
        best: tuple[float, str | None] = (0.0, None)
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
