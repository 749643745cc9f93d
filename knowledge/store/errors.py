"""Errors the store raises: `StoreError` and its subclasses, each with a message meant for a person."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Fact, Language
from ..phrases import phrases


class StoreError(Exception):
    """Something the store refused or could not do; the message is meant for a person.

    `french`, when given, is the same sentence in French, so a front end can show the error
    in its reader's language (`message`); without it, the English one is shown to everyone.
    """

    def __init__(self, message: str, french: str | None = None) -> None:
        super().__init__(message)
        self.french = french

    def message(self, language: Language) -> str:
        return self.french if language == "fr" and self.french else str(self)


def _both(key: str, **values: object) -> tuple[str, str]:
    """The catalogue's sentence `store.<key>` in English and in French."""
    return phrases(f"store.{key}", "en", **values), phrases(f"store.{key}", "fr", **values)


class UnknownFact(StoreError):
    def __init__(self, fact_id: str) -> None:
        self.fact_id = fact_id
        super().__init__(*_both("unknown_fact", fact_id=fact_id))


class UnknownSource(StoreError):
    def __init__(self, source_ids: Sequence[str]) -> None:
        self.source_ids = tuple(source_ids)
        names = ", ".join(f"'{s}'" for s in self.source_ids)
        super().__init__(
            *_both("unknown_sources" if len(self.source_ids) > 1 else "unknown_source", names=names)
        )


class DuplicateFact(StoreError):
    def __init__(self, fact_id: str) -> None:
        self.fact_id = fact_id
        super().__init__(*_both("duplicate_fact", fact_id=fact_id))


class UnknownQuestion(StoreError):
    def __init__(self, question_id: int) -> None:
        self.question_id = question_id
        super().__init__(*_both("unknown_question", question_id=question_id))


class InvalidContent(StoreError):
    """A fact, source or document that breaks the fact-base rules (`problems` lists each one)."""

    def __init__(self, message: str, problems: Sequence[object] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)


class StaleRevision(StoreError):
    """An edit based on an old revision: someone else changed the fact in between.

    Carries the current fact and its revision so the caller can show the moderator what changed.
    """

    def __init__(self, fact: Fact, revision: int, expected_revision: int) -> None:
        self.fact = fact
        self.revision = revision
        self.expected_revision = expected_revision
        super().__init__(*_both("stale", fact_id=fact.id, revision=revision, expected=expected_revision))
