"""What the bot says, in both languages: one catalogue, `knowledge/data/phrases.toml`.

Why one file: a translator (or a reviewer) sees every sentence the bot can say side by
side with its other language, and no module keeps a table of its own that drifts from the
rest. Phrases are keyed `area.key` (`answer.unknown`, `curation.saved`); a module takes its
area once (`text = phrases.area("digest")`) and looks up short keys. The catalogue is read
once at import and refuses a phrase that lacks a language, so a French reader never meets
a KeyError; tests/unit/test_phrases.py checks that every key the code names exists.

TOML rather than gettext `.po` files: both languages of a phrase sit together in one file
that needs no compile step, and Python's own `tomllib` reads it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .models import LANGUAGES, Language

CATALOGUE_PATH = Path(__file__).parent / "data" / "phrases.toml"


class Phrasebook:
    def __init__(self, entries: Mapping[str, Mapping[str, str]]) -> None:
        incomplete = sorted(key for key, texts in entries.items() if set(texts) != set(LANGUAGES))
        if incomplete:
            raise ValueError(f"phrases without both languages: {', '.join(incomplete)}")
        self.entries = {key: dict(texts) for key, texts in entries.items()}

    def __call__(self, key: str, language: Language, /, **values: object) -> str:
        """The phrase in `language`, with `{name}` fields filled from `values`."""
        template = self.entries[key][language]
        return template.format(**values) if values else template

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def area(self, name: str) -> Area:
        """The phrases under `name.`, looked up by their short key."""
        return Area(self, name)

    def pairs(self, area: str) -> Iterator[tuple[str, str]]:
        """(English, French) of every phrase listed under `area` (lists such as command names)."""
        for key, texts in self.entries.items():
            if key.startswith(f"{area}[") or key.startswith(f"{area}."):
                yield texts["en"], texts["fr"]


@dataclass(frozen=True, slots=True)
class Area:
    """One area of the catalogue: `text("saved", language)` reads `curation.saved`."""

    book: Phrasebook
    name: str

    def __call__(self, key: str, language: Language, /, **values: object) -> str:
        return self.book(f"{self.name}.{key}", language, **values)

    def __contains__(self, key: object) -> bool:
        return f"{self.name}.{key}" in self.book


def _flatten(table: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, str]]]:
    """`{"a": {"b": {"en": …, "fr": …}}}` -> ("a.b", {"en": …, "fr": …}); lists keep their index."""
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield f"{name}[{index}]", item
        elif isinstance(value, Mapping) and not any(isinstance(v, Mapping | list) for v in value.values()):
            yield name, value
        else:
            yield from _flatten(value, f"{name}.")


def load_catalogue(path: Path = CATALOGUE_PATH) -> Phrasebook:
    with path.open("rb") as file:
        return Phrasebook(dict(_flatten(tomllib.load(file))))


phrases = load_catalogue()
