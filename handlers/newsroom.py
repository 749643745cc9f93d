"""/summary, /timeline and the daily digest of fact-base changes.

The decisions (is a slot due, what changed, what the texts say) live in
`knowledge/newsroom.py`; this cog reads Discord's input, sends, and keeps the cursor.

The digest schedule is a `tasks.loop` that wakes every `DIGEST_CHECK_SECONDS`. For each
subscription whose guild this process serves, it asks whether the latest slot is due
(`last_posted_at` older than the slot), posts what changed since the stored change cursor
(nothing at all when nothing changed) and then stores the new cursor *and* the time, so
the same slot is never checked again. Posting comes before the bookkeeping: a crash
between the two repeats one digest rather than losing one.

Subscribing also stamps `last_posted_at` with the bot's clock: the store stamps
`created_at` with the system clock, while the schedule runs on `bot.clock()` (a file
clock in drills), and the two must not be compared.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from knowledge.models import Actor, Language
from knowledge.newsroom import (
    ComposeBrief,
    compose_digest,
    compose_summary,
    compose_timeline,
    due_slot,
    next_slot,
    parse_time_of_day,
    parse_timezone,
    timezone_names,
)
from knowledge.phrases import phrases
from knowledge.store import DigestSubscription, StoreError

from .permissions import actor_of, is_moderator
from .rendering import brief_embeds, digest_embeds
from .safety import NO_PINGS
from .shared import LANGUAGE_CHOICES, interaction_language, language_name, send

if TYPE_CHECKING:
    from .runner import StoryBot

log = logging.getLogger(__name__)


text = phrases.area("digest")


class Newsroom(commands.Cog, name="Newsroom"):
    """The story in brief, its chronology, and the daily digest of changes."""

    digest = app_commands.Group(
        name="digest",
        description="A daily digest of the fact-base changes in this channel",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.check_digests.change_interval(seconds=self.bot.settings.digest_check_seconds)
        self.check_digests.start()

    async def cog_unload(self) -> None:
        self.check_digests.cancel()

    # -- language --------------------------------------------------------------------------

    def channel_language(self, interaction: discord.Interaction) -> Language:
        """The reader's Discord language, else the server's, else the configured default."""
        return interaction_language(interaction, self.bot.settings, server_fallback=True)

    # -- /summary and /timeline ------------------------------------------------------------

    @app_commands.command(
        name="summary", description="The story in brief: the key facts in order, with dates and sources"
    )
    async def summary(self, interaction: discord.Interaction) -> None:
        await self.send_brief(interaction, compose_summary)

    @app_commands.command(
        name="timeline", description="The chronology of the story, each event with its source"
    )
    async def timeline(self, interaction: discord.Interaction) -> None:
        await self.send_brief(interaction, compose_timeline)

    async def send_brief(self, interaction: discord.Interaction, compose: ComposeBrief) -> None:
        """The story's dated facts, composed by `compose` in the channel's language, as pages."""
        service = self.bot.service
        language = self.channel_language(interaction)
        brief = compose(service.story, service.timeline(), service.sources_of, language)
        await self.send_pages(interaction, brief_embeds(brief))

    @staticmethod
    async def send_pages(interaction: discord.Interaction, embeds: list[discord.Embed]) -> None:
        """One embed per message (Discord's 6,000-character limit counts every embed of a message)."""
        for embed in embeds:
            await send(interaction, embed=embed)

    # -- /digest ---------------------------------------------------------------------------

    async def refuse(self, interaction: discord.Interaction) -> bool:
        """True (after telling the user) when this interaction may not manage the digest.

        `default_permissions` only hides the group; server settings can show it to anyone.
        """
        language = self.channel_language(interaction)
        if interaction.guild is None or interaction.channel_id is None:
            await send(interaction, content=text("guild_only", language), ephemeral=True)
            return True
        if not is_moderator(interaction.user, self.bot.settings):
            await send(interaction, content=text("not_moderator", language), ephemeral=True)
            return True
        return False

    @digest.command(name="subscribe", description="Post a digest of the fact-base changes here every day")
    @app_commands.describe(
        time="Time of day, 24-hour HH:MM, for example 09:00",
        timezone="Time zone (IANA name), for example Europe/Paris",
        language="Language of the digest (default: yours)",
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        time: str,
        timezone: str,
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        if await self.refuse(interaction):
            return
        shown_in = self.channel_language(interaction)
        time_of_day = parse_time_of_day(time)
        if time_of_day is None:
            await send(interaction, content=text("bad_time", shown_in, value=_inline(time)), ephemeral=True)
            return
        zone = parse_timezone(timezone)
        if zone is None:
            await send(
                interaction, content=text("bad_timezone", shown_in, value=_inline(timezone)), ephemeral=True
            )
            return
        permissions = interaction.app_permissions
        if not (permissions.send_messages and permissions.embed_links):
            await send(interaction, content=text("cannot_post", shown_in), ephemeral=True)
            return
        digest_language: Language = "fr" if (language.value if language else shown_in) == "fr" else "en"
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert interaction.channel_id is not None and interaction.guild_id is not None
        now = self.bot.clock()
        try:
            # `now` is the schedule's reference point, on the schedule's clock: the next slot is the first due.
            await self.bot.service.subscribe(
                interaction.channel_id,
                interaction.guild_id,
                time_of_day,
                zone,
                digest_language,
                Actor(*actor_of(interaction.user)),
                now=now,
            )
        except (StoreError, ValueError) as error:
            await send(interaction, content=text("store_error", shown_in, error=error), ephemeral=True)
            return
        when = discord.utils.format_dt(next_slot(time_of_day, zone, now), "F")
        message = text(
            "subscribed",
            shown_in,
            time=time_of_day,
            timezone=zone,
            language=language_name(digest_language, shown_in),
            next=when,
        )
        await send(interaction, content=message, ephemeral=True)

    async def open_panel(self, interaction: discord.Interaction) -> tuple[Language, int] | None:
        """The language and channel of a digest command a moderator may run (deferred), else None."""
        if await self.refuse(interaction):
            return None
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert interaction.channel_id is not None  # refuse() said no when there is no channel
        return self.channel_language(interaction), interaction.channel_id

    @subscribe.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in timezone_names(current, 25)]

    @digest.command(name="unsubscribe", description="Stop this channel's daily digest")
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        if (opened := await self.open_panel(interaction)) is None:
            return
        language, channel_id = opened
        removed = await self.bot.service.unsubscribe(channel_id, Actor(*actor_of(interaction.user)))
        await send(
            interaction,
            content=text("unsubscribed" if removed else "not_subscribed", language),
            ephemeral=True,
        )

    @digest.command(name="status", description="Show this channel's digest settings and what is waiting")
    async def status(self, interaction: discord.Interaction) -> None:
        if (opened := await self.open_panel(interaction)) is None:
            return
        language, channel_id = opened
        subscription = await self.bot.service.subscription(channel_id)
        if subscription is None:
            await send(interaction, content=text("not_subscribed", language), ephemeral=True)
            return
        pending = compose_digest(
            await self.bot.service.changes_since(subscription.last_change_id), subscription.language
        )
        message = text(
            "status",
            language,
            time=subscription.time_of_day,
            timezone=subscription.timezone,
            language=language_name(subscription.language, language),
            next=discord.utils.format_dt(
                next_slot(subscription.time_of_day, subscription.timezone, self.bot.clock()), "F"
            ),
            pending=len(pending.entries),
        )
        await send(interaction, content=message, ephemeral=True)

    # -- the schedule ----------------------------------------------------------------------

    @tasks.loop(seconds=60)
    async def check_digests(self) -> None:
        """One pass over the subscriptions; one channel's failure never stops the others or the loop."""
        try:
            subscriptions = await self.bot.service.subscriptions()
        except Exception:
            log.exception("Could not read the digest subscriptions")
            return
        for subscription in subscriptions:
            try:
                await self.serve(subscription, self.bot.clock())
            except Exception:
                log.exception("Digest for channel %s failed; it will be retried", subscription.channel_id)

    @check_digests.before_loop
    async def before_check_digests(self) -> None:
        await self.bot.wait_until_ready()

    async def serve(self, subscription: DigestSubscription, now: datetime) -> bool:
        """Post the channel's digest if its slot is due; True when the slot was served."""
        reference = subscription.last_posted_at or subscription.created_at
        if due_slot(subscription.time_of_day, subscription.timezone, reference, now) is None:
            return False
        guild = self.bot.get_guild(subscription.guild_id) if subscription.guild_id else None
        if guild is None:
            return False  # another shard's (or process's) guild, or unavailable right now: not ours to serve
        changes = await self.bot.service.changes_since(subscription.last_change_id)
        digest = compose_digest(changes, subscription.language, subscription.last_change_id)
        embeds = digest_embeds(digest, self.bot.service.sources_of)
        if embeds and not await self.post(guild, subscription, embeds):
            return False
        await self.bot.service.mark_digest_posted(subscription.channel_id, digest.cursor, now)
        if embeds:
            log.info("Digest posted in channel %s (%d facts)", subscription.channel_id, len(digest.entries))
        return True

    async def post(
        self, guild: discord.Guild, subscription: DigestSubscription, embeds: list[discord.Embed]
    ) -> bool:
        """Send the digest; False to retry on the next pass. A channel that is gone loses its subscription."""
        channel = guild.get_channel_or_thread(subscription.channel_id)
        try:
            if channel is None:
                channel = await self.bot.fetch_channel(subscription.channel_id)  # type: ignore[assignment]
            if not isinstance(channel, discord.abc.Messageable):
                raise TypeError(f"channel {subscription.channel_id} cannot receive messages")
            for embed in embeds:
                await channel.send(embed=embed, allowed_mentions=NO_PINGS)
        except (discord.NotFound, TypeError):
            log.warning("Digest channel %s is gone; unsubscribing it", subscription.channel_id)
            await self.bot.service.unsubscribe(subscription.channel_id)
            return False
        except discord.Forbidden:
            # Retrying every pass would not help; skip this slot and keep the changes for the next one.
            log.warning(
                "No permission to post the digest in channel %s; skipping today's", subscription.channel_id
            )
            await self.bot.service.mark_digest_posted(
                subscription.channel_id, subscription.last_change_id, self.bot.clock()
            )
            return False
        return True


def _inline(value: str) -> str:
    """A user's value shown inside backticks: no backticks of its own, and short."""
    return " ".join(value.replace("`", "'").split())[:64]


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Newsroom(bot))
