"""End to end under load: the REAL bot answering hundreds of questions at once, through the twin.

One twin and one ``python bot.py run`` process serve the module; a test that needs other
cooldowns restarts the bot with them (``LoadWorld.use_cooldowns``). Every test uses fresh
members. The load itself is driven by ``bench/e2e_load.py``, shared with ``python -m bench.e2e``.

The twin's honest rate-limit buckets (50 requests per second per route and channel, reported
in ``X-RateLimit-*`` headers like Discord's) are raised to ``RATE_LIMIT`` here: with them,
discord.py would rightly queue 50 members' replies behind a 50/s channel bucket and the test
would time the simulated quota, not the bot. Rate limits are exercised on purpose instead, by
the 429 storm (``inject_rate_limit``), which the raised buckets do not affect.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from bench import e2e as bench_e2e
from bench.e2e_load import (
    CALLBACK_ROUTE,
    MESSAGES_ROUTE,
    WEBHOOK_ROUTE,
    Delivery,
    LoadResult,
    ReplyTracker,
    assign,
    question_mix,
    run_load,
)
from bench.report import markers, read_section
from tests.e2e.bot_fixtures import RealBot, close_twin, embeds_of, footer_fact_ids, open_twin
from tests.e2e.twin import Channel, Guild, Role, Twin, TwinConfig, User
from tests.e2e.twin.permissions import MANAGE_GUILD

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

RATE_LIMIT = 10_000  # requests per bucket per second (the twin's default is 50)
QUESTION_TIMEOUT = 30.0
USER_COOLDOWN = 30.0
CHANNEL_COOLDOWN = 30.0
EDITED_FACTS = ("tax-returns-leak-offer", "trump-jr-tweet")
CONFIDENT = ("what did WikiLeaks propose?", "What did Trump Jr. tweet?")
COOLDOWN_REFUSAL = re.compile(r"You're asking a little fast\. You can ask again <t:\d+:R> \(in \d+ s\)\.")
LOG_PROBLEM = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback")


@dataclass
class LoadWorld:
    twin: Twin
    bot: RealBot
    guild: Guild
    load_channels: list[Channel]
    storm: Channel
    qa: Channel
    curation: Channel
    mod_role: Role
    cooldowns: tuple[float, float] = (0.0, 0.0)  # (user, channel) the running bot has
    _created: int = field(default=0)

    def member(self, name: str, *, roles: tuple[Role, ...] = ()) -> User:
        self._created += 1
        user = self.twin.create_user(f"{name}-{self._created}")
        self.twin.add_member(self.guild, user, roles=roles)
        return user

    def members(self, name: str, count: int, *, roles: tuple[Role, ...] = ()) -> list[User]:
        return [self.member(name, roles=roles) for _ in range(count)]

    async def use_cooldowns(self, *, user: float, channel: float) -> None:
        """Restart the bot (same database) if it runs with other cooldowns."""
        if self.cooldowns == (user, channel):
            return
        await self.bot.stop()
        self.bot.settings["USER_COOLDOWN_SECONDS"] = str(user)
        self.bot.settings["CHANNEL_COOLDOWN_SECONDS"] = str(channel)
        await self.bot.start_ready()
        self.cooldowns = (user, channel)

    def count(self, sql: str, params: tuple[object, ...] = ()) -> int:
        return int(self.bot.query(sql, params)[0][0])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LoadWorld]:
    twin = await open_twin(TwinConfig(rate_limit=RATE_LIMIT))
    try:
        guild = twin.create_guild("Load Guild")
        load_channels = [twin.create_text_channel(guild, f"load-{i}") for i in range(4)]
        storm = twin.create_text_channel(guild, "storm")
        qa = twin.create_text_channel(guild, "questions")
        curation = twin.create_text_channel(guild, "curation")
        mod_role = twin.create_role(guild, "Moderators", permissions=MANAGE_GUILD)
        bot = RealBot(
            twin,
            Path(tmp_path_factory.mktemp("load")),
            {
                "QA_CHANNEL_IDS": str(qa.id),
                "MODERATOR_ROLE_IDS": str(mod_role.id),
                "USER_COOLDOWN_SECONDS": "0",
                "CHANNEL_COOLDOWN_SECONDS": "0",
            },
        )
        try:
            await bot.start_ready()
            yield LoadWorld(twin, bot, guild, load_channels, storm, qa, curation, mod_role)
        finally:
            await bot.close()
    finally:
        await close_twin(twin)


# ----------------------------------------------------------------------------- helpers
def assert_clean_run(world: LoadWorld) -> None:
    """No ERROR/CRITICAL/Traceback anywhere in the bot's output; nothing over Discord's limits."""
    problems = [line for line in world.bot.all_output().splitlines() if LOG_PROBLEM.search(line)]
    assert problems == [], "\n".join(problems[:20])
    violations = world.twin.limit_violations()
    assert violations == [], "\n".join(str(v) for v in violations[:20])


def ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def assert_delivered_once(world: LoadWorld, tracker: ReplyTracker, delivery: Delivery) -> None:
    """The question got exactly one visible answer: one reply to the mention, or one callback
    and (after a defer) one follow-up for the interaction, none of them ephemeral."""
    if delivery.message_id is not None:
        replies = tracker.replies[delivery.message_id]
        assert len(replies) == 1, f"{delivery.describe()}: {len(replies)} replies"
        reply = replies[0].response
        assert isinstance(reply, dict) and (reply.get("embeds") or reply.get("content")), reply
        return
    interaction = delivery.interaction
    assert interaction is not None
    assert interaction.rejected == [], f"{delivery.describe()}: {interaction.rejected}"
    sent = [r for r in interaction.requests if ok(r.status)]
    callbacks = [r for r in sent if r.route == CALLBACK_ROUTE]
    followups = [r for r in sent if r.route == WEBHOOK_ROUTE and r.method == "POST"]
    assert len(callbacks) == 1, f"{delivery.describe()}: {len(callbacks)} callbacks"
    # Answered at once (callback 4), or deferred (5) then followed up exactly once: never both.
    assert (interaction.callback_type, len(followups)) in ((4, 0), (5, 1)), (
        f"{delivery.describe()}: callback {interaction.callback_type}, {len(followups)} follow-ups"
    )
    response = world.twin.response_to(interaction)
    assert not response.ephemeral and embeds_of(response.message), response


def english_wordings(world: LoadWorld, fact_id: str, revision: int) -> set[str]:
    [row] = world.bot.query(
        "SELECT snapshot FROM fact_revisions WHERE fact_id = ? AND revision = ?", (fact_id, revision)
    )
    return set(json.loads(row["snapshot"])["questions"]["en"])


def assert_all_answered(result: LoadResult, expected: int) -> None:
    assert not result.failures, result.failure_report()
    assert len(result.answered) == expected


# ------------------------------------------------------------------------------ load
async def test_500_questions_from_50_members_and_20_moderator_edits_all_land(world: LoadWorld) -> None:
    await world.use_cooldowns(user=0, channel=0)
    twin = world.twin
    questions = question_mix(500)
    mix = Counter((q.kind, q.language if q.on_topic else "off-topic") for q in questions)
    assert {kind for kind, _ in mix} == {"slash", "mention"}
    assert {language for _, language in mix} == {"en", "fr", "off-topic"}
    readers = world.members("reader", 50)
    moderators = world.members("curator", 4, roles=(world.mod_role,))
    edits = [
        (moderators[i % 4], EDITED_FACTS[i % 2], f"load wording {i}: what exactly did they offer, part {i}?")
        for i in range(20)
    ]
    logged_before = world.count("SELECT COUNT(*) FROM questions_asked")

    async with ReplyTracker(twin) as tracker:
        load = asyncio.create_task(
            run_load(
                twin,
                assign(questions, readers, world.load_channels),
                timeout=QUESTION_TIMEOUT,
                tracker=tracker,
            )
        )

        async def edit(index: int) -> tuple[float, str]:
            # Spread the edits over the first half of the load (edit i once (i + 1)/44 of it is answered),
            # so all 20 are dispatched while questions are still in flight, however fast the bot is.
            while tracker.answered < (index + 1) * len(questions) // 44 and not load.done():
                await asyncio.sleep(0.02)
            moderator, fact_id, text = edits[index]
            interaction = await twin.invoke_slash(
                "facts variant",
                user=moderator,
                channel=world.curation,
                options={"fact_id": fact_id, "action": "add", "language": "en", "text": text},
            )
            response = await twin.interaction_response(interaction, timeout=QUESTION_TIMEOUT)
            return interaction.created_at, response.content

        done = await asyncio.gather(*(edit(index) for index in range(len(edits))))
        result = await load

    # Every question answered, each exactly once, and each one logged.
    assert_all_answered(result, 500)
    for delivery in result.deliveries:
        assert_delivered_once(world, tracker, delivery)
    assert world.count("SELECT COUNT(*) FROM questions_asked") == logged_before + 500

    # Every edit was made during the load, confirmed to its moderator, and stored: 20 new
    # revisions with the moderator's id, and no edit lost to a concurrent one.
    assert len(done) == 20
    assert all(dispatched < result.finished_at for dispatched, _ in done), "an edit came after the load"
    assert all(content.startswith("Added the English wording") for _, content in done), done
    rows = world.bot.query(
        "SELECT fact_id, revision, actor_id FROM fact_revisions WHERE kind = 'variant' AND actor_id IN "
        f"({','.join('?' * len(moderators))})",
        tuple(str(m.id) for m in moderators),
    )
    assert len(rows) == 20
    recorded = {}
    for row in rows:
        [added] = english_wordings(world, row["fact_id"], row["revision"]) - english_wordings(
            world, row["fact_id"], row["revision"] - 1
        )
        recorded[added] = (row["fact_id"], row["actor_id"])
    assert recorded == {text: (fact_id, str(moderator.id)) for moderator, fact_id, text in edits}
    for fact_id in EDITED_FACTS:
        [(latest,)] = world.bot.query(
            "SELECT MAX(revision) FROM fact_revisions WHERE fact_id = ?", (fact_id,)
        )
        assert {text for _, fid, text in edits if fid == fact_id} <= english_wordings(world, fact_id, latest)
    assert_clean_run(world)


# -------------------------------------------------------------------------- 429 storm
async def test_429_storm_every_reply_is_delivered_exactly_once(world: LoadWorld) -> None:
    twin = world.twin
    askers = world.members("stormy", 50)
    questions = question_mix(50, seed=429)
    since = time.monotonic()
    injections = [
        twin.inject_rate_limit(
            "POST", MESSAGES_ROUTE, times=1, retry_after=0.5, scope="global", is_global=True
        ),
        # discord.py queues a channel's messages behind the one being retried and gives a request
        # five tries: one global and two bucket 429s may all fall on one reply and it still lands.
        twin.inject_rate_limit("POST", MESSAGES_ROUTE, times=2, retry_after=0.3),
        # /ask answers in its callback (a follow-up only when an answer takes over 1.5 s).
        twin.inject_rate_limit("POST", CALLBACK_ROUTE, times=3, retry_after=0.25, scope="shared"),
    ]

    async with ReplyTracker(twin) as tracker:
        result = await run_load(
            twin, assign(questions, askers, [world.storm]), timeout=QUESTION_TIMEOUT, tracker=tracker
        )

    assert all(i.exhausted for i in injections), [(i.route, i.served, i.times) for i in injections]
    limited = [r for r in twin.requests if r.rate_limited and r.at >= since]
    assert len(limited) == sum(i.times for i in injections)
    # Each 429 was honoured: the same request came again, no sooner than retry_after.
    for refused in limited:
        retry_after = float(refused.response["retry_after"])
        retry = next(
            r
            for r in twin.requests
            if r.seq > refused.seq and r.path == refused.path and r.json == refused.json
        )
        assert retry.at - refused.at >= retry_after * 0.9, (refused.summary(), retry.summary())
    assert_all_answered(result, 50)
    for delivery in result.deliveries:
        assert_delivered_once(world, tracker, delivery)
    # The channel holds one answer per question: no retry produced a duplicate.
    assert len(twin.bot_messages_in(world.storm)) == 50
    assert_clean_run(world)


# ---------------------------------------------------------------------------- cooldowns
async def test_user_cooldown_holds_when_one_member_fires_five_at_once(world: LoadWorld) -> None:
    await world.use_cooldowns(user=USER_COOLDOWN, channel=CHANNEL_COOLDOWN)
    twin, channel = world.twin, world.load_channels[0]
    hasty = world.member("hasty")
    asked = [f"{CONFIDENT[i % 2]} (take {i})" for i in range(5)]

    interactions = await asyncio.gather(
        *(twin.invoke_slash("ask", user=hasty, channel=channel, options={"question": q}) for q in asked)
    )
    responses = await asyncio.gather(
        *(twin.interaction_response(i, timeout=QUESTION_TIMEOUT) for i in interactions)
    )

    answers = [r for r in responses if not r.ephemeral]
    refusals = [r for r in responses if r.ephemeral]
    assert len(answers) == 1 and len(refusals) == 4, [r.content for r in responses]
    assert footer_fact_ids(answers[0].message or {})
    for refusal in refusals:
        assert refusal.callback_type == 4 and COOLDOWN_REFUSAL.fullmatch(refusal.content), refusal.content
    placeholders = ",".join("?" * len(asked))
    assert (
        world.count(f"SELECT COUNT(*) FROM questions_asked WHERE text IN ({placeholders})", tuple(asked)) == 1
    )

    # The same holds for mentions: one answer, four public cooldown notices.
    rushed = world.member("rushed")
    mentions = await asyncio.gather(*(twin.send_message(channel, rushed, q, mention_bot=True) for q in asked))
    replies = await asyncio.gather(
        *(twin.wait_for_reply(m, require_reference=True, timeout=QUESTION_TIMEOUT) for m in mentions)
    )
    answered = [r for r in replies if embeds_of(r)]
    notices = [r for r in replies if not embeds_of(r)]
    assert len(answered) == 1 and len(notices) == 4, [r.get("content") for r in replies]
    assert all(COOLDOWN_REFUSAL.fullmatch(r["content"]) for r in notices)
    assert_clean_run(world)


async def test_qa_channel_cooldown_lets_one_of_ten_simultaneous_questions_through(world: LoadWorld) -> None:
    await world.use_cooldowns(user=USER_COOLDOWN, channel=CHANNEL_COOLDOWN)
    twin, qa = world.twin, world.qa
    askers = world.members("qa-asker", 10)
    started = time.monotonic()

    asked = await asyncio.gather(*(twin.send_message(qa, u, CONFIDENT[i % 2]) for i, u in enumerate(askers)))
    ids = {m["id"] for m in asked}
    # The bot decides each passive answer before its first await, in gateway order: once this
    # later mention is answered, all ten were decided.
    sentinel = await twin.send_message(
        qa, world.member("pinger"), "who published the messages?", mention_bot=True
    )
    await twin.wait_for_reply(sentinel, require_reference=True, timeout=QUESTION_TIMEOUT)

    def answers_one(message: dict) -> bool:
        return (message.get("message_reference") or {}).get("message_id") in ids

    first = await twin.wait_for_bot_message(qa, predicate=answers_one, timeout=QUESTION_TIMEOUT)
    took = time.monotonic() - started
    await asyncio.sleep(max(1.0, 2 * took))  # a second winner would have replied by now
    replies = [m for m in twin.bot_messages_in(qa) if answers_one(m)]
    assert replies == [first]
    assert footer_fact_ids(first)
    placeholders = ",".join("?" * len(CONFIDENT))
    logged = world.count(
        f"SELECT COUNT(*) FROM questions_asked WHERE channel_id = ? AND text IN ({placeholders})",
        (qa.id, *CONFIDENT),
    )
    assert logged == 1
    assert_clean_run(world)


# ------------------------------------------------------------------------ bench smoke
async def test_bench_e2e_runs_a_tiny_load_and_writes_a_well_formed_section(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    start, end = markers("matching")
    out.write_text(f"# Benchmarks\n\n{start}\nkept as it was\n{end}\n", encoding="utf-8")

    code = await asyncio.to_thread(
        bench_e2e.main, ["--questions", "10", "--users", "2", "--rounds", "1", "--out", str(out)]
    )

    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert read_section(out, "matching") == "kept as it was"
    for name in ("matching", "e2e"):
        for marker in markers(name):
            assert text.count(marker) == 1
    body = read_section(out, "e2e")
    assert body is not None and body.startswith("## End-to-end throughput")
    assert "python -m bench.e2e --questions 10 --users 2 --rounds 1 --out " in body
    for heading in ("### Target", "### Medians", "### Every run"):
        assert heading in body
    runs = [line for line in body.splitlines() if re.match(r"\| \d+ +\| (bot|floor) ", line)]
    assert [line.split("|")[2].strip() for line in runs] == ["bot", "floor"]
    assert all("| 10/10 " in line for line in runs), runs
    assert re.search(r"\| the bot keeps ≥ 80% of the floor's throughput \| \d+% \(", body)
