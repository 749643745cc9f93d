"""End to end: the real bot process killed mid-burst of edits, and `bot.py sync` on demand."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from tests.e2e.bot_fixtures import RealBot, close_twin, footer_fact_ids, open_twin
from tests.e2e.twin import Channel, Guild, Twin, User
from tests.e2e.twin.permissions import MANAGE_GUILD

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

EDITED_FACT = "wow-after-victory"


@dataclass
class World:
    twin: Twin
    bot: RealBot
    guild: Guild
    channel: Channel
    moderator: User
    member: User


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    twin = await open_twin()
    try:
        guild = twin.create_guild("Lifecycle Guild")
        channel = twin.create_text_channel(guild, "newsroom")
        moderators = twin.create_role(guild, "Moderators", permissions=MANAGE_GUILD)
        moderator, member = twin.create_user("editor"), twin.create_user("reader")
        twin.add_member(guild, moderator, roles=[moderators])
        twin.add_member(guild, member)
        bot = RealBot(twin, Path(tmp_path_factory.mktemp("lifecycle")))
        try:
            yield World(twin, bot, guild, channel, moderator, member)
        finally:
            await bot.close()
    finally:
        await close_twin(twin)


async def test_sync_on_demand_publishes_localised_commands(world: World) -> None:
    """`python bot.py sync` logs in, publishes the commands to the development guild, exits."""
    assert world.twin.registered_commands(world.guild) == []
    await world.bot.cli("sync")
    commands = {c["name"]: c for c in world.twin.registered_commands(world.guild)}
    assert {"ask", "help", "summary", "timeline", "facts", "digest"} <= set(commands)
    assert commands["help"]["name_localizations"]["fr"] == "aide"
    assert commands["facts"]["name_localizations"]["fr"] == "faits"
    assert commands["ask"]["description_localizations"]["fr"]
    assert int(commands["facts"]["default_member_permissions"]) == MANAGE_GUILD


async def test_commands_are_synced_again_only_when_asked_or_changed(world: World) -> None:
    """A restart with the same commands publishes nothing; `python bot.py sync` always does."""

    def syncs() -> int:
        return sum(
            1
            for r in world.twin.ctx.requests
            if r.method == "PUT" and (r.route or "").endswith("/commands") and r.status == 200
        )

    before = syncs()
    await world.bot.start_ready()  # the commands were published by `bot.py sync` above
    await world.bot.stop()
    assert syncs() == before
    await world.bot.cli("sync")
    assert syncs() > before


async def test_sigkill_mid_burst_of_edits_keeps_every_confirmed_edit(world: World) -> None:
    twin, bot = world.twin, world.bot
    await bot.start_ready()
    texts = [f"what did wikileaks reply with, variant {i}?" for i in range(40)]
    confirmed: list[str] = []

    async def edit(text: str) -> None:
        interaction = await twin.invoke_slash(
            "facts variant",
            user=world.moderator,
            channel=world.channel,
            options={"fact_id": EDITED_FACT, "action": "add", "language": "en", "text": text},
        )
        response = await twin.interaction_response(interaction, timeout=20)
        if response.content.startswith("Added the English wording"):
            confirmed.append(text)

    edits = [asyncio.ensure_future(edit(text)) for text in texts]
    while len(confirmed) < 12:
        await asyncio.sleep(0.01)
    bot.process.kill()  # SIGKILL, by the process's own pid, in the middle of the burst
    for pending in edits:
        pending.cancel()  # their answers will never come
    await asyncio.gather(*edits, return_exceptions=True)
    assert len(confirmed) < len(texts), "the burst ended before the kill: nothing was interrupted"

    with sqlite3.connect(f"file:{bot.db_path}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute(
            "SELECT revision, snapshot, actor_id FROM fact_revisions WHERE fact_id = ? ORDER BY revision",
            (EDITED_FACT,),
        ).fetchall()
    latest = json.loads(rows[-1][1])
    for text in confirmed:
        assert text in latest["questions"]["en"], f"confirmed edit lost: {text}"
        added_in = [r for r in rows if text in json.loads(r[1])["questions"]["en"]]
        assert added_in and added_in[0][2] == str(world.moderator.id)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1)), "revisions must stay contiguous"

    # Restarted on the same file, the bot answers from the edits that were committed.
    await bot.start_ready()
    question = await twin.send_message(world.channel, world.member, confirmed[0], mention_bot=True)
    reply = await twin.wait_for_reply(question, require_reference=True, timeout=20)
    assert footer_fact_ids(reply)[0] == EDITED_FACT
