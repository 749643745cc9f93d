"""Checking what people type before it reaches the matcher.

Chat input can be anything: empty, a pasted novel, binary junk, invisible characters.
Rejections carry a message in both languages so every front end can explain itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Language
from .text import clean, tokens

MAX_QUESTION_CHARS = 500


@dataclass(frozen=True, slots=True)
class QuestionRejected(ValueError):
    """A question the bot will not try to answer, with the reason in both languages."""

    en: str
    fr: str

    def message(self, language: Language) -> str:
        return self.fr if language == "fr" else self.en

    def __str__(self) -> str:
        return self.en


EMPTY = QuestionRejected(
    en="Please type a question, for example: what did WikiLeaks propose?",
    fr="Posez une question, par exemple : qu'a proposé WikiLeaks ?",
)
NO_WORDS = QuestionRejected(
    en="I could not find any words in that question.",
    fr="Je n'ai trouvé aucun mot dans cette question.",
)


def too_long(length: int, limit: int) -> QuestionRejected:
    return QuestionRejected(
        en=f"That question is {length:,} characters long; please keep it under {limit:,}.",
        fr=f"Cette question fait {length:,} caractères ; merci de rester sous {limit:,}.".replace(
            ",", "\u202f"
        ),
    )


def validate_question(raw: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """Return the cleaned question or raise QuestionRejected."""
    if len(raw) > limit * 4:
        raise too_long(len(raw), limit)
    question = clean(raw)
    if not question:
        raise EMPTY
    if len(question) > limit:
        raise too_long(len(question), limit)
    if not tokens(question):
        raise NO_WORDS
    return question
