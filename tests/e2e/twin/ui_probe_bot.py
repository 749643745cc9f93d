"""A small discord.py bot that exercises the twin's interaction features.

The floor bot must stay minimal (it is a throughput baseline), so the twin's
self-test uses this one to prove buttons, selects, modals, deferred
"thinking" answers with follow-ups, autocomplete, permission-gated commands
and attachment downloads work end to end with an unmodified discord.py.
Run as a subprocess with DISCORD_TOKEN / DISCORD_API_BASE / DEV_GUILD_IDS.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from handlers.api_base import point_discord_at, resolve_gateway  # noqa: E402

TOPICS = ["economy", "ecology", "elections", "sport"]


class ProbeModal(discord.ui.Modal, title="Probe form"):
    note: discord.ui.TextInput[ProbeModal] = discord.ui.TextInput(
        label="Note", custom_id="probe:note", max_length=50
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"note={self.note.value}", ephemeral=True)


class PanelView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=120)

    @discord.ui.button(label="Open form", custom_id="probe:open")
    async def open_form(self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]) -> None:
        await interaction.response.send_modal(ProbeModal())

    @discord.ui.select(
        custom_id="probe:pick",
        options=[discord.SelectOption(label="A", value="a"), discord.SelectOption(label="B", value="b")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[PanelView]) -> None:
        await interaction.response.edit_message(content=f"picked {select.values[0]}", view=self)


class ProbeBot(commands.Bot):
    def __init__(self, guild_ids: list[int]) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.guild_ids = guild_ids

    async def setup_hook(self) -> None:
        await resolve_gateway(self.http)
        for cmd in (panel, slow, topic, admin, upload):
            self.tree.add_command(cmd)
        for guild_id in self.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        logging.getLogger("probe").info("PROBE_SYNCED")


@app_commands.command(name="panel", description="Show a panel with components")
async def panel(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("panel", view=PanelView())


@app_commands.command(name="slow", description="Defer, then answer with a follow-up")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await asyncio.sleep(0.2)
    await interaction.followup.send("slow done")


@app_commands.command(name="topic", description="Autocomplete a topic")
async def topic(interaction: discord.Interaction, name: str) -> None:
    await interaction.response.send_message(f"topic={name}")


@topic.autocomplete("name")
async def topic_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=t, value=t) for t in TOPICS if t.startswith(current)]


@app_commands.command(name="admin", description="Permission-gated command")
@app_commands.default_permissions(manage_guild=True)
async def admin(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(
        f"perms={interaction.permissions.value} manage_guild={interaction.permissions.manage_guild}"
    )


@app_commands.command(name="upload", description="Read an attachment")
async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
    data = await file.read()
    echo = discord.File(io.BytesIO(data[::-1]), filename=f"echo-{file.filename}")
    await interaction.response.send_message(f"got {len(data)} bytes from {file.filename}", file=echo)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stdout
    )
    point_discord_at(os.environ.get("DISCORD_API_BASE"))
    ids = [int(x) for x in os.environ.get("DEV_GUILD_IDS", "").split(",") if x]
    ProbeBot(ids).run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()
