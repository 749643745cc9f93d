"""What the bot says, in both languages, kept as data and looked up by key.

Each module that talks to people keeps its own small Phrasebook next to the code that uses
it; this class is the one lookup they share, and it refuses at import time a phrase that
lacks a language, so a French user never meets a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping

from .models import LANGUAGES, Language


class Phrasebook:
    def __init__(self, entries: Mapping[str, Mapping[Language, str]]) -> None:
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
