"""The fact base as plain, immutable data.

Everything here is a frozen dataclass so that a fact read from the store, the seed
file or an import can be compared, hashed and passed between the store, the
matcher and the renderers without anyone mutating it behind another's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")


def as_language(value: str | None, default: Language = "en") -> Language:
    """A code from outside (a setting, a Discord option, a file) as a Language; anything else is `default`."""
    if value == "fr":
        return "fr"
    if value == "en":
        return "en"
    return default


class RevisionKind(StrEnum):
    """What a revision did to a fact, as the history and the digests name it (stored as its value)."""

    ADDED = "added"
    EDITED = "edited"
    RETIRED = "retired"
    RESTORED = "restored"
    REVERTED = "reverted"
    VARIANT = "variant"  # a question wording added or removed
    SOURCE = "source"  # a source attached or detached


class Origin(StrEnum):
    """Who first wrote a fact or source: re-seeding never overwrites what a moderator or an import wrote."""

    SEED = "seed"
    MODERATOR = "moderator"
    IMPORT = "import"


FactStatus = Literal["active", "retired"]
FACT_STATUSES: tuple[FactStatus, ...] = ("active", "retired")


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text that exists in both supported languages."""

    en: str
    fr: str

    def get(self, language: Language) -> str:
        return self.fr if language == "fr" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"en": self.en, "fr": self.fr}


@dataclass(frozen=True, slots=True)
class Quote:
    """Words as the article reports them; `translation` is our English rendering, never the original."""

    speaker: str
    original: str
    original_language: Language
    translation: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "speaker": self.speaker,
            "original": self.original,
            "original_language": self.original_language,
            "translation": self.translation,
        }


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    date: str | None
    language: Language
    url: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "date": self.date,
            "language": self.language,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class QuestionVariants:
    """The ways people ask for a fact, per language."""

    en: tuple[str, ...] = ()
    fr: tuple[str, ...] = ()

    def get(self, language: Language) -> tuple[str, ...]:
        return self.fr if language == "fr" else self.en

    def all(self) -> tuple[tuple[Language, str], ...]:
        return tuple(("en", q) for q in self.en) + tuple(("fr", q) for q in self.fr)

    def with_added(self, language: Language, text: str) -> QuestionVariants:
        if text in self.get(language):
            return self
        if language == "fr":
            return QuestionVariants(self.en, (*self.fr, text))
        return QuestionVariants((*self.en, text), self.fr)

    def without(self, language: Language, text: str) -> QuestionVariants:
        if language == "fr":
            return QuestionVariants(self.en, tuple(q for q in self.fr if q != text))
        return QuestionVariants(tuple(q for q in self.en if q != text), self.fr)

    def to_dict(self) -> dict[str, list[str]]:
        return {"en": list(self.en), "fr": list(self.fr)}


@dataclass(frozen=True, slots=True)
class Fact:
    id: str
    statement: Bilingual
    attribution: Bilingual
    source_ids: tuple[str, ...]
    questions: QuestionVariants = field(default_factory=QuestionVariants)
    tags: tuple[str, ...] = ()
    date: str | None = None
    quote: Quote | None = None
    status: FactStatus = "active"

    @property
    def active(self) -> bool:
        return self.status == "active"

    def to_dict(self) -> dict[str, object]:
        """The seed-file shape; key order is fixed so exports diff cleanly."""
        return {
            "id": self.id,
            "status": self.status,
            "date": self.date,
            "attribution": self.attribution.to_dict(),
            "statement": self.statement.to_dict(),
            "quote": self.quote.to_dict() if self.quote else None,
            "tags": list(self.tags),
            "source_ids": list(self.source_ids),
            "questions": self.questions.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Story:
    title: Bilingual
    summary: Bilingual

    def to_dict(self) -> dict[str, object]:
        return {"title": self.title.to_dict(), "summary": self.summary.to_dict()}


@dataclass(frozen=True, slots=True)
class FactBase:
    """A whole story: what the seed file, an export and an import all contain."""

    schema_version: int
    seed_version: str
    story: Story
    sources: tuple[Source, ...]
    facts: tuple[Fact, ...]
    # Groups of interchangeable words ("tax", "taxes", "impôts", "fiscal"): the matcher treats
    # each group as one word. Story-specific vocabulary, so it travels with the facts.
    synonyms: tuple[tuple[str, ...], ...] = ()

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def fact(self, fact_id: str) -> Fact | None:
        return next((f for f in self.facts if f.id == fact_id), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": self.schema_version,
            "seed_version": self.seed_version,
            "story": self.story.to_dict(),
            "sources": [s.to_dict() for s in self.sources],
            "facts": [f.to_dict() for f in self.facts],
            "synonyms": [list(group) for group in self.synonyms],
        }


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a moderator (Discord id and name), the seed loader or the CLI."""

    id: str
    name: str


SEED_ACTOR = Actor(id="seed", name="seed loader")
CLI_ACTOR = Actor(id="cli", name="command line")
