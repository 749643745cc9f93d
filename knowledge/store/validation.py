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
    _validate_in_frame(f"fact '{fact.id}'", sources, [fact])


def _validate_source(source: Source) -> None:
    _validate_in_frame(f"source '{source.id}'", [source], [])


def _validate_in_frame(origin: str, sources: Sequence[Source], facts: Sequence[Fact]) -> None:
    """Refuse what breaks the rules, naming `origin` ("fact 'x'") and each faulty field."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "seed_version": "-",
        "story": _PLACEHOLDER_STORY,
        "sources": [source.to_dict() for source in sources],
        "facts": [fact.to_dict() for fact in facts],
    }
    try:
        parse_fact_base(document, origin)
    except FactBaseError as error:
        message = f"{origin[:1].upper()}{origin[1:]} cannot be saved:\n{_problem_lines(error)}"
        raise InvalidContent(message, error.problems) from None


def _validate_document(fact_base: FactBase, origin: str) -> None:
    """Documents built in code skip parse_fact_base; check them the way a file would be checked."""
    try:
        parse_fact_base(fact_base.to_dict(), origin)
    except FactBaseError as error:
        raise InvalidContent(str(error), error.problems) from None


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
