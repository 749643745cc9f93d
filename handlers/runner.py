"""The bot process: building the client, starting it, stopping it cleanly.

`StoryBot.setup_hook` opens the knowledge service, points discord.py at the configured
API (a proxy, or the local twin in tests), loads each cog as an extension and syncs the
slash commands. The token is only ever handed to discord.py, never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord
from discord.ext import commands

from config import Settings
from config.settings import DISCORD_API_DEFAULT
from knowledge.answering import AnswerPolicy
from knowledge.service import KnowledgeService
from knowledge.store import StoreError

from .api_base import point_discord_at, resolve_gateway
from .clock import Clock, clock_from_setting
from .shared import StoryTree
from .tree_sync import sync_tree

log = logging.getLogger(__name__)

EXTENSIONS = (
    "handlers.community",
    "handlers.curation",
    "handlers.newsroom",
    "handlers.help",
)


def intents_for(settings: Settings) -> discord.Intents:
    """The minimum: guilds (for channels and roles), guild and DM messages for mentions.

    Message content is privileged; it is requested only when passive Q&A channels need
    to read messages that do not mention the bot.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = bool(settings.qa_channel_ids)
    return intents


class StoryBot(commands.Bot):
    """The bot: a commands.Bot with the knowledge service attached."""

    service: KnowledgeService

    def __init__(
        self, settings: Settings, clock: Clock | None = None, *, force_sync: bool = False, **options: Any
    ) -> None:
        super().__init__(
            command_prefix=(),  # no prefix commands: see on_message
            intents=intents_for(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=StoryTree,
            **options,
        )
        self.settings = settings
        self.force_sync = force_sync  # `bot.py sync`: publish even when the commands did not change
        self.clock: Clock = clock or clock_from_setting(settings.clock_file)

    async def setup_hook(self) -> None:
        self.service = await KnowledgeService.open(
            self.settings.database,
            policy=AnswerPolicy(threshold=self.settings.answer_threshold),
            default_language=self.settings.default_language,
            clock=self.clock,
        )
        gc.freeze()  # the index's long-lived objects: out of every full collection (see bot.py)
        if self.settings.discord_api_base != DISCORD_API_DEFAULT:
            # Sharded, discord.py connects to its built-in gateway URL unless told otherwise.
            await resolve_gateway(self.http, sharded=bool(self.shard_count))
        from .translator import StoryTranslator

        await self.tree.set_translator(StoryTranslator())
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await sync_tree(self, force=self.force_sync)

    async def on_message(self, message: discord.Message, /) -> None:
        """Messages are questions, never commands: the Community cog answers mentions, DMs and
        Q&A channels itself, so commands.Bot's prefix-command parsing is not run at all."""

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            service = getattr(self, "service", None)
            if service is not None:
                await service.close()


class ShardedStoryBot(commands.AutoShardedBot, StoryBot):
    """The same bot, sharded (SHARD_COUNT, SHARD_IDS); setup_hook points every shard at the API base's gateway."""

    def __init__(
        self, settings: Settings, clock: Clock | None = None, *, force_sync: bool = False, **options: Any
    ) -> None:
        # AutoShardedBot defines no __init__ of its own at run time; name the one that runs.
        StoryBot.__init__(self, settings, clock, force_sync=force_sync, **options)


def make_bot(settings: Settings, *, force_sync: bool = False) -> StoryBot:
    point_discord_at(settings.discord_api_base)
    if settings.sharded:
        return ShardedStoryBot(
            settings,
            force_sync=force_sync,
            shard_count=settings.shard_count,
            shard_ids=list(settings.shard_ids) or None,
        )
    return StoryBot(settings, force_sync=force_sync)


def setup_logging(settings: Settings) -> None:
    level = getattr(logging, settings.log_level)
    if settings.log_file:
        handler = logging.FileHandler(settings.log_file, encoding="utf-8")
        discord.utils.setup_logging(
            handler=handler,
            formatter=logging.Formatter("{asctime} {levelname:<8} {name} {message}", style="{"),
            level=level,
            root=True,
        )
    else:
        discord.utils.setup_logging(level=level, root=True)


async def _serve(settings: Settings) -> None:
    bot = make_bot(settings)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(settings.discord_token.reveal()))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("Shutting down")
            await bot.close()
            runner.cancel()  # it may be sleeping out a reconnect backoff (minutes) during an outage
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner


def run(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM; the store is closed on the way out."""
    setup_logging(settings)
    return _run_reporting(settings, lambda: _serve(settings))


def sync(settings: Settings) -> int:
    """Log in, publish the slash commands, log out."""
    setup_logging(settings)

    async def once() -> None:
        bot = make_bot(settings, force_sync=True)
        async with bot:
            await bot.login(settings.discord_token.reveal())  # setup_hook syncs the tree

    return _run_reporting(settings, once)


def _run_reporting(settings: Settings, main: Callable[[], Coroutine[object, object, None]]) -> int:
    """Run `main`; a failure the operator can act on is one log line and exit status 1."""
    try:
        asyncio.run(main())
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN). Check it in the developer portal.")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(
            "QA_CHANNEL_IDS needs the Message Content intent: enable it in the developer portal "
            "(your application > Bot > Privileged Gateway Intents), or leave QA_CHANNEL_IDS empty."
        )
        return 1
    except StoreError as error:
        log.error("%s", error)
        return 1
    except (discord.HTTPException, aiohttp.ClientError) as error:
        log.error("%s", describe_api_failure(settings, error))
        return 1
    return 0


def describe_api_failure(settings: Settings, error: BaseException) -> str:
    """One line for an API that cannot be reached or answers with an error (text redacted by logging)."""
    if isinstance(error, discord.HTTPException):
        return (
            f"The Discord API at {settings.discord_api_base} (DISCORD_API_BASE) answered "
            f"{error.status}: {str(error.text)[:300]}"
        )
    reason = str(error) or type(error).__name__
    return f"Cannot reach the Discord API at {settings.discord_api_base} (DISCORD_API_BASE): {reason}"
