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
from knowledge.phrases import phrases

from .permissions import is_moderator
from .rendering import curated
from .safety import fit_embed
from .shared import interaction_language, send
from .translator import localized_path

if TYPE_CHECKING:
    from .runner import StoryBot

log = logging.getLogger(__name__)


COMMANDS = (
    "ask", "summary", "timeline", "facts gaps", "facts variant", "facts add", "facts edit", "facts retire",
    "facts restore", "facts history", "facts revert", "facts source", "facts feedback", "facts export",
    "facts import", "digest subscribe",
)  # fmt: skip


def command_names(language: Language) -> dict[str, str]:
    """`{facts_gaps}` -> `/facts gaps`, or its French name (`/faits lacunes`) as Discord shows it."""
    return {path.replace(" ", "_"): f"`/{localized_path(path, language)}`" for path in COMMANDS}


help_text = phrases.area("help")


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
