"""End to end: a sharded bot behind another API base connects to that base's gateway and answers.

discord.py connects shards to its built-in gateway URL whenever `shard_count` is given; the
bot must ask the API base (`GET /gateway/bot`) instead, or a sharded bot behind a gateway
proxy (here the twin) dials Discord itself.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.bot_fixtures import RealBot, close_twin, footer_fact_ids, open_twin

pytestmark = [pytest.mark.e2e]


async def test_a_sharded_bot_connects_to_the_twins_gateway_and_answers(tmp_path: Path) -> None:
    twin = await open_twin()
    try:
        guild = twin.create_guild("Sharded Guild")
        general = twin.create_text_channel(guild, "general")
        reader = twin.create_user("reader")
        twin.add_member(guild, reader)
        bot = RealBot(twin, tmp_path / "bot", {"SHARD_COUNT": "2", "SHARD_IDS": "0"})
        try:
            since = time.monotonic()
            bot.start()
            session = await twin.wait_until_ready(timeout=45, since=since)
            assert session.identify.get("shard") == [0, 2]
            assert twin.requests_to("GET", "/gateway/bot")

            interaction = await twin.invoke_slash(
                "ask", user=reader, channel=general, options={"question": "what did WikiLeaks propose?"}
            )
            response = await twin.interaction_response(interaction, timeout=15)
            messages = [m for m in (response.message, *response.followups) if m]
            assert any("tax-returns-leak-offer" in footer_fact_ids(m) for m in messages)
        finally:
            await bot.close()
    finally:
        await close_twin(twin)
