"""End to end: the bot token never leaves the places it must go.

The REAL bot runs with a recognisable fake token (the twin accepts exactly that token),
at DEBUG log level, through ordinary and error paths (a rate limit, a channel where it may
not write, rejected input, a gateway reconnect, and finally a start-up with a token Discord
refuses). Then the token must appear in no log line, no file the bot wrote, and no request
body or gateway payload other than the two that carry it by design (IDENTIFY, RESUME) and
the ``Authorization`` header.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from tests.e2e.bot_fixtures import RealBot, close_twin, footer_fact_ids, open_twin
from tests.e2e.conftest import REPO_ROOT
from tests.e2e.twin import Channel, Guild, Twin, TwinConfig, User
from tests.e2e.twin.permissions import SEND_MESSAGES

pytestmark = [pytest.mark.e2e]

SECRET = f"twin-token-SECRET-9f3a{secrets.token_hex(12)}"
WRONG_SECRET = f"twin-token-SECRET-wrong{secrets.token_hex(12)}"
QUESTION = "what did WikiLeaks propose?"


@dataclass
class World:
    twin: Twin
    bot: RealBot
    guild: Guild
    general: Channel
    muted: Channel
    user: User


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    twin = await open_twin(TwinConfig(token=SECRET))
    try:
        guild = twin.create_guild("Secret Guild")
        general = twin.create_text_channel(guild, "general")
        muted = twin.create_text_channel(
            guild,
            "announcements",
            overwrites=[{"id": twin.bot_user.id, "type": 1, "allow": 0, "deny": SEND_MESSAGES}],
        )
        user = twin.create_user("snoop")
        twin.add_member(guild, user)
        bot = RealBot(
            twin,
            Path(tmp_path_factory.mktemp("secrets")),
            {"LOG_LEVEL": "DEBUG", "QA_CHANNEL_IDS": str(general.id), "DIGEST_CHECK_SECONDS": "0.2"},
        )
        try:
            await bot.start_ready()
            yield World(twin, bot, guild, general, muted, user)
        finally:
            await bot.close()
    finally:
        await close_twin(twin)


def leaks_in_files(root: Path, secret: str) -> tuple[list[Path], list[Path]]:
    """(files holding ``secret``, every file looked at), under ``root``."""
    needle = secret.encode()
    seen, leaking = [], []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        seen.append(path)
        if needle in path.read_bytes():
            leaking.append(path)
    return leaking, seen


async def exercise(world: World) -> None:
    """Ordinary and error paths, each checked to have really happened."""
    twin, user = world.twin, world.user

    answer = await twin.interaction_response(
        await twin.invoke_slash("ask", user=user, channel=world.general, options={"question": QUESTION}),
        timeout=15,
    )
    message = answer.message or {}
    assert "tax-returns-leak-offer" in footer_fact_ids(message)
    qid = next(c["custom_id"] for row in message["components"] for c in row["components"]).rsplit(":", 1)[1]
    sources = await twin.interaction_response(
        await twin.click_button(message, f"ask:sources:{qid}", user=user), timeout=15
    )
    assert sources.ephemeral
    await twin.interaction_response(
        await twin.click_button(message, f"ask:vote:down:{qid}", user=user), timeout=15
    )

    # Rejected input, a bad setting value and an unauthorised command: ephemeral refusals.
    too_long = await twin.interaction_response(
        await twin.invoke_slash("ask", user=user, channel=world.general, options={"question": "why " * 200}),
        timeout=15,
    )
    assert too_long.ephemeral and "characters long" in too_long.content
    refused = await twin.interaction_response(
        await twin.invoke_slash(
            "digest subscribe",
            user=user,
            channel=world.general,
            options={"time": "25:99", "timezone": "Mars/Olympus"},
            integration_override=True,
        ),
        timeout=15,
    )
    assert refused.ephemeral and "Only moderators" in refused.content
    await twin.interaction_response(
        await twin.invoke_slash("help", user=user, channel=world.general), timeout=15
    )

    # A 429 on the reply, then a reply in a channel where the bot may not write (403).
    twin.inject_rate_limit("POST", "/channels/{channel_id}/messages", times=1, retry_after=0.3)
    mention = await twin.send_message(world.general, user, QUESTION, mention_bot=True)
    await twin.wait_for_reply(mention, require_reference=True, timeout=15)
    forbidden_seq = len(twin.requests)
    muted = await twin.send_message(world.muted, user, QUESTION, mention_bot=True)
    await twin.wait_for_request(
        lambda r: (
            r.method == "POST" and r.params.get("channel_id") == str(world.muted.id) and r.status == 403
        ),
        after_seq=forbidden_seq,
        timeout=15,
        description="the refused reply in the muted channel",
    )
    assert twin.bot_messages_in(world.muted) == [] and muted["id"]

    # A DM, a passive Q&A answer and a gateway RESUME (which carries the token by design).
    dm = await twin.send_dm(user, "qu'a proposé WikiLeaks ?")
    await twin.wait_for_reply(dm, timeout=15)
    since = time.monotonic()
    await twin.force_reconnect()
    await twin.wait_for_resume(since=since, timeout=20)
    passive = await twin.send_message(world.general, world.user, "What did Trump Jr. tweet?")
    await twin.wait_for_reply(passive, require_reference=True, timeout=15)


@pytest.mark.asyncio(loop_scope="module")
async def test_token_never_leaks(world: World) -> None:
    twin, bot = world.twin, world.bot
    await exercise(world)

    # The secret really is the bot's token: every authenticated request carried it.
    authorised = [r for r in twin.requests if r.headers.get("Authorization")]
    assert authorised and all(r.headers["Authorization"] == f"Bot {SECRET}" for r in authorised)

    # 1. Nothing the bot sent carries it, except where Discord requires it.
    for request in twin.requests:
        body = json.dumps(request.json, ensure_ascii=False) if request.json is not None else ""
        carried = [body, request.raw_body.decode("utf-8", "replace"), request.path, json.dumps(request.query)]
        carried += [f.data.decode("utf-8", "replace") for f in request.files]
        carried += [v for k, v in request.headers.items() if k.lower() != "authorization"]
        assert not any(SECRET in part for part in carried), f"token in request {request.summary()}"
    for frame in twin.gateway_frames:
        if frame.direction == "in" and frame.op in (2, 6):  # IDENTIFY and RESUME
            assert frame.d["token"] == SECRET
            rest = {k: v for k, v in frame.d.items() if k != "token"}
            assert SECRET not in json.dumps(rest)
        else:
            assert SECRET not in json.dumps(frame.d, ensure_ascii=False, default=str), (
                f"token in frame {frame}"
            )

    # 2. Files, while the bot runs (the SQLite WAL is live) and after it stopped.
    leaking, seen = leaks_in_files(bot.workdir, SECRET)
    names = {p.name for p in seen}
    assert {"knowledge.db", "knowledge.db-wal", "bot-logging.log"} <= names, names
    assert leaking == []
    await bot.stop()
    leaking, seen = leaks_in_files(bot.workdir, SECRET)
    assert leaking == [] and seen

    # 3. Logs: DEBUG output in LOG_FILE, and stdout/stderr. They are not empty, and the
    #    paths above really were logged (rate limit, forbidden reply, resume).
    logged = bot.all_output()
    assert "Synced" in logged and "rate limited" in logged.lower()
    assert "No permission to reply in channel" in logged
    assert SECRET not in logged
    assert "\x1b[" not in bot.log_file.read_text(encoding="utf-8")  # a file gets plain text, no colours

    # 4. A token Discord refuses: a clear message, exit status 1, and the token still unsaid.
    refused = await bot.cli("run", env={"DISCORD_TOKEN": WRONG_SECRET, "LOG_FILE": ""}, expect=1)
    assert "Discord refused the token (DISCORD_TOKEN)" in refused
    assert WRONG_SECRET not in refused and SECRET not in refused
    leaking, _ = leaks_in_files(bot.workdir, WRONG_SECRET)
    assert leaking == []


def test_dotenv_is_git_ignored() -> None:
    ignored = (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in [line.strip() for line in ignored]
