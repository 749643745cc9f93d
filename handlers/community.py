"""Answering people: /ask, @mentions, DMs and passive Q&A channels, plus the answer buttons.

Every path is the same three steps: Discord event → `bot.service.ask` → render. What differs
is only who may be answered and how loudly:

* /ask, mentions and DMs always get an answer (or "I don't know" with suggestions), with a
  per-user cooldown so one person cannot flood a channel.
* In configured Q&A channels, a message ending with "?" is answered only when the bot is
  confident, and at most once per channel cooldown: a bot that butts into every
  conversation with "I don't know" gets muted. Questions it cannot answer there are not
  logged either, so chat noise ("anyone here?") never reaches the moderators' gaps list.

The buttons under an answer are `DynamicItem`s whose custom_id carries the question id,
so they keep working after a restart (discord.py matches the custom_id's pattern; no view
has to be re-registered per message). The formats are a contract with the e2e tests:

    ask:sources:<question_id>            ephemeral embed of every source of the answer
    ask:vote:up:<question_id>            👍 (store.record_feedback(+1)); voting again replaces
    ask:vote:down:<question_id>          👎 (store.record_feedback(-1))
    ask:suggest:<question_id>:<index>    "did you mean" (index 0-2): answers that suggestion publicly
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.answers import Answer
from knowledge.models import Language
from knowledge.phrases import phrases
from knowledge.questions import QuestionRejected, validate_question
from knowledge.store import UnknownQuestion

from .rendering import (
    answer_embed,
    answer_sources_embed,
    fact_ids_from_footer,
    label,
    plain_text,
    sources_embed,
)
from .safety import BUTTON_LABEL_LIMIT, NO_PINGS, clip
from .shared import configured_language, interaction_language, reply_to, report_error, send, user_language
from .shared import text as shared_text

if TYPE_CHECKING:
    from .runner import StoryBot

log = logging.getLogger(__name__)

COG_NAME = "Community"
# Discord drops an interaction not answered within 3 s; past this, defer and follow up.
DIRECT_REPLY_WITHIN = 1.5
ANSWER_CACHE_SIZE = 2048


text = phrases.area("community")


# ---------------------------------------------------------------------------------------------
# Cooldowns
# ---------------------------------------------------------------------------------------------


def _by_id(key: int) -> int:
    return key


class Cooldown:
    """At most one use per key (a user or channel id) every `seconds`.

    discord.py's `CooldownMapping` keeps the buckets and forgets those whose window ran out;
    this adds only a key that works for messages and interactions alike (an id) and the
    monotonic clock, so wall-clock jumps do not matter.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._mapping: commands.CooldownMapping[int] = commands.CooldownMapping.from_cooldown(
            1, seconds, _by_id
        )

    def _now(self) -> float:
        return max(self._clock(), 1e-9)  # discord.py reads a current time of 0 as "not given"

    def retry_after(self, key: int) -> float:
        """Seconds until `key` may go again (0 if it may now), without using a turn."""
        if self.seconds <= 0:
            return 0.0
        now = self._now()
        bucket = self._mapping.get_bucket(key, now)
        return bucket.get_retry_after(now) if bucket is not None else 0.0

    def hit(self, key: int) -> float:
        """Use a turn if one is free and return 0; else return the seconds to wait."""
        if self.seconds <= 0:
            return 0.0
        return self._mapping.update_rate_limit(key, self._now()) or 0.0


_MENTION = re.compile(r"<@[!&]?[0-9]+>|<#[0-9]+>|@everyone\b|@here\b")


def without_mentions(content: str) -> str:
    """The words of a message without its mentions: "@bot what did… @everyone" asks "what did…"."""
    return " ".join(_MENTION.sub(" ", content).split())


def cooldown_message(wait: float, language: Language) -> str:
    seconds = max(1, math.ceil(wait))
    when = discord.utils.format_dt(discord.utils.utcnow() + timedelta(seconds=seconds), "R")
    return text("cooldown", language, when=when, seconds=seconds)


# ---------------------------------------------------------------------------------------------
# Buttons (persistent across restarts)
# ---------------------------------------------------------------------------------------------

_QID = r"(?P<qid>[0-9]{1,19})"


def _community(interaction: discord.Interaction) -> Community | None:
    cog = interaction.client.get_cog(COG_NAME) if isinstance(interaction.client, commands.Bot) else None
    return cog if isinstance(cog, Community) else None


async def _dispatch(
    interaction: discord.Interaction, handler: Callable[[Community], Awaitable[None]]
) -> None:
    cog = _community(interaction)
    if cog is None:
        await send(interaction, content=text("unavailable", user_language(interaction)), ephemeral=True)
        return
    await cog.guarded(interaction, handler(cog))


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"ask:sources:{_QID}"):
    """Shows every source of the answer, only to the person who clicked."""

    def __init__(self, question_id: int, language: Language = "en") -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                label=label("sources", language),
                emoji="📚",
                custom_id=f"ask:sources:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SourcesButton:
        return cls(int(match["qid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _dispatch(interaction, lambda cog: cog.show_sources(interaction, self.question_id))


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"ask:vote:(?P<direction>up|down):{_QID}"
):
    """👍 / 👎 on an answer: one vote per user per answer, replaced when they vote again."""

    def __init__(self, question_id: int, direction: str) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji="👍" if direction == "up" else "👎",
                custom_id=f"ask:vote:{direction}:{question_id}",
            )
        )
        self.question_id, self.direction = question_id, direction

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(int(match["qid"]), match["direction"])

    async def callback(self, interaction: discord.Interaction) -> None:
        vote = 1 if self.direction == "up" else -1
        await _dispatch(interaction, lambda cog: cog.vote(interaction, self.question_id, vote))


class SuggestionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"ask:suggest:{_QID}:(?P<index>[0-2])"
):
    """A "did you mean" question: clicking it asks it, and the answer is posted publicly."""

    def __init__(self, question_id: int, index: int, suggestion: str) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.primary,
                label=clip(suggestion, BUTTON_LABEL_LIMIT) or "?",
                custom_id=f"ask:suggest:{question_id}:{index}",
            )
        )
        self.question_id, self.index, self.suggestion = question_id, index, suggestion

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SuggestionButton:
        shown = getattr(item, "label", None) or ""
        return cls(int(match["qid"]), int(match["index"]), shown)

    async def callback(self, interaction: discord.Interaction) -> None:
        await _dispatch(
            interaction,
            lambda cog: cog.ask_suggestion(interaction, self.question_id, self.index, self.suggestion),
        )


DYNAMIC_ITEMS = (SourcesButton, VoteButton, SuggestionButton)


def answer_view(answer: Answer) -> discord.ui.View | None:
    """Sources and votes under an answer; suggestions under "I don't know". None if nothing applies."""
    if answer.question_id is None:
        return None
    view = discord.ui.View(timeout=None)
    if answer.answered:
        if answer.sources:
            view.add_item(SourcesButton(answer.question_id, answer.language))
        view.add_item(VoteButton(answer.question_id, "up"))
        view.add_item(VoteButton(answer.question_id, "down"))
    else:
        for index, suggestion in enumerate(answer.suggestions[:3]):
            view.add_item(SuggestionButton(answer.question_id, index, suggestion))
    return view if view.children else None


# ---------------------------------------------------------------------------------------------
# The cog
# ---------------------------------------------------------------------------------------------


class Community(commands.Cog, name=COG_NAME):
    """Questions from members, in every form Discord lets them ask."""

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot
        self.user_cooldown = Cooldown(bot.settings.user_cooldown_seconds)
        self.channel_cooldown = Cooldown(bot.settings.channel_cooldown_seconds)
        # Recent answers by question id, so "Sources" and "did you mean" are exact; after a restart
        # they fall back to what the message itself carries.
        self._answers: OrderedDict[int, Answer] = OrderedDict()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # -- shared steps ----------------------------------------------------------------------

    @property
    def default_language(self) -> Language:
        return configured_language(self.bot.settings)

    def interaction_language(self, interaction: discord.Interaction) -> Language:
        return interaction_language(interaction, self.bot.settings)

    def message_language_hint(self, message: discord.Message) -> Language | None:
        """A French server's questions lean French when the words themselves do not tell."""
        if message.guild is None:
            return None
        locale = str(message.guild.preferred_locale.value)
        return "fr" if locale.startswith("fr") else None

    def remember(self, answer: Answer) -> None:
        if answer.question_id is None:
            return
        self._answers[answer.question_id] = answer
        self._answers.move_to_end(answer.question_id)
        while len(self._answers) > ANSWER_CACHE_SIZE:
            self._answers.popitem(last=False)

    async def ask_service(
        self, question: str, language_hint: Language | None, guild_id: int | None, channel_id: int | None
    ) -> Answer:
        answer = await self.bot.service.ask(
            question, language_hint=language_hint, guild_id=guild_id, channel_id=channel_id
        )
        self.remember(answer)
        return answer

    @staticmethod
    def reply_kwargs(answer: Answer, *, embed: bool = True) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
        if embed:
            kwargs["embed"] = answer_embed(answer)
        else:
            kwargs["content"] = plain_text(answer)
        view = answer_view(answer)
        if view is not None:
            kwargs["view"] = view
        return kwargs

    async def guarded(self, interaction: discord.Interaction, work: Awaitable[None]) -> None:
        """Run a component handler; any failure becomes a short message, never a silent 'interaction failed'."""
        try:
            await work
        except Exception as error:
            await report_error(interaction, error, self.interaction_language(interaction))

    # -- /ask ------------------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask a question about the story, in English or French")
    @app_commands.describe(question="Your question, for example: what did WikiLeaks propose?")
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        await self.answer_interaction(interaction, question)

    async def answer_interaction(
        self, interaction: discord.Interaction, question: str, *, cooldown: bool = True
    ) -> None:
        """Answer publicly in the channel; refusals (cooldown, unusable question) are ephemeral.

        A "did you mean" click skips the cooldown: the bot offered that question itself,
        right after the person asked, and making them wait for it would be a trap.
        """
        language = self.interaction_language(interaction)
        try:
            validate_question(question)
        except QuestionRejected as rejection:
            await send(interaction, content=rejection.message(language), ephemeral=True)
            return
        wait = self.user_cooldown.hit(interaction.user.id) if cooldown else 0.0
        if wait > 0:
            await send(interaction, content=cooldown_message(wait, language), ephemeral=True)
            return
        asking = asyncio.ensure_future(
            self.ask_service(question, language, interaction.guild_id, interaction.channel_id)
        )
        done, _ = await asyncio.wait({asking}, timeout=DIRECT_REPLY_WITHIN)
        if done:  # the usual case: one request, the answer itself
            await interaction.response.send_message(**self.reply_kwargs(asking.result()))
            return
        await interaction.response.defer(thinking=True)  # a slow disk: keep the interaction alive
        await interaction.followup.send(**self.reply_kwargs(await asking))

    # -- buttons ---------------------------------------------------------------------------

    async def show_sources(self, interaction: discord.Interaction, question_id: int) -> None:
        answer = self._answers.get(question_id)
        if answer is not None:
            await send(interaction, embed=answer_sources_embed(answer), ephemeral=True)
            return
        language = self.interaction_language(interaction)
        message = interaction.message
        footer = message.embeds[0].footer.text if message is not None and message.embeds else None
        fact_ids = fact_ids_from_footer(footer)
        service = self.bot.service
        sources: dict[str, Any] = {}
        for fact_id in fact_ids:
            fact = service.fact(fact_id)
            for source in service.sources_of(fact) if fact is not None else []:
                sources.setdefault(source.id, source)
        if not fact_ids:
            await send(interaction, content=label("sources_gone", language), ephemeral=True)
            return
        await send(interaction, embed=sources_embed(list(sources.values()), language), ephemeral=True)

    async def vote(self, interaction: discord.Interaction, question_id: int, vote: int) -> None:
        language = self.interaction_language(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await self.bot.service.record_feedback(question_id, interaction.user.id, vote)
        except UnknownQuestion:
            await send(interaction, content=text("vote_gone", language), ephemeral=True)
            return
        await send(
            interaction, content=text("vote_up" if vote > 0 else "vote_down", language), ephemeral=True
        )

    async def ask_suggestion(
        self, interaction: discord.Interaction, question_id: int, index: int, shown: str
    ) -> None:
        answer = self._answers.get(question_id)
        if answer is not None and index < len(answer.suggestions):
            suggestion = answer.suggestions[index]
        else:
            suggestion = shown[:-1] if shown.endswith("…") else shown
        await self.answer_interaction(interaction, suggestion, cooldown=False)

    # -- messages: mentions, DMs, Q&A channels ----------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.bot.user is None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        try:
            await self.handle_message(message)
        except Exception:
            log.exception("Answering message %s failed", message.id)
            try:
                language = self.bot.service.language_of(
                    message.content or "", self.message_language_hint(message)
                )
                await self.reply(message, content=shared_text("apology", language))
            except Exception:
                log.exception("Could not even apologise for message %s", message.id)

    def addressed_question(self, message: discord.Message) -> str | None:
        """The question when the message is a DM or mentions the bot explicitly; else None."""
        if message.guild is None:
            return without_mentions(message.content)
        me = self.bot.user
        assert me is not None
        if me not in message.mentions or not re.search(rf"<@!?{me.id}>", message.content):
            return None
        return without_mentions(message.content)

    def is_qa_channel(self, channel: object) -> bool:
        ids = set(self.bot.settings.qa_channel_ids)
        return bool(ids) and (
            getattr(channel, "id", None) in ids or getattr(channel, "parent_id", None) in ids
        )

    async def handle_message(self, message: discord.Message) -> None:
        question = self.addressed_question(message)
        if question is not None:
            await self.answer_message(message, question)
        elif self.is_qa_channel(message.channel) and message.content.rstrip().endswith(("?", "？")):
            await self.answer_passively(message)

    async def answer_message(self, message: discord.Message, question: str) -> None:
        hint = self.message_language_hint(message)
        if not question:
            await self.reply(message, content=text("empty_mention", hint or self.default_language))
            return
        wait = self.user_cooldown.hit(message.author.id)
        if wait > 0:
            language = self.bot.service.language_of(question, hint)
            await self.reply(message, content=cooldown_message(wait, language))
            return
        answer = await self.ask_service(
            question, hint, message.guild.id if message.guild else None, message.channel.id
        )
        await self.reply(message, **self.reply_kwargs(answer, embed=self.can_embed(message)))

    async def answer_passively(self, message: discord.Message) -> None:
        channel_id = message.channel.id
        if self.channel_cooldown.retry_after(channel_id) > 0:
            return
        hint = self.message_language_hint(message)
        question = without_mentions(message.content)
        if not self.bot.service.answer(question, hint).answered:  # pure preview: nothing logged
            return
        if self.channel_cooldown.hit(channel_id) > 0:
            return
        answer = await self.ask_service(
            question, hint, message.guild.id if message.guild else None, channel_id
        )
        if answer.answered:
            await self.reply(message, **self.reply_kwargs(answer, embed=self.can_embed(message)))

    @staticmethod
    def can_embed(message: discord.Message) -> bool:
        me = message.guild.me if message.guild is not None else None
        if me is None or not isinstance(message.channel, discord.abc.GuildChannel | discord.Thread):
            return True
        return message.channel.permissions_for(me).embed_links

    async def reply(self, message: discord.Message, **kwargs: Any) -> None:
        await reply_to(message, **kwargs)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Community(bot))
