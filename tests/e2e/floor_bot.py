"""The smallest real discord.py bot: the e2e twin's self-test subject and the "library floor".

It answers ``/ask question:`` and @mentions with fixed texts and nothing
else, so its throughput is what discord.py itself costs; anything the real
bot adds is measured against it. It reads ``DISCORD_TOKEN``,
``DISCORD_API_BASE`` and ``DEV_GUILD_IDS`` (comma-separated) from the
environment and syncs its commands to those guilds (globally if none).

Run: ``python tests/e2e/floor_bot.py`` (or ``python -m tests.e2e.floor_bot``).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from handlers.api_base import point_discord_at, resolve_gateway  # noqa: E402

ASK_REPLY = "floor: ask received"
MENTION_REPLY = "floor: mention received"

log = logging.getLogger("floor_bot")


def dev_guild_ids() -> list[int]:
    raw = os.environ.get("DEV_GUILD_IDS", "")
    return [int(part) for part in raw.replace(" ", "").split(",") if part]


class FloorBot(commands.Bot):
    def __init__(self, guild_ids: list[int]) -> None:
        # Default intents: no message_content, so unmentioned guild messages arrive empty.
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.guild_ids = guild_ids

    async def setup_hook(self) -> None:
        await resolve_gateway(self.http)
        self.tree.add_command(ask)
        if self.guild_ids:
            for guild_id in self.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("FLOOR_BOT_SYNCED guild=%s commands=%d", guild_id, len(synced))
        else:
            synced = await self.tree.sync()
            log.info("FLOOR_BOT_SYNCED global commands=%d", len(synced))

    async def on_ready(self) -> None:
        log.info("FLOOR_BOT_READY user=%s guilds=%d", self.user, len(self.guilds))

    async def on_resumed(self) -> None:
        log.info("FLOOR_BOT_RESUMED")

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None:
            return
        log.info("FLOOR_BOT_MESSAGE id=%s content=%r", message.id, message.content)
        if self.user in message.mentions:
            await message.reply(MENTION_REPLY)


@app_commands.command(name="ask", description="Ask a question (floor bot: fixed answer)")
@app_commands.describe(question="Your question")
async def ask(interaction: discord.Interaction, question: str) -> None:
    await interaction.response.send_message(ASK_REPLY)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stdout
    )
    point_discord_at(os.environ.get("DISCORD_API_BASE"))
    token = os.environ["DISCORD_TOKEN"]
    FloorBot(dev_guild_ids()).run(token, log_handler=None)


if __name__ == "__main__":
    main()
