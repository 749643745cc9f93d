"""/help: what the bot knows, how to ask it, and (for moderators only) how to teach it.

Ephemeral, because help is for the person who asked, not for the channel. The curation
part is shown only when `is_moderator` says so for the member in this very interaction,
so ordinary members are not pointed at commands they cannot use.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.models import Language

from .permissions import is_moderator
from .rendering import curated
from .safety import fit_embed
from .shared import interaction_language, send
from .translator import localized_path

if TYPE_CHECKING:
    from .runner import StoryBot

log = logging.getLogger(__name__)

HELP: dict[str, dict[Language, str]] = {
    "knows": {"en": "What I know", "fr": "Ce que je sais"},
    "intro": {
        "en": "I answer questions about one news story, only from a curated fact base, and I always cite my sources. "
        "If something is not in the fact base, I say so rather than guess.",
        "fr": "Je réponds aux questions sur une seule affaire, uniquement à partir d'une base de faits vérifiés, "
        "et je cite toujours mes sources. Si une information n'y figure pas, je le dis au lieu de deviner.",
    },
    "how": {"en": "How to ask", "fr": "Comment me poser une question"},
    "how_body": {
        "en": "• {ask} — in any channel where I can write\n"
        "• mention me: `@{bot} what did WikiLeaks propose?`\n"
        "• or send me a direct message\n"
        "I answer in the language of your question, English or French.",
        "fr": "• {ask} — dans tout salon où je peux écrire\n"
        "• mentionnez-moi : `@{bot} qu'a proposé WikiLeaks ?`\n"
        "• ou envoyez-moi un message privé\n"
        "Je réponds dans la langue de la question, français ou anglais.",
    },
    "examples": {"en": "Examples (English or French)", "fr": "Exemples (en français ou en anglais)"},
    "examples_body": {
        "en": "• What did The Atlantic reveal?\n• What did WikiLeaks propose to Donald Trump Jr.?\n"
        "• Qu'a répondu Donald Trump Jr. ?\n• Quand les messages ont-ils été publiés ?",
        "fr": "• Qu'a révélé The Atlantic ?\n• Qu'a proposé WikiLeaks à Donald Trump Jr. ?\n"
        "• What did Donald Trump Jr. reply?\n• When were the messages published?",
    },
    "more": {"en": "More", "fr": "Et aussi"},
    "more_body": {
        "en": "• {summary} — the story in brief, with dates and sources\n"
        "• {timeline} — the chronology\n"
        "• Under each answer: **Sources** for the full references, 👍 / 👎 to tell the moderators how I did.",
        "fr": "• {summary} — l'histoire en bref, datée et sourcée\n"
        "• {timeline} — la chronologie\n"
        "• Sous chaque réponse : **Sources** pour les références complètes, 👍 / 👎 pour dire aux modérateurs "
        "si la réponse convient.",
    },
    "teach": {"en": "Teaching me (moderators)", "fr": "M'apprendre (modérateurs)"},
    "teach_body": {
        "en": "• {facts_gaps} — questions I could not answer; link one to a fact to teach me that wording\n"
        "• {facts_variant} — add another way of asking for a fact\n"
        "• {facts_add} · {facts_edit} · {facts_retire} · {facts_restore} — curate facts (nothing is lost: "
        "{facts_history}, {facts_revert})\n"
        "• {facts_source} — add or attach a source\n"
        "• {facts_feedback} — the answers people voted down\n"
        "• {facts_export} · {facts_import} — the whole fact base as a file\n"
        "• {digest_subscribe} — a daily summary of the changes, in this channel",
        "fr": "• {facts_gaps} — les questions restées sans réponse ; reliez-en une à un fait pour m'apprendre "
        "cette formulation\n"
        "• {facts_variant} — ajouter une autre façon de demander un fait\n"
        "• {facts_add} · {facts_edit} · {facts_retire} · {facts_restore} — gérer les faits (rien n'est perdu : "
        "{facts_history}, {facts_revert})\n"
        "• {facts_source} — ajouter ou rattacher une source\n"
        "• {facts_feedback} — les réponses jugées mauvaises\n"
        "• {facts_export} · {facts_import} — toute la base dans un fichier\n"
        "• {digest_subscribe} — un résumé quotidien des changements, dans ce salon",
    },
    "footer": {
        "en": "Command names appear in your Discord language.",
        "fr": "Les noms des commandes s'affichent dans la langue de votre Discord.",
    },
}


COMMANDS = (
    "ask", "summary", "timeline", "facts gaps", "facts variant", "facts add", "facts edit", "facts retire",
    "facts restore", "facts history", "facts revert", "facts source", "facts feedback", "facts export",
    "facts import", "digest subscribe",
)  # fmt: skip


def command_names(language: Language) -> dict[str, str]:
    """`{facts_gaps}` -> `/facts gaps`, or its French name (`/faits lacunes`) as Discord shows it."""
    return {path.replace(" ", "_"): f"`/{localized_path(path, language)}`" for path in COMMANDS}


def help_text(key: str, language: Language, /, **values: str) -> str:
    template = HELP[key][language]
    return template.format(**values) if values else template


def help_embed(
    title: str, summary: str, language: Language, bot_name: str, *, moderator: bool
) -> discord.Embed:
    """The help card; `moderator` adds the curation section."""
    embed = discord.Embed(
        title=curated(title), description=help_text("intro", language), colour=discord.Colour.blurple()
    )
    embed.add_field(name=help_text("knows", language), value=curated(summary), inline=False)
    names = command_names(language)
    how = help_text("how_body", language, bot=bot_name.replace("`", "'"), **names)
    embed.add_field(name=help_text("how", language), value=how, inline=False)
    embed.add_field(
        name=help_text("examples", language), value=help_text("examples_body", language), inline=False
    )
    embed.add_field(
        name=help_text("more", language), value=help_text("more_body", language, **names), inline=False
    )
    if moderator:
        teach = help_text("teach_body", language, **names)
        embed.add_field(name=help_text("teach", language), value=teach, inline=False)
    embed.set_footer(text=help_text("footer", language))
    return fit_embed(embed)


class Help(commands.Cog, name="Help"):
    """/help."""

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    def language(self, interaction: discord.Interaction) -> Language:
        return interaction_language(interaction, self.bot.settings)

    @app_commands.command(name="help", description="What I know about the story and how to ask me")
    async def help(self, interaction: discord.Interaction) -> None:
        language = self.language(interaction)
        story = self.bot.service.story
        moderator = is_moderator(interaction.user, self.bot.settings)
        me = self.bot.user
        embed = help_embed(
            story.title.get(language),
            story.summary.get(language),
            language,
            me.display_name if me is not None else "bot",
            moderator=moderator,
        )
        await send(interaction, embed=embed, ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Help(bot))
