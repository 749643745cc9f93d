"""Errors the store raises: `StoreError` and its subclasses, each with a message meant for a person."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Fact, Language


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


class UnknownFact(StoreError):
    def __init__(self, fact_id: str) -> None:
        self.fact_id = fact_id
        super().__init__(
            f"There is no fact with the id '{fact_id}'.", f"Aucun fait n'a l'identifiant « {fact_id} »."
        )


class DuplicateFact(StoreError):
    def __init__(self, fact_id: str) -> None:
        self.fact_id = fact_id
        super().__init__(
            f"A fact with the id '{fact_id}' already exists; edit it, or choose another id.",
            f"Un fait a déjà l'identifiant « {fact_id} » : modifiez-le, ou choisissez un autre identifiant.",
        )


class UnknownSource(StoreError):
    def __init__(self, source_ids: Sequence[str]) -> None:
        self.source_ids = tuple(source_ids)
        names = ", ".join(f"'{s}'" for s in self.source_ids)
        plural = "s" if len(self.source_ids) > 1 else ""
        super().__init__(
            f"Unknown source id{plural} {names}: add the source first.",
            f"Source{plural} inconnue{plural} {names} : ajoutez d'abord la source.",
        )


class UnknownQuestion(StoreError):
    def __init__(self, question_id: int) -> None:
        self.question_id = question_id
        super().__init__(
            f"There is no logged question with the id {question_id}.",
            f"Aucune question enregistrée n'a l'identifiant {question_id}.",
        )


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
        super().__init__(
            f"Fact '{fact.id}' was changed by someone else while you were editing: it is now at "
            f"revision {revision}, your edit was based on revision {expected_revision}. "
            "Review the current version and try again.",
            f"Le fait « {fact.id} » a été modifié par quelqu'un d'autre pendant votre modification : il est "
            f"maintenant à la révision {revision}, votre modification partait de la révision {expected_revision}. "
            "Relisez la version actuelle et réessayez.",
        )
