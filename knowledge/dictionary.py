"""Is this a word of English or French, or a slip of the keyboard?

Typo repair maps an unknown word onto the closest word the fact base knows. That is right
for "wikileeks" or "presidnet", and wrong for a real word the story simply does not use:
"recette" is not a typo of "rejette", nor "remplit" of anything; mending them would let a
question about a recipe or a tax form borrow the meaning of a fact. simplemma's bundled
dictionaries (English and French word forms, no download) tell the two apart.

Its dictionaries load on first use (about 0.2 s a language), so a question pays that only
when it has a word the fact base does not know; the bot preloads them at start.
"""

from __future__ import annotations

from functools import lru_cache

from simplemma import is_known

LANGUAGES = ("en", "fr")


@lru_cache(maxsize=65536)
def is_real_word(word: str) -> bool:
    """True when `word` (lower case, accents as typed) is an English or French word form."""
    return any(is_known(word, language) for language in LANGUAGES)


def preload() -> None:
    """Load both dictionaries now, so that no user waits for them later."""
    for language in LANGUAGES:
        is_known("the", language)
