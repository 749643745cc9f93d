"""French names and descriptions for every slash command, group, option and choice.

discord.py asks the tree's translator for each English string at sync time and sends the
answers as `name_localizations` / `description_localizations`; a French-speaking member
then sees `/resume` instead of `/summary`. Interactions still arrive under the English
names, so the handlers never see the French ones.

Two tables, both keyed by the English string and read from the one catalogue
(`knowledge/data/phrases.toml`, area `slash`), so adding a command means adding lines there
and an unknown string simply stays English (the translator returns None):

* NAMES for command, group and option names: Discord rejects a whole sync over one bad
  name, so these must be lower-case word characters or hyphens, at most 32 characters,
  and unique among siblings (tests/unit/test_translator.py checks every entry).
* TEXTS for descriptions (at most 100 characters) and choice names.

A cog may also carry its French inline: `locale_str("Add a fact", fr="Ajouter un fait")`;
that wins over the tables.

`/ask` and its `question` option are a contract (scripts, docs and muscle memory use them),
so their names are never localised; only their descriptions are.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Location

from knowledge.models import Language
from knowledge.phrases import phrases

CONTRACT_NAMES = frozenset({"ask", "question"})

NAMES: dict[str, str] = dict(phrases.pairs("slash.names"))
TEXTS: dict[str, str] = dict(phrases.pairs("slash.texts"))

_NAME_LOCATIONS = frozenset({Location.command_name, Location.group_name, Location.parameter_name})


def french_name(english: str) -> str:
    """The French name Discord shows for a command, group or option name (itself if none)."""
    return english if english in CONTRACT_NAMES else NAMES.get(english, english)


def localized_path(path: str, language: Language) -> str:
    """'facts gaps' -> 'faits lacunes' in French, as a member types it after the slash."""
    if language != "fr":
        return path
    return " ".join(french_name(part) for part in path.split())


class StoryTranslator(app_commands.Translator):
    """French for Discord's `fr` locale; every other locale keeps the English strings."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext[Any, Any],
    ) -> str | None:
        if locale is not discord.Locale.french:
            return None
        inline = string.extras.get("fr")
        if isinstance(inline, str) and inline:
            return inline
        if context.location in _NAME_LOCATIONS:
            if string.message in CONTRACT_NAMES:
                return None
            return NAMES.get(string.message)
        return TEXTS.get(string.message)
