"""Evaluation question sets: reading them strictly, and where they live.

Two kinds of set share one file format (a JSON array of questions):

- *labelled* sets name the facts that answer each question (`expected`: fact ids). They
  were written by people who knew the fact base, and the matcher was tuned on them.
- *blind* sets were written by someone who had read only the source article, never the
  fact base or the matcher. They cannot name facts, so each question lists the words any
  correct answer must contain (`expected_keywords`: groups of alternatives, one of each
  group must appear). A blind set is committed before the bot ever runs on it, and that
  first run ("first touch", see `knowledge.first_touch`) is the honest figure.

An empty expectation means the question is out of scope: the right outcome is to abstain.
A question file is outside input (`bot.py eval --questions PATH`), so it is checked as
strictly as an import: wrong types, unknown or repeated keys and absurd nesting get one
message naming the file, the question and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .models import Language
from .text import fold

EVAL_DIR = Path(__file__).resolve().parent / "data" / "eval"
LABELLED_PATH = EVAL_DIR / "labelled.json"
MAX_FILE_BYTES = 2_000_000
MAX_QUESTION_LENGTH = 500
_KEYS = frozenset({"question", "language", "category", "expected", "expected_keywords"})

#: Categories whose right outcome is an abstention. `near_topic` traps use the story's own
#: names; `off_topic` and `out_of_scope` (the labelled sets' older name) do not.
NEAR_TOPIC = "near_topic"
OFF_TOPIC = frozenset({"off_topic", "out_of_scope"})
OUT_OF_SCOPE = OFF_TOPIC | {NEAR_TOPIC}


class QuestionSetError(ValueError):
    """A question file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    question: str
    language: Language
    category: str
    expected_ids: frozenset[str] = frozenset()
    expected_keywords: tuple[tuple[str, ...], ...] = ()

    @property
    def in_scope(self) -> bool:
        return bool(self.expected_ids or self.expected_keywords)

    @property
    def graded_by_keywords(self) -> bool:
        return bool(self.expected_keywords)

    def keywords_found_in(self, text: str) -> bool:
        """True when every keyword group has an alternative in `text` (case and accents ignored)."""
        folded = fold(text)
        return all(any(fold(word) in folded for word in group) for group in self.expected_keywords)


@dataclass(frozen=True, slots=True)
class QuestionSet:
    name: str
    path: Path
    questions: tuple[EvalQuestion, ...]

    @property
    def blind(self) -> bool:
        return any(q.graded_by_keywords for q in self.questions)


def available_sets(directory: Path = EVAL_DIR) -> list[Path]:
    """Every question set shipped with the bot: labelled first, then the rest by name."""
    paths = sorted(p for p in directory.glob("*.json") if p.name != "first_touch.json")
    return sorted(paths, key=lambda p: (p != LABELLED_PATH, p.name))


def load_set(path: Path) -> QuestionSet:
    return QuestionSet(path.stem, path, tuple(load_questions(path)))


def load_questions(path: Path = LABELLED_PATH) -> list[EvalQuestion]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise QuestionSetError(f"Cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise QuestionSetError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes")
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_refuse_repeated_keys)
    except UnicodeDecodeError as error:
        raise QuestionSetError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise QuestionSetError(f"{path}: nested too deeply") from None
    except json.JSONDecodeError as error:
        raise QuestionSetError(f"{path}: not JSON ({error.msg}, line {error.lineno})") from None
    except _RepeatedKey as error:
        raise QuestionSetError(f"{path}: the key {error.args[0]!r} appears twice in one object") from None
    if not isinstance(document, list) or not document:
        raise QuestionSetError(f"{path}: expected a non-empty JSON array of questions")
    return [_question(row, f"{path}, question {number}") for number, row in enumerate(document, 1)]


class _RepeatedKey(Exception):
    pass


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _RepeatedKey(key)
        document[key] = value
    return document


def _question(row: object, where: str) -> EvalQuestion:
    if not isinstance(row, dict):
        raise QuestionSetError(f"{where}: expected an object")
    unknown = set(row) - _KEYS
    if unknown:
        raise QuestionSetError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    text = _string(row, "question", where)
    if len(text) > MAX_QUESTION_LENGTH:
        raise QuestionSetError(f"{where}, field 'question': longer than {MAX_QUESTION_LENGTH} characters")
    language = _string(row, "language", where)
    if language not in ("en", "fr"):
        raise QuestionSetError(f"{where}, field 'language': expected 'en' or 'fr'")
    category = _string(row, "category", where)
    expected = _strings(row.get("expected", []), f"{where}, field 'expected'")
    groups_value = row.get("expected_keywords", [])
    if not isinstance(groups_value, list):
        raise QuestionSetError(f"{where}, field 'expected_keywords': expected a list of lists of words")
    groups = tuple(
        tuple(_strings(group, f"{where}, field 'expected_keywords'", non_empty=True))
        for group in groups_value
    )
    return EvalQuestion(text, cast(Language, language), category, frozenset(expected), groups)


def _string(row: dict[str, object], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise QuestionSetError(f"{where}, field {key!r}: expected a non-empty string")
    return value


def _strings(value: object, where: str, non_empty: bool = False) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionSetError(f"{where}: expected a list of non-empty strings")
    if len(set(value)) != len(value):
        raise QuestionSetError(f"{where}: the list has duplicates")
    if non_empty and not value:
        raise QuestionSetError(f"{where}: a keyword group needs at least one word")
    return cast(list[str], value)
