"""Discord plumbing every cog shares: whose language, how to send, and what to say when it fails.

Why one module: each cog used to resolve the language, clip and send, and apologise in its
own way, and they drifted apart. Here is the single version of each:

* **Language**: the reader's Discord locale, then (where it makes sense) the server's, then
  the configured `DEFAULT_LANGUAGE`.
* **Sending**: `send` responds or follows up as the interaction's state requires, never
  pings, and fits content and embeds to Discord's limits (a 400 would leave the user with
  nothing); `finish` replaces a deferred "thinking…" response; `reply_to` answers a message.
* **Errors**: `StoryTree.on_error` is the one handler for every slash command. Domain
  errors (a `StoreError`, a refused question, refused moderator input) carry their own
  sentence and are shown in the user's language; anything else is logged with its
  traceback and the user gets a short apology. Views and modals use `report_error`, the
  same function, because discord.py does not route their errors through the tree.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from config import Settings
from knowledge.curation import CurationInputError
from knowledge.models import Language, as_language
from knowledge.phrases import phrases
from knowledge.questions import QuestionRejected
from knowledge.store import StoreError

from .safety import CONTENT_LIMIT, NO_PINGS, clip, escape, fit_embed

log = logging.getLogger(__name__)

LANGUAGE_CHOICES = [
    app_commands.Choice(name="English", value="en"),
    app_commands.Choice(name="French", value="fr"),
]

text = phrases.area("common")


# ---------------------------------------------------------------------------------------------
# Language
# ---------------------------------------------------------------------------------------------


def locale_language(locale: discord.Locale | str | None) -> Language | None:
    """'fr' for any French locale, 'en' for any English one, else None."""
    value = str(locale.value if isinstance(locale, discord.Locale) else locale or "")
    if value.startswith("fr"):
        return "fr"
    if value.startswith("en"):
        return "en"
    return None


def configured_language(settings: Settings) -> Language:
    """`DEFAULT_LANGUAGE` as a Language (settings already refuse anything but en and fr)."""
    return as_language(settings.default_language)


def interaction_language(
    interaction: discord.Interaction, settings: Settings, *, server_fallback: bool = False
) -> Language:
    """The reader's Discord language; with `server_fallback`, else the server's; else the default.

    A reply only the reader sees follows the reader; a post for the channel (summaries,
    digests) may fall back to the server's language.
    """
    found = locale_language(interaction.locale)
    if found is None and server_fallback:
        found = locale_language(interaction.guild_locale)
    return found or configured_language(settings)


def language_name(language: str, shown_in: Language) -> str:
    """'English' / 'French' as a reader of `shown_in` calls them."""
    return text("french" if language == "fr" else "english", shown_in)


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------


def _message_kwargs(
    content: str | None,
    embed: discord.Embed | None,
    view: discord.ui.View | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS, **extra}
    if content is not None:
        kwargs["content"] = clip(content, CONTENT_LIMIT)
    if embed is not None:
        kwargs["embed"] = fit_embed(embed)
    if view is not None:
        kwargs["view"] = view
    return kwargs


async def send(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool = False,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> None:
    """Respond, or follow up if the interaction was already answered or deferred; never pings."""
    kwargs = _message_kwargs(content, embed, view, {"file": file} if file is not None else {})
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


async def reply(interaction: discord.Interaction, content: str | None = None, **parts: Any) -> None:
    """A private answer (only the person who used the command sees it); `parts` as for `send`."""
    await send(interaction, content, ephemeral=True, **parts)


async def finish(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> None:
    """Replace a deferred ("thinking…") response with the result: whatever is not given is cleared."""
    kwargs = _message_kwargs(content, embed, view, {"attachments": [file]} if file is not None else {})
    kwargs.setdefault("content", None)
    kwargs.setdefault("embed", None)
    kwargs.setdefault("view", None)
    await interaction.edit_original_response(**kwargs)


async def reply_to(message: discord.Message, **kwargs: Any) -> None:
    """Reply to a message without pinging; if it was deleted meanwhile, post in its channel instead."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if isinstance(kwargs.get("content"), str):
        kwargs["content"] = clip(kwargs["content"], CONTENT_LIMIT)
    try:
        await message.reply(mention_author=False, **kwargs)
    except discord.Forbidden:
        log.warning("No permission to reply in channel %s", message.channel.id)
    except discord.HTTPException as error:
        if error.status != 400:
            raise
        await message.channel.send(**kwargs)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def problems_message(error: CurationInputError, intro: str | None = None, language: Language = "en") -> str:
    """Each faulty field in bold, with why; user text inside is escaped."""
    lines = [intro or text("input_problems", language)]
    for problem in error.problems:
        lines.append(f"• **{problem.label}** — {escape(problem.message)}")  # labels are ours
    return clip("\n".join(lines), CONTENT_LIMIT)


def domain_message(error: BaseException, language: Language) -> str | None:
    """The sentence a domain error carries, in `language`; None for anything unexpected."""
    if isinstance(error, CurationInputError):
        return problems_message(error, language=language)
    if isinstance(error, StoreError | QuestionRejected):
        return escape(error.message(language))
    return None


async def apologise(interaction: discord.Interaction, language: Language) -> None:
    """A short private apology instead of a traceback; never raises (it is the last resort)."""
    try:
        await send(interaction, text("apology", language), ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not send the apology for interaction %s", interaction.id)


async def report_error(interaction: discord.Interaction, error: BaseException, language: Language) -> None:
    """What the user sees of an error: a domain error's own sentence, or an apology (logged)."""
    message = domain_message(error, language)
    if message is None:
        data: dict[str, Any] = dict(interaction.data or {})
        what = getattr(interaction.command, "qualified_name", None) or data.get("custom_id", "?")
        log.error("Interaction %s failed", what, exc_info=error)
        await apologise(interaction, language)
        return
    log.info("Refused: %s", error)
    try:
        await send(interaction, message, ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not tell the user about a refusal", exc_info=True)


def user_language(interaction: discord.Interaction) -> Language:
    """The language for an error reply: the reader's, else the bot's configured default."""
    settings = getattr(interaction.client, "settings", None)
    default: Language = configured_language(settings) if isinstance(settings, Settings) else "en"
    return locale_language(interaction.locale) or default


class StoryTree(app_commands.CommandTree[Any]):
    """The command tree with the one error handler every slash command goes through."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        language = user_language(interaction)
        if isinstance(error, app_commands.CheckFailure):
            if not interaction.response.is_done():  # a check other than ours refused
                await send(interaction, text("not_allowed", language), ephemeral=True)
            return
        await report_error(interaction, getattr(error, "original", error), language)
