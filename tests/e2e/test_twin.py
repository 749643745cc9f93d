"""Self-tests of the Discord twin, driving real discord.py bots as subprocesses.

If these pass, the twin is faithful enough for an unmodified discord.py bot
to log in, sync commands, connect, answer slash commands and mentions,
survive 429s and gateway reconnects, and the twin's own checks (unknown
routes, message limits) work.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import time

import aiohttp
import pytest

from tests.e2e.conftest import REPO_ROOT, BotFactory, FloorWorld
from tests.e2e.floor_bot import ASK_REPLY, MENTION_REPLY
from tests.e2e.twin import (
    AttachmentSpec,
    InvocationError,
    RecordedRequest,
    Twin,
    WaitAborted,
    check_message_payload,
    check_request,
)
from tests.e2e.twin.intents import (
    DIRECT_MESSAGES,
    GUILD_MESSAGES,
    MESSAGE_CONTENT,
    event_allowed,
    redact_message,
)
from tests.e2e.twin.interactions import command_data
from tests.e2e.twin.permissions import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    MANAGE_GUILD,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from tests.e2e.twin.state import TwinState

MESSAGES_ROUTE = "/channels/{channel_id}/messages"
UI_PROBE_BOT = [sys.executable, str(REPO_ROOT / "tests" / "e2e" / "twin" / "ui_probe_bot.py")]


def assert_clean(twin: Twin) -> None:
    """Every message the bot sent respects Discord's limits and our mention policy."""
    assert twin.limit_violations() == []


# ------------------------------------------------------------ floor bot e2e
@pytest.mark.e2e
@pytest.mark.asyncio
async def test_slash_ask_gets_fixed_reply(floor_bot: FloorWorld) -> None:
    twin = floor_bot.twin
    [cmd] = twin.registered_commands(floor_bot.guild)
    assert cmd["name"] == "ask" and cmd["options"][0]["name"] == "question"

    interaction = await twin.invoke_slash(
        "ask", user=floor_bot.user, channel=floor_bot.channel, options={"question": "why?"}
    )
    response = await twin.interaction_response(interaction)

    assert response.callback_type == 4
    assert response.content == ASK_REPLY
    assert response.message is not None and response.message["type"] == 20
    assert interaction.callback is not None and interaction.callback.query.get("with_response") in (
        "1",
        "true",
    )
    # The compressed gateway stream discord.py asked for was used.
    assert twin.hub.connections[0].query.get("compress") == "zlib-stream"
    assert_clean(twin)


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_slash_command_absent_in_dm_fails_clearly(floor_bot: FloorWorld) -> None:
    with pytest.raises(InvocationError, match="has not registered /ask"):
        await floor_bot.twin.invoke_slash("ask", user=floor_bot.user, options={"question": "dm?"})
    with pytest.raises(InvocationError, match="no option"):
        await floor_bot.twin.invoke_slash(
            "ask", user=floor_bot.user, channel=floor_bot.channel, options={"q": "x"}
        )


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_mention_gets_reply(floor_bot: FloorWorld) -> None:
    twin = floor_bot.twin
    message = await twin.send_message(floor_bot.channel, floor_bot.user, "what happened?", mention_bot=True)

    reply = await twin.wait_for_reply(message)

    assert reply["content"] == MENTION_REPLY
    assert reply["message_reference"]["message_id"] == message["id"]
    assert_clean(twin)


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_unmentioned_guild_message_arrives_without_content(floor_bot: FloorWorld) -> None:
    twin, bot = floor_bot.twin, floor_bot.bot
    message = await twin.send_message(floor_bot.channel, floor_bot.user, "secret words")
    await bot.wait_for_log(rf"FLOOR_BOT_MESSAGE id={message['id']} content=''")

    frame = await twin.wait_for_gateway(lambda f: f.t == "MESSAGE_CREATE" and f.d["id"] == message["id"])
    assert frame.d["content"] == ""
    # DMs keep their content without the MESSAGE_CONTENT intent.
    dm = await twin.send_dm(floor_bot.user, "dm words")
    await bot.wait_for_log(rf"FLOOR_BOT_MESSAGE id={dm['id']} content='dm words'")
    assert twin.bot_messages_in(floor_bot.channel) == []


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_rate_limited_message_create_is_retried(floor_bot: FloorWorld) -> None:
    twin = floor_bot.twin
    injection = twin.inject_rate_limit("POST", MESSAGES_ROUTE, times=2, retry_after=0.3)
    message = await twin.send_message(floor_bot.channel, floor_bot.user, "ping", mention_bot=True)

    reply = await twin.wait_for_reply(message)

    assert reply["content"] == MENTION_REPLY
    posts = twin.requests_to("POST", MESSAGES_ROUTE)
    assert [p.status for p in posts] == [429, 429, 200]
    assert posts[0].response_headers["Via"] and posts[0].response_headers["X-RateLimit-Scope"] == "user"
    assert posts[0].response_headers["Retry-After"] == "1"
    assert posts[1].at - posts[0].at >= 0.28 and posts[2].at - posts[1].at >= 0.28
    assert injection.exhausted
    assert "X-RateLimit-Bucket" in posts[2].response_headers
    assert_clean(twin)


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_op7_reconnect_is_resumed(floor_bot: FloorWorld) -> None:
    twin = floor_bot.twin
    since = time.monotonic()
    assert await twin.force_reconnect() == 1

    await twin.wait_for_resume(since=since)

    resumes = [f for f in twin.gateway_frames if f.direction == "in" and f.op == 6 and f.at >= since]
    identifies = [f for f in twin.gateway_frames if f.direction == "in" and f.op == 2 and f.at >= since]
    assert len(resumes) == 1 and identifies == []
    interaction = await twin.invoke_slash(
        "ask", user=floor_bot.user, channel=floor_bot.channel, options={"question": "after"}
    )
    assert (await twin.interaction_response(interaction)).content == ASK_REPLY
    assert_clean(twin)


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_dropped_socket_is_survived_and_missed_events_replayed(floor_bot: FloorWorld) -> None:
    twin = floor_bot.twin
    since = time.monotonic()
    assert twin.drop_connections() == 1
    # Sent while the bot is disconnected: buffered by the session and replayed on RESUME.
    missed = await twin.send_message(floor_bot.channel, floor_bot.user, "are you there?", mention_bot=True)

    await twin.wait_for_resume(since=since)
    reply = await twin.wait_for_reply(missed)

    assert reply["content"] == MENTION_REPLY
    assert [f for f in twin.gateway_frames if f.direction == "in" and f.op == 2 and f.at >= since] == []
    later = await twin.send_message(floor_bot.channel, floor_bot.user, "and now?", mention_bot=True)
    assert (await twin.wait_for_reply(later))["content"] == MENTION_REPLY
    assert_clean(twin)


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_global_command_in_dm_and_invalid_session_reidentify(
    twin: Twin, bot_process: BotFactory
) -> None:
    guild = twin.create_guild("Global Guild")
    carol = twin.create_user("carol")
    twin.add_member(guild, carol)
    bot_process(env={"DEV_GUILD_IDS": ""}, name="global")
    await twin.wait_until_ready(timeout=30)
    assert [c["name"] for c in twin.registered_commands()] == ["ask"]

    dm = await twin.interaction_response(
        await twin.invoke_slash("ask", user=carol, options={"question": "dm"})
    )
    assert dm.content == ASK_REPLY and dm.message is not None and "guild_id" not in dm.message

    since = time.monotonic()
    await twin.invalidate_session(resumable=False)
    # discord.py waits 5 s before a non-initial IDENTIFY.
    await twin.wait_until_ready(timeout=15, commands=False, since=since)
    again = await twin.interaction_response(
        await twin.invoke_slash("ask", user=carol, options={"question": "again"})
    )
    assert again.content == ASK_REPLY
    assert_clean(twin)


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_killed_bot_can_be_restarted(floor_bot: FloorWorld, bot_process: BotFactory) -> None:
    twin = floor_bot.twin
    floor_bot.bot.kill()
    since = time.monotonic()
    bot_process(name="floor-restarted")
    await twin.wait_until_ready(timeout=30, since=since)
    message = await twin.send_message(floor_bot.channel, floor_bot.user, "back?", mention_bot=True)
    assert (await twin.wait_for_reply(message))["content"] == MENTION_REPLY
    assert_clean(twin)


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_waits_fail_fast_when_the_bot_crashes(twin: Twin, bot_process: BotFactory) -> None:
    bot_process([sys.executable, "-c", "print('boom: no token'); raise SystemExit(3)"], name="crashing")
    started = time.monotonic()
    with pytest.raises(WaitAborted, match="boom: no token"):
        await twin.wait_until_ready(timeout=30)
    assert time.monotonic() - started < 5


# ---------------------------------------------------------- UI probe e2e
@pytest.mark.e2e
@pytest.mark.asyncio
async def test_components_modals_defer_autocomplete_permissions(twin: Twin, bot_process: BotFactory) -> None:
    guild = twin.create_guild("Probe Guild")
    channel = twin.create_text_channel(guild, "probe")
    bob = twin.create_user("bob")
    twin.add_member(guild, bob)
    bot_process(UI_PROBE_BOT, name="probe")
    await twin.wait_until_ready(timeout=30)

    panel = await twin.interaction_response(await twin.invoke_slash("panel", user=bob, channel=channel))
    assert panel.content == "panel" and panel.message is not None

    picked = await twin.interaction_response(await twin.select(panel.message, "probe:pick", ["b"], user=bob))
    assert picked.callback_type == 7 and twin.message(panel.message)["content"] == "picked b"

    click = await twin.click_button(panel.message, "probe:open", user=bob)
    opened = await twin.interaction_response(click)
    assert opened.callback_type == 9 and opened.modal is not None and opened.modal["title"] == "Probe form"
    submitted = await twin.interaction_response(await twin.submit_modal(click, {"probe:note": "hello"}))
    assert submitted.content == "note=hello" and submitted.ephemeral

    slow = await twin.interaction_response(await twin.invoke_slash("slow", user=bob, channel=channel))
    assert slow.callback_type == 5 and slow.message is not None and slow.message["content"] == "slow done"

    choices = await twin.autocomplete("topic", user=bob, channel=channel, focused="name", value="ec")
    assert [c["value"] for c in choices] == ["economy", "ecology"]

    with pytest.raises(InvocationError, match="default_member_permissions"):
        await twin.invoke_slash("admin", user=bob, channel=channel)
    exposed = await twin.interaction_response(
        await twin.invoke_slash("admin", user=bob, channel=channel, integration_override=True)
    )
    assert exposed.content == f"perms={twin.permissions_of(bob, channel)} manage_guild=False"

    overridden = await twin.interaction_response(
        await twin.invoke_slash(
            "admin",
            user=bob,
            channel=channel,
            integration_override=True,
            permissions=MANAGE_GUILD,
            locale="fr",
        )
    )
    assert overridden.content == f"perms={MANAGE_GUILD} manage_guild=True"
    assert overridden.interaction.payload["locale"] == "fr"

    upload = await twin.invoke_slash(
        "upload",
        user=bob,
        channel=channel,
        options={"file": AttachmentSpec("notes.txt", b"12345", "text/plain")},
    )
    uploaded = await twin.interaction_response(upload)
    assert uploaded.content == "got 5 bytes from notes.txt"
    assert (
        uploaded.interaction.callback is not None and uploaded.interaction.callback.files[0].data == b"54321"
    )
    assert uploaded.message is not None
    [echo] = uploaded.message["attachments"]
    async with aiohttp.ClientSession() as session, session.get(echo["url"]) as resp:
        assert echo["filename"] == "echo-notes.txt" and await resp.read() == b"54321"
    assert_clean(twin)


# ------------------------------------------------------------- unit tests
@pytest.mark.e2e
@pytest.mark.asyncio
async def test_unknown_route_is_recorded_and_flagged() -> None:
    async with Twin() as twin:
        headers = {"Authorization": f"Bot {twin.token}"}
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{twin.api_base}/users/@me", headers=headers) as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"] == "application/json"
                assert {
                    "X-RateLimit-Limit",
                    "X-RateLimit-Remaining",
                    "X-RateLimit-Reset",
                    "X-RateLimit-Reset-After",
                    "X-RateLimit-Bucket",
                } <= set(resp.headers)
            async with session.get(f"{twin.api_base}/users/@me") as resp:
                assert resp.status == 401
            async with session.post(f"{twin.api_base}/no/such/route", json={"x": 1}, headers=headers) as resp:
                assert resp.status == 404
        [unknown] = twin.unknown_requests
        assert unknown.method == "POST" and unknown.api_path == "/no/such/route" and unknown.json == {"x": 1}
        with pytest.raises(AssertionError, match="does not implement"):
            twin.assert_no_unknown_routes()


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_zstd_stream_without_zstandard_is_refused_clearly() -> None:
    if importlib.util.find_spec("zstandard") is not None:
        pytest.skip("zstandard is installed; zstd-stream is supported")
    async with (
        Twin() as twin,
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{twin.gateway_url}?v=10&encoding=json&compress=zstd-stream") as ws,
    ):
        msg = await asyncio.wait_for(ws.receive(), timeout=5)
        assert msg.type == aiohttp.WSMsgType.CLOSE and ws.close_code == 4000
        assert "zstandard" in (msg.extra or "")


def _request(method: str, route: str, body: object) -> RecordedRequest:
    return RecordedRequest(
        seq=1, method=method, path="/api/v10" + route, route=route, params={}, query={}, headers={}, json=body
    )


NONE_MENTIONS = {"parse": []}


def test_limits_accept_good_payload() -> None:
    good = {
        "content": "x" * 2000,
        "embeds": [
            {"title": "t" * 256, "description": "d" * 4096, "fields": [{"name": "n", "value": "v" * 1024}]}
        ],
        "allowed_mentions": NONE_MENTIONS,
    }
    assert check_message_payload(good) == []
    assert check_message_payload({"components": []}, is_edit=True) == []
    assert check_request(_request("POST", MESSAGES_ROUTE, good)) == []
    assert (
        check_request(
            _request("POST", "/interactions/{interaction_id}/{interaction_token}/callback", {"type": 5})
        )
        == []
    )
    assert check_request(_request("GET", MESSAGES_ROUTE, None)) == []


@pytest.mark.parametrize(
    ("payload", "rule"),
    [
        ({"content": "x" * 2001, "allowed_mentions": NONE_MENTIONS}, "content_length"),
        ({"embeds": [{"title": "t" * 257}], "allowed_mentions": NONE_MENTIONS}, "embed_title"),
        ({"embeds": [{"description": "d" * 4097}], "allowed_mentions": NONE_MENTIONS}, "embed_description"),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}], "allowed_mentions": NONE_MENTIONS},
            "embed_field_count",
        ),
        (
            {"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}], "allowed_mentions": NONE_MENTIONS},
            "embed_field_name",
        ),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}], "allowed_mentions": NONE_MENTIONS},
            "embed_field_value",
        ),
        ({"embeds": [{"footer": {"text": "f" * 2049}}], "allowed_mentions": NONE_MENTIONS}, "embed_footer"),
        ({"embeds": [{"author": {"name": "a" * 257}}], "allowed_mentions": NONE_MENTIONS}, "embed_author"),
        (
            {
                "embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}],
                "allowed_mentions": NONE_MENTIONS,
            },
            "embed_total",
        ),
        ({"embeds": [{"title": "t"}] * 11, "allowed_mentions": NONE_MENTIONS}, "embed_count"),
        ({"content": "hi"}, "allowed_mentions_missing"),
        ({"content": "hi", "allowed_mentions": {"parse": ["users"]}}, "allowed_mentions_parse"),
        ({"content": "hi", "allowed_mentions": {"parse": [], "users": ["1"]}}, "allowed_mentions_users"),
        ({"content": "hi", "allowed_mentions": {"parse": [], "roles": ["1"]}}, "allowed_mentions_roles"),
        (
            {"content": "hi", "allowed_mentions": {"parse": [], "replied_user": True}},
            "allowed_mentions_replied_user",
        ),
    ],
)
def test_limits_flag_bad_payload(payload: dict[str, object], rule: str) -> None:
    assert rule in {v.rule for v in check_message_payload(payload)}


def test_limits_apply_to_callbacks_followups_and_edits() -> None:
    callback = _request(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        {"type": 4, "data": {"content": "x" * 2001}},
    )
    assert {v.rule for v in check_request(callback)} == {"content_length", "allowed_mentions_missing"}
    followup = _request("POST", "/webhooks/{webhook_id}/{webhook_token}", {"content": "hi"})
    assert [v.rule for v in check_request(followup)] == ["allowed_mentions_missing"]
    edit = _request("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", {"content": "hi"})
    assert [v.rule for v in check_request(edit)] == ["allowed_mentions_missing"]


def test_command_data_walks_groups_validates_and_resolves() -> None:
    state = TwinState()
    owner = state.add_user("owner")
    guild = state.add_guild("g", owner=owner)
    channel = state.add_text_channel(guild, "c")
    leaf = [
        {
            "type": 3,
            "name": "mode",
            "description": "d",
            "required": True,
            "choices": [{"name": "Fast", "value": "fast"}],
        },
        {"type": 11, "name": "file", "description": "d"},
        {"type": 6, "name": "who", "description": "d"},
        {"type": 4, "name": "count", "description": "d", "min_value": 1, "max_value": 5},
    ]
    [cmd] = state.set_commands(
        guild.id,
        [
            {
                "name": "news",
                "description": "d",
                "options": [
                    {
                        "type": 2,
                        "name": "admin",
                        "description": "d",
                        "options": [{"type": 1, "name": "reload", "description": "d", "options": leaf}],
                    }
                ],
            }
        ],
    )
    data = command_data(
        state,
        cmd=cmd,
        path=["admin", "reload"],
        options={"mode": "fast", "file": AttachmentSpec("a.txt", b"xy"), "who": owner, "count": 3},
        channel=channel,
    )
    [group] = data["options"]
    [sub] = group["options"]
    assert (group["type"], group["name"], sub["type"], sub["name"]) == (2, "admin", 1, "reload")
    assert {o["name"]: o["value"] for o in sub["options"]}["count"] == 3
    [attachment] = data["resolved"]["attachments"].values()
    assert attachment["size"] == 2 and attachment["url"].startswith(state.public_base_url + "/attachments/")
    assert str(owner.id) in data["resolved"]["users"] and str(owner.id) in data["resolved"]["members"]
    assert data["guild_id"] == str(guild.id)
    for path, options, match in [
        (["admin", "reload"], {"mode": "slow"}, "must be one of"),
        (["admin"], {"mode": "fast"}, "needs a subcommand"),
        (["admin", "reload"], {}, "requires option"),
        (["admin", "reload"], {"mode": "fast", "count": 9}, "outside"),
    ]:
        with pytest.raises(InvocationError, match=match):
            command_data(state, cmd=cmd, path=path, options=options, channel=channel)


def test_content_redaction_follows_intents() -> None:
    bot_id = 42
    guild_msg = {
        "guild_id": "1",
        "author": {"id": "7"},
        "mentions": [],
        "content": "x",
        "embeds": [{}],
        "attachments": [{}],
        "components": [{}],
    }
    redacted = redact_message(guild_msg, GUILD_MESSAGES, bot_id)
    assert (redacted["content"], redacted["embeds"], redacted["attachments"], redacted["components"]) == (
        "",
        [],
        [],
        [],
    )
    assert redact_message(guild_msg, GUILD_MESSAGES | MESSAGE_CONTENT, bot_id)["content"] == "x"
    assert redact_message({**guild_msg, "mentions": [{"id": "42"}]}, GUILD_MESSAGES, bot_id)["content"] == "x"
    assert redact_message({**guild_msg, "guild_id": None}, 0, bot_id)["content"] == "x"
    assert not event_allowed("MESSAGE_CREATE", guild_msg, DIRECT_MESSAGES)
    assert event_allowed("MESSAGE_CREATE", {"guild_id": None}, DIRECT_MESSAGES)


def test_permissions_from_roles_and_overwrites() -> None:
    state = TwinState()
    owner, member = state.add_user("owner"), state.add_user("member")
    guild = state.add_guild("g", owner=owner)
    mods = state.add_role(guild, "mods", permissions=MANAGE_GUILD)
    admins = state.add_role(guild, "admins", permissions=ADMINISTRATOR)
    state.add_member(guild, member, role_ids=[mods.id])
    quiet = state.add_text_channel(
        guild, "quiet", overwrites=[{"id": guild.id, "type": 0, "deny": SEND_MESSAGES, "allow": 0}]
    )
    hidden = state.add_text_channel(
        guild, "hidden", overwrites=[{"id": member.id, "type": 1, "deny": VIEW_CHANNEL, "allow": 0}]
    )
    base = state.permissions_for(guild.id, member.id)
    assert base & MANAGE_GUILD and base & SEND_MESSAGES
    assert not state.permissions_for(guild.id, member.id, quiet) & SEND_MESSAGES
    assert state.permissions_for(guild.id, member.id, hidden) == 0
    assert state.permissions_for(guild.id, owner.id, hidden) == ALL_PERMISSIONS
    state.members[(guild.id, member.id)].role_ids.append(admins.id)
    assert state.permissions_for(guild.id, member.id, hidden) == ALL_PERMISSIONS
