"""Mending a misspelt question word against the words the fact base knows.

Comparing an unknown word with every known word costs tens of milliseconds once an
archive knows a few hundred thousand words. A typo almost never changes a word's length
by more than one letter, and rarely its first *and* last letters together, so known words
are kept in buckets by (first letter, length) and (last letter, length): a look-up
compares the word with six small buckets instead of the whole vocabulary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_TYPO_LENGTH = 5
MIN_SIMILARITY = 0.8  # about one slip per five letters; a swap of two letters counts once


class TypoIndex:
    """Known words, counted (facts share words), bucketed for fast nearest-word look-ups."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._buckets: dict[tuple[str, str, int], set[str]] = {}

    def __contains__(self, word: object) -> bool:
        return word in self._counts

    def __len__(self) -> int:
        return len(self._counts)

    def add(self, words: Iterable[str]) -> None:
        for word in words:
            if self._counts[word] == 0:
                for key in _keys(word):
                    self._buckets.setdefault(key, set()).add(word)
            self._counts[word] += 1

    def discard(self, words: Iterable[str]) -> None:
        for word in words:
            if word not in self._counts:
                continue
            self._counts[word] -= 1
            if self._counts[word] <= 0:
                del self._counts[word]
                for key in _keys(word):
                    bucket = self._buckets.get(key)
                    if bucket is not None:
                        bucket.discard(word)
                        if not bucket:
                            del self._buckets[key]

    def closest(self, word: str) -> str | None:
        """The known word nearest to `word`, if it is close enough to be a typo of it.

        Words sharing the first letter are searched first; the last-letter buckets are
        only needed when the slip is in the first letter.
        """
        if len(word) < MIN_TYPO_LENGTH or word.isdigit():
            return None
        ends = (
            (("first", word[0]),)
            if len(word) == MIN_TYPO_LENGTH
            else (("first", word[0]), ("last", word[-1]))
        )
        for end, letter in ends:
            best: tuple[str, float] | None = None
            for length in (len(word) - 1, len(word), len(word) + 1):
                bucket = self._buckets.get((end, letter, length))
                if not bucket:
                    continue
                found = process.extractOne(
                    word,
                    bucket,
                    scorer=OSA.normalized_similarity,
                    score_cutoff=MIN_SIMILARITY,
                )
                if found and (best is None or (found[1], best[0]) > (best[1], found[0])):
                    best = (found[0], found[1])
            if best:
                return best[0]
        return None


def _keys(word: str) -> tuple[tuple[str, str, int], tuple[str, str, int]]:
    return ("first", word[0], len(word)), ("last", word[-1], len(word))
