"""End to end: the REAL bot survives rate limits and gateway trouble, through the twin."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from tests.e2e.bot_fixtures import NEAR_MISSES, RealBot, close_twin, embeds_of, footer_fact_ids, open_twin
from tests.e2e.twin import Channel, Guild, Twin, User

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

MESSAGES_ROUTE = "/channels/{channel_id}/messages"
QUESTION = "what did WikiLeaks propose?"


@dataclass
class World:
    twin: Twin
    bot: RealBot
    guild: Guild
    channel: Channel
    user: User


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    twin = await open_twin()
    try:
        guild = twin.create_guild("Resilience Guild")
        channel = twin.create_text_channel(guild, "general")
        user = twin.create_user("steady")
        twin.add_member(guild, user)
        bot = RealBot(twin, Path(tmp_path_factory.mktemp("resilience")))
        try:
            await bot.start_ready()
            yield World(twin, bot, guild, channel, user)
        finally:
            await bot.close()
    finally:
        await close_twin(twin)


def identifies_since(twin: Twin, since: float) -> list:
    return [f for f in twin.gateway_frames if f.direction == "in" and f.op == 2 and f.at >= since]


async def assert_answers_mention(world: World, content: str = QUESTION) -> dict:
    question = await world.twin.send_message(world.channel, world.user, content, mention_bot=True)
    reply = await world.twin.wait_for_reply(question, require_reference=True, timeout=20)
    assert "tax-returns-leak-offer" in footer_fact_ids(reply)
    return reply


async def test_rate_limited_reply_is_retried_and_delivered_once(world: World) -> None:
    twin = world.twin
    already = len(twin.requests_to("POST", MESSAGES_ROUTE))
    injection = twin.inject_rate_limit("POST", MESSAGES_ROUTE, times=2, retry_after=0.3)
    question = await twin.send_message(world.channel, world.user, QUESTION, mention_bot=True)

    reply = await twin.wait_for_reply(question, require_reference=True, timeout=20)

    assert injection.exhausted
    posts = twin.requests_to("POST", MESSAGES_ROUTE)[already:]
    assert [p.status for p in posts] == [429, 429, 200]
    assert posts[1].at - posts[0].at >= 0.28 and posts[2].at - posts[1].at >= 0.28
    assert all(p.json == posts[0].json for p in posts)  # the same message, retried
    replies = [
        m
        for m in twin.bot_messages_in(world.channel, after=question)
        if (m.get("message_reference") or {}).get("message_id") == question["id"]
    ]
    assert replies == [reply]
    assert "tax-returns-leak-offer" in footer_fact_ids(reply) and embeds_of(reply)[0]["title"] == QUESTION
    assert "Traceback" not in world.bot.all_output()


async def test_op7_reconnect_resumes_and_the_bot_still_answers(world: World) -> None:
    twin = world.twin
    since = time.monotonic()
    assert await twin.force_reconnect() == 1

    await twin.wait_for_resume(since=since, timeout=20)

    resumes = [f for f in twin.gateway_frames if f.direction == "in" and f.op == 6 and f.at >= since]
    assert len(resumes) == 1 and identifies_since(twin, since) == []
    await assert_answers_mention(world)
    answer = await twin.interaction_response(
        await twin.invoke_slash(
            "ask", user=world.user, channel=world.channel, options={"question": QUESTION}
        ),
        timeout=15,
    )
    assert "tax-returns-leak-offer" in footer_fact_ids(answer.message or {})


async def test_dropped_socket_is_survived_and_missed_questions_answered(world: World) -> None:
    twin = world.twin
    since = time.monotonic()
    assert twin.drop_connections() == 1
    # Asked while the bot is disconnected: the session buffers it and replays it on RESUME.
    missed = await twin.send_message(world.channel, world.user, QUESTION, mention_bot=True)

    await twin.wait_for_resume(since=since, timeout=20)
    reply = await twin.wait_for_reply(missed, require_reference=True, timeout=20)

    assert "tax-returns-leak-offer" in footer_fact_ids(reply)
    assert identifies_since(twin, since) == []
    await assert_answers_mention(world, "qu'a proposé WikiLeaks ?")


async def test_answer_buttons_keep_working_after_a_restart(world: World) -> None:
    """The buttons' custom_ids carry the question id: no in-memory state is needed to serve them."""
    twin, bot = world.twin, world.bot

    async def ask(question: str) -> dict:
        interaction = await twin.invoke_slash(
            "ask", user=world.user, channel=world.channel, options={"question": question}
        )
        response = await twin.interaction_response(interaction, timeout=15)
        assert response.message is not None
        return response.message

    answer = await ask(QUESTION)
    for near_miss in NEAR_MISSES:  # the first that still gets "did you mean" suggestions
        abstention = await ask(near_miss)
        ids = [c["custom_id"] for row in abstention.get("components", []) for c in row["components"]]
        if any(i.startswith("ask:suggest:") for i in ids):
            break
    else:
        pytest.fail("no near miss got 'did you mean' suggestions")
    ids = [c["custom_id"] for row in answer["components"] for c in row["components"]]
    sources_id = next(i for i in ids if i.startswith("ask:sources:"))
    qid = int(sources_id.rsplit(":", 1)[1])
    [suggestion] = [c for c in abstention["components"][0]["components"] if c["custom_id"].endswith(":0")]

    await bot.stop()
    await bot.start_ready()

    shown = await twin.interaction_response(await twin.click_button(answer, sources_id, user=world.user))
    assert shown.ephemeral
    [embed] = embeds_of(shown.message)
    assert len(embed["fields"]) == 3
    assert any("(https://pic.twitter.com/SiwTqWtykA)" in f["value"] for f in embed["fields"])

    voted = await twin.interaction_response(
        await twin.click_button(answer, f"ask:vote:down:{qid}", user=world.user)
    )
    assert voted.ephemeral and "👎 is recorded" in "\n".join(voted.texts())
    rows = bot.query("SELECT user_id, vote FROM feedback WHERE question_id = ?", (qid,))
    assert [tuple(r) for r in rows] == [(world.user.id, -1)]

    taken = await twin.interaction_response(
        await twin.click_button(abstention, suggestion["custom_id"], user=world.user), timeout=15
    )
    assert not taken.ephemeral and taken.message is not None
    assert embeds_of(taken.message)[0]["title"] == suggestion["label"]
    assert footer_fact_ids(taken.message)


async def test_sigterm_during_an_outage_stops_the_bot_promptly(tmp_path: Path) -> None:
    """Discord unreachable, the bot waiting out a reconnect backoff: SIGTERM must still stop it now,
    not after the backoff (which grows to many minutes, so an orchestrator would SIGKILL it)."""
    twin = await open_twin()
    guild = twin.create_guild("Outage Guild")
    twin.create_text_channel(guild, "general")
    bot = RealBot(twin, tmp_path / "outage", {"LOG_FILE": ""})  # logs on stdout, where we can wait for them
    try:
        proc = await bot.start_ready()
        await twin.stop()  # Discord goes away; the bot retries with exponential backoff

        start, delay = 0, 0.0
        while delay < 2.0:  # a backoff long enough to tell "stopped now" from "stopped after the sleep"
            match = await proc.wait_for_log(r"Attempting a reconnect in (\d+\.\d+)s", timeout=60, start=start)
            start, delay = match.end(), float(match[1])
        stopping = time.monotonic()
        returncode = await proc.stop(timeout=1.0)  # SIGTERM, then SIGKILL after 1 s (it takes ~0.1 s)

        assert returncode == 0, (
            f"SIGTERM did not stop the bot within 1 s (backoff {delay}s):\n{proc.log_tail()}"
        )
        assert time.monotonic() - stopping < 1.0
        assert "Shutting down" in proc.read_log()
    finally:
        await bot.close()
        await close_twin(twin)
