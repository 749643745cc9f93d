"""End to end: members asking the REAL bot questions, through the Discord twin.

One twin and one ``python bot.py run`` process serve the whole module; every test uses
its own members (the per-user cooldown is 30 s here) and, where order matters, its own
channel, so the tests do not interfere.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.e2e.bot_fixtures import (
    NEAR_MISSES,
    RealBot,
    close_twin,
    custom_ids,
    embeds_of,
    footer_fact_ids,
    message_text,
    open_twin,
)
from tests.e2e.twin import Channel, Guild, InteractionResponse, Role, Twin, User
from tests.e2e.twin.intents import MESSAGE_CONTENT
from tests.e2e.twin.permissions import MANAGE_GUILD

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

USER_COOLDOWN = 30.0
CHANNEL_COOLDOWN = 2.5
PROPOSE_EN = "what did WikiLeaks propose?"
PROPOSE_FR = "qu'a proposé WikiLeaks ?"
TWEET_URL = "https://pic.twitter.com/SiwTqWtykA"
OFF_TOPIC = "what's the weather in Paris?"


@dataclass
class Community:
    twin: Twin
    bot: RealBot
    guild: Guild
    general: Channel
    qa: Channel
    mod_role: Role  # listed in MODERATOR_ROLE_IDS
    managers: Role  # has Manage Server
    channels: dict[str, Channel]
    _users: list[User] = field(default_factory=list)

    def member(self, name: str, *, roles: tuple[Role, ...] = ()) -> User:
        """A fresh member (fresh cooldown)."""
        user = self.twin.create_user(f"{name}-{len(self._users)}")
        self.twin.add_member(self.guild, user, roles=roles)
        self._users.append(user)
        return user

    def channel(self, name: str) -> Channel:
        """A channel created before the bot started (so it is in the bot's cache, as in production)."""
        return self.channels[name]

    async def ask(self, user: User, question: str, *, channel: Channel | None = None, locale: str = "en-US"):
        interaction = await self.twin.invoke_slash(
            "ask", user=user, channel=channel or self.general, options={"question": question}, locale=locale
        )
        return await self.twin.interaction_response(interaction, timeout=15)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Community]:
    twin = await open_twin()
    try:
        guild = twin.create_guild("Community Guild")
        general = twin.create_text_channel(guild, "general")
        qa = twin.create_text_channel(guild, "questions")
        mod_role = twin.create_role(guild, "Moderators")
        managers = twin.create_role(guild, "Managers", permissions=MANAGE_GUILD)
        channels = {name: twin.create_text_channel(guild, name) for name in ("mentions", "pasted-novel")}
        bot = RealBot(
            twin,
            Path(tmp_path_factory.mktemp("community")),
            {
                "QA_CHANNEL_IDS": str(qa.id),
                "MODERATOR_ROLE_IDS": str(mod_role.id),
                "USER_COOLDOWN_SECONDS": str(USER_COOLDOWN),
                "CHANNEL_COOLDOWN_SECONDS": str(CHANNEL_COOLDOWN),
            },
        )
        try:
            await bot.start_ready()
            yield Community(twin, bot, guild, general, qa, mod_role, managers, channels)
        finally:
            await bot.close()
    finally:
        await close_twin(twin)


# ----------------------------------------------------------------------------- helpers
def the_message(response: InteractionResponse) -> dict[str, Any]:
    """The visible message of an interaction's answer (the edited @original or the follow-up)."""
    for msg in [response.message, *response.followups]:
        if msg and (msg.get("embeds") or msg.get("content")):
            return msg
    raise AssertionError(f"no visible message in {response}")


def question_id(message: dict[str, Any]) -> int:
    for cid in custom_ids(message):
        match = re.fullmatch(r"ask:(?:sources|vote:up|vote:down|suggest):([0-9]+)(?::[0-2])?", cid)
        if match:
            return int(match[1])
    raise AssertionError(f"no answer button in {custom_ids(message)}")


def field_value(message: dict[str, Any], name: str) -> str:
    [embed] = embeds_of(message)
    return "\n".join(f["value"] for f in embed.get("fields") or [] if f["name"] == name)


def assert_answers_propose(message: dict[str, Any]) -> None:
    assert "tax-returns-leak-offer" in footer_fact_ids(message)


async def near_miss_with_suggestions(world: Community) -> tuple[str, dict[str, Any]]:
    """The first of NEAR_MISSES the bot abstains on with "did you mean" buttons, and that answer."""
    tried = []
    for near_miss in NEAR_MISSES:
        abstention = the_message(await world.ask(world.member("vague"), near_miss))
        if any(cid.startswith("ask:suggest:") for cid in custom_ids(abstention)):
            return near_miss, abstention
        tried.append((near_miss, message_text(abstention)))
    pytest.fail(f"no near miss got 'did you mean' suggestions: {tried}")


# ------------------------------------------------------------------------------ /ask
async def test_ask_in_english_is_public_cited_and_logged(world: Community) -> None:
    user = world.member("reader")
    response = await world.ask(user, PROPOSE_EN)

    assert not response.ephemeral
    message = the_message(response)
    assert message["channel_id"] == str(world.general.id)
    assert_answers_propose(message)
    text = message_text(message)
    assert "tax returns" in text  # the offer to leak Donald Trump's tax returns
    sources = field_value(message, "Sources")
    assert "The Atlantic, 13 November 2017" in sources
    assert TWEET_URL in sources
    qid = question_id(message)
    assert set(custom_ids(message)) == {f"ask:sources:{qid}", f"ask:vote:up:{qid}", f"ask:vote:down:{qid}"}
    [row] = world.bot.query(
        "SELECT text, language, answered, fact_id FROM questions_asked WHERE id = ?", (qid,)
    )
    assert (row["text"], row["language"], row["answered"]) == (PROPOSE_EN, "en", 1)
    assert row["fact_id"] in footer_fact_ids(message)


async def test_a_vague_question_gets_the_story_in_brief_with_every_source(world: Community) -> None:
    message = the_message(await world.ask(world.member("newcomer"), "tl;dr?"))

    text = message_text(message)
    assert "The Atlantic" in text and "13 November 2017" in text and "tax returns" in text
    sources = field_value(message, "Sources")
    assert "The Atlantic, 13 November 2017" in sources and TWEET_URL in sources
    [row] = world.bot.query("SELECT answered FROM questions_asked WHERE id = ?", (question_id(message),))
    assert row["answered"] == 1


async def test_a_yes_no_question_is_answered_yes_or_no(world: Community) -> None:
    message = the_message(await world.ask(world.member("checker"), "Is Trump Jr. the youngest son of Trump?"))

    [embed] = embeds_of(message)
    assert embed["description"].startswith("No. Donald Trump Jr. is the eldest son")
    assert "trump-jr-eldest-son" in footer_fact_ids(message)


async def test_ask_in_french_answers_in_french(world: Community) -> None:
    response = await world.ask(world.member("lectrice"), PROPOSE_FR, locale="fr")

    message = the_message(response)
    assert_answers_propose(message)
    [embed] = embeds_of(message)
    assert embed["footer"]["text"].startswith("Réponse n° ")
    assert "faits : " in embed["footer"]["text"]
    assert "déclarations fiscales" in message_text(message)
    assert "The Atlantic, 13 novembre 2017" in field_value(message, "Sources")
    [row] = world.bot.query("SELECT language FROM questions_asked WHERE id = ?", (question_id(message),))
    assert row["language"] == "fr"


async def test_question_without_clear_language_follows_the_users_locale(world: Community) -> None:
    unclear = "WikiLeaks Trump Jr"  # names only: English and French alike
    french = the_message(await world.ask(world.member("fr-user"), unclear, locale="fr"))
    english = the_message(await world.ask(world.member("en-user"), unclear, locale="en-GB"))

    # Answered or not (that is the matcher's business), the reply speaks the user's language.
    french_text, english_text = message_text(french), message_text(english)
    assert "Réponse n° " in french_text or "Je ne sais pas" in french_text, french_text
    assert "Answer #" not in french_text and "I don't know" not in french_text
    assert "Answer #" in english_text or "I don't know" in english_text, english_text
    assert "Réponse n° " not in english_text and "Je ne sais pas" not in english_text
    rows = world.bot.query(
        "SELECT text, language FROM questions_asked WHERE text = ? ORDER BY id DESC LIMIT 2", (unclear,)
    )
    assert [r["language"] for r in rows] == ["en", "fr"]


# ------------------------------------------------------------------ mentions and DMs
async def test_mention_gets_the_same_answer_as_a_reply(world: Community) -> None:
    twin = world.twin
    channel = world.channel("mentions")
    by_slash = the_message(await world.ask(world.member("slasher"), PROPOSE_EN, channel=channel))

    question = await twin.send_message(channel, world.member("mentioner"), PROPOSE_EN, mention_bot=True)
    reply = await twin.wait_for_reply(question, require_reference=True, timeout=15)

    assert reply["message_reference"]["message_id"] == question["id"]
    assert reply["mentions"] == [] and reply["mention_everyone"] is False
    [slash_embed], [reply_embed] = embeds_of(by_slash), embeds_of(reply)
    assert reply_embed["title"] == slash_embed["title"] == PROPOSE_EN
    assert reply_embed["description"] == slash_embed["description"]
    assert reply_embed["fields"] == slash_embed["fields"]
    assert footer_fact_ids(reply) == footer_fact_ids(by_slash)
    assert question_id(reply) != question_id(by_slash)  # each question is logged


async def test_direct_message_gets_an_answer(world: Community) -> None:
    twin = world.twin
    user = world.member("dm-user")
    question = await twin.send_dm(user, PROPOSE_FR)

    reply = await twin.wait_for_reply(question, timeout=15)

    assert reply["channel_id"] == str(twin.dm_channel(user).id)
    assert_answers_propose(reply)
    assert embeds_of(reply)[0]["footer"]["text"].startswith("Réponse n° ")
    [row] = world.bot.query(
        "SELECT guild_id, language FROM questions_asked WHERE id = ?", (question_id(reply),)
    )
    assert row["guild_id"] is None and row["language"] == "fr"


# ------------------------------------------------------------------- passive Q&A channel
async def test_qa_channel_answers_confident_questions_once_per_cooldown(world: Community) -> None:
    twin, qa = world.twin, world.qa
    identify = [f for f in twin.gateway_frames if f.direction == "in" and f.op == 2]
    assert identify and all(f.d["intents"] & MESSAGE_CONTENT for f in identify)

    unsure = await twin.send_message(qa, world.member("chatter"), OFF_TOPIC)
    confident = await twin.send_message(qa, world.member("asker"), PROPOSE_EN)
    reply = await twin.wait_for_reply(confident, require_reference=True, timeout=15)
    cooldown_started = time.monotonic()
    assert_answers_propose(reply)

    too_soon = await twin.send_message(qa, world.member("asker"), "What did Trump Jr. tweet?")
    # A mention is always answered: once its reply is out, the earlier messages were handled too.
    sentinel = await twin.send_message(
        qa, world.member("pinger"), "who published the messages?", mention_bot=True
    )
    await twin.wait_for_reply(sentinel, require_reference=True, timeout=15)
    assert time.monotonic() - cooldown_started < CHANNEL_COOLDOWN, "the machine is too slow for this check"

    replied_to = {(m.get("message_reference") or {}).get("message_id") for m in twin.bot_messages_in(qa)}
    assert unsure["id"] not in replied_to
    assert too_soon["id"] not in replied_to
    # Chat noise never reaches the moderators' list of unanswered questions.
    assert world.bot.query("SELECT id FROM questions_asked WHERE text = ?", (OFF_TOPIC,)) == []

    # Wait out the channel cooldown (it is the behaviour under test), then ask again.
    remaining = cooldown_started + CHANNEL_COOLDOWN + 0.3 - time.monotonic()
    if remaining > 0:
        await asyncio.sleep(remaining)
    later = await twin.send_message(qa, world.member("patient"), "What did Trump Jr. tweet?")
    answer = await twin.wait_for_reply(later, require_reference=True, timeout=15)
    assert "trump-jr-tweet" in footer_fact_ids(answer)


# ------------------------------------------------------------------------ cooldowns
async def test_user_cooldown_is_ephemeral_and_per_user(world: Community) -> None:
    hasty, other = world.member("hasty"), world.member("other")
    first = await world.ask(hasty, PROPOSE_EN)
    assert not first.ephemeral
    logged_before = world.bot.query("SELECT COUNT(*) FROM questions_asked")[0][0]

    second = await world.ask(hasty, "What did Trump Jr. tweet?")

    assert second.ephemeral and second.callback_type == 4
    assert embeds_of(second.message) == []
    match = re.fullmatch(
        r"You're asking a little fast\. You can ask again <t:(\d+):R> \(in (\d+) s\)\.", second.content
    )
    assert match, second.content
    assert 1 <= int(match[2]) <= USER_COOLDOWN
    assert abs(int(match[1]) - (time.time() + int(match[2]))) <= 3
    # The refused question was not answered, not logged, and others can still ask.
    assert world.bot.query("SELECT COUNT(*) FROM questions_asked")[0][0] == logged_before
    third = await world.ask(other, "What did Trump Jr. tweet?")
    assert not third.ephemeral
    assert "trump-jr-tweet" in footer_fact_ids(the_message(third))


# ------------------------------------------------------------------------- buttons
async def test_sources_button_lists_every_source_ephemerally(world: Community) -> None:
    user = world.member("curious")
    answer = the_message(await world.ask(user, PROPOSE_EN))
    qid = question_id(answer)

    shown = await world.twin.interaction_response(
        await world.twin.click_button(answer, f"ask:sources:{qid}", user=user), timeout=15
    )

    assert shown.ephemeral
    [embed] = embeds_of(shown.message)
    assert embed["title"] == "Sources of this answer"
    by_title = {f["name"]: f["value"] for f in embed["fields"]}
    assert len(by_title) == 3
    atlantic = next(v for v in by_title.values() if "Publisher: The Atlantic" in v)
    assert "Date: 13 November 2017" in atlantic and "no link available" in atlantic
    tweet = next(v for v in by_title.values() if "@DonaldJTrumpJr" in v)
    assert f"({TWEET_URL})" in tweet
    # The public answer itself is unchanged.
    assert world.twin.message(answer)["embeds"] == answer["embeds"]


async def test_votes_are_one_per_user_and_can_change(world: Community) -> None:
    twin = world.twin
    voter, other = world.member("voter"), world.member("second-voter")
    answer = the_message(await world.ask(voter, PROPOSE_EN))
    qid = question_id(answer)

    up = await twin.interaction_response(
        await twin.click_button(answer, f"ask:vote:up:{qid}", user=voter), timeout=15
    )
    assert up.ephemeral and "👍 is recorded" in "\n".join(up.texts())
    assert [
        tuple(r) for r in world.bot.query("SELECT user_id, vote FROM feedback WHERE question_id = ?", (qid,))
    ] == [(voter.id, 1)]

    down = await twin.interaction_response(
        await twin.click_button(answer, f"ask:vote:down:{qid}", user=voter), timeout=15
    )
    assert down.ephemeral and "👎 is recorded" in "\n".join(down.texts())
    rows = world.bot.query("SELECT user_id, vote FROM feedback WHERE question_id = ?", (qid,))
    assert [tuple(r) for r in rows] == [(voter.id, -1)]

    await twin.interaction_response(
        await twin.click_button(answer, f"ask:vote:up:{qid}", user=other), timeout=15
    )
    rows = world.bot.query("SELECT user_id, vote FROM feedback WHERE question_id = ? ORDER BY vote", (qid,))
    assert [tuple(r) for r in rows] == [(voter.id, -1), (other.id, 1)]


async def test_did_you_mean_answers_the_suggestion_publicly(world: Community) -> None:
    twin = world.twin
    _, abstention = await near_miss_with_suggestions(world)
    qid = question_id(abstention)
    suggestions = [cid for cid in custom_ids(abstention) if cid.startswith(f"ask:suggest:{qid}:")]
    [embed] = embeds_of(abstention)
    assert embed["description"].startswith("I don't know that from this story.")
    assert "Questions I can answer that come close:" in embed["description"]
    assert suggestions[0] == f"ask:suggest:{qid}:0"
    button = next(
        c
        for row in abstention["components"]
        for c in row["components"]
        if c.get("custom_id") == suggestions[0]
    )
    [row] = world.bot.query("SELECT answered FROM questions_asked WHERE id = ?", (qid,))
    assert row["answered"] == 0  # an unanswered question, for the moderators' gaps list

    # Anyone in the channel may take the suggestion; the answer is for everyone.
    response = await twin.interaction_response(
        await twin.click_button(abstention, suggestions[0], user=world.member("bystander")), timeout=15
    )

    assert not response.ephemeral
    answered = the_message(response)
    assert embeds_of(answered)[0]["title"] == button["label"]
    assert footer_fact_ids(answered)  # a real, cited answer
    assert question_id(answered) != qid
    assert twin.message(abstention)["components"] == abstention["components"]


async def test_asker_can_take_a_suggestion_right_away(world: Community) -> None:
    near_miss, _ = await near_miss_with_suggestions(world)
    asker = world.member("hurried")
    abstention = the_message(await world.ask(asker, near_miss))
    suggestion = next(cid for cid in custom_ids(abstention) if cid.startswith("ask:suggest:"))

    response = await world.twin.interaction_response(
        await world.twin.click_button(abstention, suggestion, user=asker), timeout=15
    )

    assert not response.ephemeral, response.content
    assert footer_fact_ids(the_message(response))


# -------------------------------------------------------------------- hostile input
async def test_hostile_question_is_shown_not_obeyed(world: Community) -> None:
    hostile = "@everyone what did WikiLeaks propose? ```` [x](https://evil)"
    response = await world.ask(world.member("troll"), hostile)

    message = the_message(response)
    text = "\n".join(response.texts())
    assert "@everyone" not in text
    assert "](https://evil)" not in text and "https://evil" not in text
    assert message["mention_everyone"] is False and message["mentions"] == []
    sent = [r.json for r in response.requests if isinstance(r.json, dict)]
    bodies = [b.get("data", b) for b in sent]
    with_content = [b for b in bodies if "embeds" in b or "content" in b]
    assert with_content, [r.summary() for r in response.requests]
    for body in with_content:
        mentions = body["allowed_mentions"]
        assert mentions.get("parse") == [] and not mentions.get("users") and not mentions.get("roles")
        assert mentions.get("replied_user") is not True


async def test_huge_mention_gets_a_short_refusal(world: Community) -> None:
    twin = world.twin
    channel = world.channel("pasted-novel")
    novel = ("why " * 25_000).strip() + "?"
    assert len(novel) >= 99_999
    question = await twin.send_message(channel, world.member("novelist"), novel, mention_bot=True)

    reply = await twin.wait_for_reply(question, require_reference=True, timeout=15)

    text = message_text(reply)
    assert "characters long; please keep it under 500" in text
    assert len(text) < 600
    assert custom_ids(reply) == []
    assert "Traceback" not in world.bot.all_output()


# ----------------------------------------------------------------------------- /help
async def test_help_is_ephemeral_and_shows_curation_only_to_moderators(world: Community) -> None:
    twin = world.twin
    member = world.member("newcomer")
    moderator = world.member("moderator", roles=(world.mod_role,))

    plain = await twin.interaction_response(
        await twin.invoke_slash("help", user=member, channel=world.general), timeout=15
    )
    modded = await twin.interaction_response(
        await twin.invoke_slash("help", user=moderator, channel=world.general), timeout=15
    )
    manager = await twin.interaction_response(
        await twin.invoke_slash(
            "help", user=world.member("manager", roles=(world.managers,)), channel=world.general
        ),
        timeout=15,
    )

    def sections(response: InteractionResponse) -> list[str]:
        assert response.ephemeral
        [embed] = embeds_of(response.message)
        return [f["name"] for f in embed["fields"]]

    assert "How to ask" in sections(plain) and "Teaching me (moderators)" not in sections(plain)
    assert "Teaching me (moderators)" in sections(modded)
    assert "Teaching me (moderators)" in sections(manager)
    assert "/facts gaps" not in "\n".join(plain.texts())
    assert "/ask" in "\n".join(plain.texts())
