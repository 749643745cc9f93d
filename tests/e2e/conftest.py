"""Fixtures for end-to-end tests against the local Discord twin.

``twin``: a started :class:`Twin` on 127.0.0.1 (fails the test at teardown if
the bot called a route the twin does not implement, or sent a request a twin
handler could not process). ``bot_process``: a
factory starting bot subprocesses pointed at that twin, stopped at teardown.
``floor_bot``: a small world plus the floor bot, identified and synced.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.e2e.twin import BotProcess, Channel, Guild, Twin, User  # noqa: E402

FLOOR_BOT = [sys.executable, str(REPO_ROOT / "tests" / "e2e" / "floor_bot.py")]

BotFactory = Callable[..., BotProcess]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: end-to-end test driving a real bot process against the Discord twin"
    )


@pytest_asyncio.fixture
async def twin() -> AsyncIterator[Twin]:
    instance = await Twin().start()
    try:
        yield instance
    finally:
        await instance.stop()
    instance.assert_healthy()


@pytest_asyncio.fixture
async def bot_process(twin: Twin, tmp_path: Path) -> AsyncIterator[BotFactory]:
    """``bot_process(argv=None, *, env=None, cwd=REPO_ROOT, name="bot")`` -> started BotProcess.

    ``argv`` defaults to the floor bot; ``env`` is added to ``twin.bot_env()``
    (computed at start time, so create guilds first).
    """
    started: list[BotProcess] = []

    def start(
        argv: Sequence[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path = REPO_ROOT,
        name: str = "bot",
    ) -> BotProcess:
        full_env = {**twin.bot_env(), **(env or {})}
        proc = BotProcess(
            list(argv or FLOOR_BOT), env=full_env, cwd=cwd, log_path=tmp_path / f"{name}-{len(started)}.log"
        )
        started.append(twin.watch(proc.start()))
        return proc

    yield start
    for proc in started:
        await proc.stop()
        # Shown by pytest only when the test failed.
        print(f"----- {proc.log_path.name} (exit {proc.returncode}) -----\n{proc.log_tail(60)}")


@dataclass
class FloorWorld:
    twin: Twin
    bot: BotProcess
    guild: Guild
    channel: Channel
    user: User


@pytest_asyncio.fixture
async def floor_bot(twin: Twin, bot_process: BotFactory) -> FloorWorld:
    """One guild with #general and member ``alice``; the floor bot running, identified and synced."""
    guild = twin.create_guild("Floor Guild")
    channel = twin.create_text_channel(guild, "general")
    alice = twin.create_user("alice")
    twin.add_member(guild, alice)
    proc = bot_process(name="floor")
    await twin.wait_until_ready(timeout=30)
    return FloorWorld(twin=twin, bot=proc, guild=guild, channel=channel, user=alice)
