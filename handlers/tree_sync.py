"""Publishing the slash commands, only when they changed.

Discord rate-limits command syncs hard, and a bot that restarts often (deploys, crashes, the
end-to-end tests) re-published the same commands on every start. The payload discord.py
would send (French localisations included), the target guilds and the application id are
hashed; the hash of the last successful sync is kept in a small file beside the database,
and a start whose hash matches skips the sync. `python bot.py sync` always syncs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from .runner import StoryBot

log = logging.getLogger(__name__)


def hash_file(database_path: Path | str) -> Path:
    """Where the last synced hash lives: next to the database, so each bot instance has its own."""
    path = Path(database_path)
    return path.with_name(path.name + ".commands-hash")


async def tree_hash(bot: StoryBot) -> str:
    """A hash of exactly what a sync would publish, and where."""
    tree = bot.tree
    translator = tree.translator
    guild_ids = sorted(bot.settings.dev_guild_ids)
    payload: list[dict[str, Any]] = []
    for command in tree.get_commands():
        if translator is not None:
            payload.append(await command.get_translated_payload(tree, translator))
        else:
            payload.append(command.to_dict(tree))
    document = {"application_id": bot.application_id, "guilds": guild_ids, "commands": payload}
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


def _stored(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


async def sync_tree(bot: StoryBot, *, force: bool = False) -> bool:
    """Publish the commands (to the development guilds, else globally) if they changed or `force`.

    Returns whether a sync happened. The hash is written only after Discord accepted the sync,
    so a failed sync is retried on the next start.
    """
    settings = bot.settings
    path = hash_file(settings.database_path)
    current = await tree_hash(bot)
    if not force and _stored(path) == current:
        log.info("Slash commands unchanged since the last sync; not syncing")
        return False
    if settings.dev_guild_ids:
        for guild_id in settings.dev_guild_ids:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            log.info("Synced %d commands to development guild %s", len(synced), guild_id)
    else:
        synced = await bot.tree.sync()
        log.info("Synced %d global commands", len(synced))
    try:
        path.write_text(current + "\n", encoding="utf-8")
    except OSError as error:
        log.warning(
            "Could not record the synced commands in %s (%s); the next start syncs again", path, error
        )
    return True
