"""End to end: /summary, /timeline and the daily digest of the REAL bot, through the twin.

The digest schedule runs on ``CLOCK_FILE`` (checked every 0.2 s here), so a test moves
time by rewriting that file; the fact base is changed the way an operator would, with
``python bot.py import`` on an edited export while the bot is stopped. The digest test
restarts the bot, so it runs last.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from tests.e2e.bot_fixtures import RealBot, close_twin, embeds_of, message_text, open_twin
from tests.e2e.twin import Channel, Guild, InteractionResponse, Twin, TwinTimeout, User
from tests.e2e.twin.permissions import MANAGE_GUILD

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

# Winter: Europe/Paris is UTC+1, so the 09:00 Paris slot is 08:00 UTC.
BEFORE_SLOT = datetime(2030, 1, 10, 6, 0, tzinfo=UTC)
PAST_SLOT = datetime(2030, 1, 10, 8, 5, tzinfo=UTC)
NEXT_DAY_PAST_SLOT = datetime(2030, 1, 11, 8, 5, tzinfo=UTC)

EDITED_FACT = "trump-jr-eldest-son"
EDITED_EN = (
    "Donald Trump Jr. is the eldest son of Donald Trump; he is 39 years old at the time of the revelation."
)
EDITED_FR = "Donald Trump Jr. est le fils aîné de Donald Trump ; il a 39 ans au moment des révélations."

MONTHS_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
MONTHS_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


@dataclass
class Newsroom:
    twin: Twin
    bot: RealBot
    guild: Guild
    newsroom: Channel
    editor: User  # Manage Server, through a role
    reporter: User  # a regular member


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Newsroom]:
    twin = await open_twin()
    try:
        guild = twin.create_guild("Newsroom Guild")
        newsroom = twin.create_text_channel(guild, "newsroom")
        editors = twin.create_role(guild, "Editors", permissions=MANAGE_GUILD)
        editor, reporter = twin.create_user("editor"), twin.create_user("reporter")
        twin.add_member(guild, editor, roles=[editors])
        twin.add_member(guild, reporter)
        bot = RealBot(twin, Path(tmp_path_factory.mktemp("newsroom")), {"DIGEST_CHECK_SECONDS": "0.2"})
        bot.set_clock(BEFORE_SLOT)
        try:
            await bot.start_ready()
            yield Newsroom(twin, bot, guild, newsroom, editor, reporter)
        finally:
            await bot.close()
    finally:
        await close_twin(twin)


# ----------------------------------------------------------------------------- helpers
def brief_text(response: InteractionResponse) -> str:
    assert not response.ephemeral
    return "\n".join(response.texts())


def entries(text: str) -> list[tuple[str, str]]:
    """(date, the rest) of every dated bullet, in order; a bullet's citation is its next line."""
    lines = text.splitlines()
    out = []
    for index, line in enumerate(lines):
        match = re.match(r"• \*\*(.+?)\*\* — (.+)", line)
        if match:
            cited = lines[index + 1] if index + 1 < len(lines) else ""
            out.append((match[1], f"{match[2]}\n{cited}"))
    return out


def date_key(shown: str, months: list[str]) -> tuple[int, int, int]:
    """'13 November 2017' / 'novembre 2017' / '2017' -> sortable (year, month, day); partial parts are 0."""
    parts = shown.split()
    year = int(parts[-1])
    month = months.index(parts[-2]) + 1 if len(parts) >= 2 else 0
    day = int(parts[0]) if len(parts) == 3 else 0
    return (year, month, day)


def assert_chronological_and_cited(text: str, months: list[str], sources_label: str) -> list[str]:
    found = entries(text)
    assert len(found) >= 4, text
    keys = [date_key(when, months) for when, _ in found]
    assert keys == sorted(keys), [when for when, _ in found]
    for when, body in found:
        citation = body.splitlines()[-1].strip()
        assert citation.startswith(sources_label), f"entry of {when} is not cited: {body!r}"
    return [when for when, _ in found]


async def invoke(world: Newsroom, command: str, user: User, **kwargs) -> InteractionResponse:
    interaction = await world.twin.invoke_slash(command, user=user, channel=world.newsroom, **kwargs)
    return await world.twin.interaction_response(interaction, timeout=15)


# ------------------------------------------------------------------- summary, timeline
async def test_summary_is_chronological_and_cited(world: Newsroom) -> None:
    text = brief_text(await invoke(world, "summary", world.reporter))

    assert text.startswith("WikiLeaks' correspondence with Donald Trump Jr.")
    assert "**Key facts, in order**" in text
    dates = assert_chronological_and_cited(text, MONTHS_EN, "Source")
    assert dates[0] == "October 2016" and "13 November 2017" in dates and dates[-1] == "14 November 2017"
    assert "The Atlantic, 13 November 2017" in text
    assert "(https://pic.twitter.com/SiwTqWtykA)" in text


async def test_summary_in_french_for_a_french_locale(world: Newsroom) -> None:
    text = brief_text(await invoke(world, "summary", world.reporter, locale="fr"))

    assert text.startswith("La correspondance de WikiLeaks avec Donald Trump Jr.")
    assert "**Les faits clés, dans l'ordre**" in text
    dates = assert_chronological_and_cited(text, MONTHS_FR, "Source")
    assert dates[0] == "octobre 2016" and dates[-1] == "14 novembre 2017"
    assert "Sources : The Atlantic, 13 novembre 2017 ; " in text  # French typography
    assert "déclarations fiscales" in text


async def test_timeline_shows_the_chronology_with_quotes(world: Newsroom) -> None:
    response = await invoke(world, "timeline", world.reporter)
    text = brief_text(response)

    assert text.startswith("Timeline — ")
    dates = assert_chronological_and_cited(text, MONTHS_EN, "Source")
    summary_dates = [w for w, _ in entries(brief_text(await invoke(world, "summary", world.reporter)))]
    assert dates == summary_dates
    # The timeline gives each event in full, quotes included, attributed.
    assert "Donald Trump Jr. wrote: “Here is the entire chain of messages" in text
    assert "(our translation from the French)" in text


# ------------------------------------------------------------------------------ digest
async def test_regular_member_cannot_subscribe_even_when_exposed(world: Newsroom) -> None:
    response = await invoke(
        world,
        "digest subscribe",
        world.reporter,
        options={"time": "09:00", "timezone": "Europe/Paris", "language": "en"},
        integration_override=True,
    )

    assert response.ephemeral
    assert response.content.startswith("Only moderators (Manage Server or a moderator role)")
    assert world.bot.query("SELECT channel_id FROM digest_subscriptions") == []
    status = await invoke(world, "digest status", world.reporter, integration_override=True)
    assert status.ephemeral and status.content.startswith("Only moderators")


def last_posted_at(world: Newsroom) -> datetime | None:
    [row] = world.bot.query(
        "SELECT last_posted_at FROM digest_subscriptions WHERE channel_id = ?", (world.newsroom.id,)
    )
    return datetime.fromisoformat(row["last_posted_at"]) if row["last_posted_at"] else None


async def wait_for_bookkeeping(world: Newsroom, moment: datetime, timeout: float = 15.0) -> None:
    """Until the schedule recorded (in the database) that it served the slot at ``moment``."""
    deadline = time.monotonic() + timeout
    while last_posted_at(world) != moment:
        assert time.monotonic() < deadline, (
            f"the digest schedule did not serve the slot at {moment} within {timeout}s "
            f"(last_posted_at={last_posted_at(world)})"
        )
        await asyncio.sleep(0.05)


async def test_digest_posts_one_change_once_across_a_restart(world: Newsroom) -> None:
    twin, bot, channel = world.twin, world.bot, world.newsroom

    subscribed = await invoke(
        world,
        "digest subscribe",
        world.editor,
        options={"time": "09:00", "timezone": "Europe/Paris", "language": "en"},
    )
    assert subscribed.ephemeral, subscribed.content
    assert "every day at 09:00 (Europe/Paris), in English" in subscribed.content
    next_slot = int(datetime(2030, 1, 10, 8, 0, tzinfo=UTC).timestamp())
    assert f"Next one: <t:{next_slot}:F>" in subscribed.content
    status = await invoke(world, "digest status", world.editor)
    assert status.ephemeral
    assert status.content.startswith("Digest: every day at 09:00 (Europe/Paris), in English.")
    assert "Facts changed since the last digest: 0." in status.content
    assert last_posted_at(world) == BEFORE_SLOT

    # The operator edits one fact: export, change, import, with the bot stopped.
    await bot.stop()
    export = bot.workdir / "export.json"
    await bot.cli("export", str(export))
    document = json.loads(export.read_text(encoding="utf-8"))
    [fact] = [f for f in document["facts"] if f["id"] == EDITED_FACT]
    fact["statement"] = {"en": EDITED_EN, "fr": EDITED_FR}
    export.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    planned = await bot.cli("import", str(export))
    assert f"Facts changed (1): {EDITED_FACT}" in planned and "Imported." in planned

    await bot.start_ready()
    status = await invoke(world, "digest status", world.editor)
    assert "Facts changed since the last digest: 1." in status.content
    before = twin.bot_messages_in(channel)

    # Past 09:00 Paris: exactly one digest, listing the change.
    bot.set_clock(PAST_SLOT)
    digest = await twin.wait_for_bot_message(
        channel,
        after=before[-1] if before else None,
        predicate=lambda m: not m.get("interaction"),
        timeout=15,
    )
    await wait_for_bookkeeping(world, PAST_SLOT)
    [embed] = embeds_of(digest)
    assert embed["title"] == "What changed in the fact base"
    text = message_text(digest)
    assert "**Corrected or updated**" in text
    assert "39 years old at the time of the revelation" in text
    assert "Source: French press article (seed text), November 2017" in text
    assert digest["mention_everyone"] is False

    # Restart on the same database, the clock still past the slot: nothing is repeated.
    await bot.stop()
    await bot.start_ready()
    with pytest.raises(TwinTimeout):
        await twin.wait_for_bot_message(channel, after=digest, timeout=1.5)
    status = await invoke(world, "digest status", world.editor)
    assert "Facts changed since the last digest: 0." in status.content

    # The next day, with no change: the slot is served, silently.
    bot.set_clock(NEXT_DAY_PAST_SLOT)
    await wait_for_bookkeeping(world, NEXT_DAY_PAST_SLOT)
    scheduled = [m for m in twin.bot_messages_in(channel) if not m.get("interaction")]
    assert scheduled == [digest]
