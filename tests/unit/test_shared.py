"""The shared Discord layer: one language rule, one error handler, domain errors in the reader's language."""

from __future__ import annotations

from types import SimpleNamespace

import discord

from config import load_settings
from handlers.runner import StoryBot
from handlers.shared import StoryTree, domain_message, interaction_language, language_name
from knowledge.curation import CurationInputError, FieldProblem
from knowledge.questions import EMPTY
from knowledge.store import DuplicateFact, StoreError, UnknownFact


def test_domain_errors_speak_the_readers_language() -> None:
    assert "no fact with the id" in (domain_message(UnknownFact("x-y"), "en") or "")
    assert "Aucun fait" in (domain_message(UnknownFact("x-y"), "fr") or "")
    assert "Un fait a déjà" in (domain_message(DuplicateFact("x-y"), "fr") or "")
    assert domain_message(EMPTY, "fr") == EMPTY.fr
    # A store error written only in English is still shown, in English, to everyone.
    assert domain_message(StoreError("The store is closed."), "fr") == "The store is closed."


def test_domain_messages_escape_what_users_typed() -> None:
    message = domain_message(UnknownFact("**@everyone**"), "en") or ""
    assert "**@everyone**" not in message


def test_input_problems_name_each_field() -> None:
    error = CurationInputError([FieldProblem("date", "not a date")])
    message = domain_message(error, "en") or ""
    assert "not a date" in message and message.startswith("Nothing was saved")


def test_unexpected_errors_are_not_domain_errors() -> None:
    assert domain_message(RuntimeError("boom"), "en") is None


def test_language_rule_reader_then_server_then_default() -> None:
    settings = SimpleNamespace(default_language="fr")
    german_in_english_server = SimpleNamespace(
        locale=discord.Locale.german, guild_locale=discord.Locale.american_english
    )
    assert interaction_language(german_in_english_server, settings) == "fr"  # type: ignore[arg-type]
    assert interaction_language(german_in_english_server, settings, server_fallback=True) == "en"  # type: ignore[arg-type]
    assert language_name("fr", "en") == "French" and language_name("en", "fr") == "anglais"


async def test_the_bot_uses_the_one_error_handling_tree() -> None:
    bot = StoryBot(load_settings({"DISCORD_TOKEN": "x"}, env_file=None))
    try:
        assert isinstance(bot.tree, StoryTree)
    finally:
        await bot.close()
