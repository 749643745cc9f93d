"""Holding single facts, sources and whole documents to the fact-base rules before they are stored."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import LANGUAGES, Fact, FactBase, Source
from ..schema import SCHEMA_VERSION, FactBaseError, parse_fact_base
from .errors import InvalidContent

# parse_fact_base validates whole documents; a lone fact or source is checked inside this frame.
_PLACEHOLDER_STORY = {"title": {"en": "-", "fr": "-"}, "summary": {"en": "-", "fr": "-"}}


def _problem_lines(error: FactBaseError) -> str:
    return "\n".join(f"  - {p.field}: {p.message}" if p.field else f"  - {p.message}" for p in error.problems)


def _validate_fact(fact: Fact, sources: Sequence[Source]) -> None:
    """Hold a single fact to the same rules as the seed file, so every export stays importable."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "seed_version": "-",
        "story": _PLACEHOLDER_STORY,
        "sources": [s.to_dict() for s in sources],
        "facts": [fact.to_dict()],
    }
    try:
        parse_fact_base(document, f"fact '{fact.id}'")
    except FactBaseError as error:
        raise InvalidContent(
            f"Fact '{fact.id}' cannot be saved:\n{_problem_lines(error)}", error.problems
        ) from None


def _validate_source(source: Source) -> None:
    document = {
        "schema_version": SCHEMA_VERSION,
        "seed_version": "-",
        "story": _PLACEHOLDER_STORY,
        "sources": [source.to_dict()],
        "facts": [],
    }
    try:
        parse_fact_base(document, f"source '{source.id}'")
    except FactBaseError as error:
        raise InvalidContent(
            f"Source '{source.id}' cannot be saved:\n{_problem_lines(error)}", error.problems
        ) from None


def _validate_document(fact_base: FactBase, origin: str) -> None:
    """Documents built in code skip parse_fact_base; check them the way a file would be checked."""
    try:
        parse_fact_base(fact_base.to_dict(), origin)
    except FactBaseError as error:
        raise InvalidContent(str(error), error.problems) from None


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
