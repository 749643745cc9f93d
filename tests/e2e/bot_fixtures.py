"""Running the REAL bot (``python bot.py run``) against the twin, for the e2e tier.

A :class:`RealBot` owns one working directory (database, log file, clock file) and
starts/stops bot processes there, configured only through the environment, exactly as
an operator would. The process's cwd is the working directory, so a developer's
``.env`` in the repository never leaks into a test, and every file the bot writes
lands where the secrets test can inspect it.

Each test module shares one twin and one bot through a module-scoped ``world`` fixture
built on :func:`open_twin` / :func:`close_twin`; closing checks, over every request the twin
recorded, that nothing called an unknown route, nothing broke a twin handler, and no
message exceeded Discord's limits or allowed a mention.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.e2e.conftest import REPO_ROOT
from tests.e2e.twin import BotProcess, Channel, Twin, TwinConfig, TwinInteraction, User
from tests.e2e.twin.interactions import APPLICATION_COMMAND, command_data, envelope, split_command_path

REAL_BOT = [sys.executable, str(REPO_ROOT / "bot.py"), "run"]

# Every setting the bot reads; those a test does not set are passed empty ("unset"), so
# nothing from the developer's shell changes the bot under test.
BOT_SETTINGS = (
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "DATABASE_URL",
    "DISCORD_API_BASE",
    "DEV_GUILD_IDS",
    "MODERATOR_ROLE_IDS",
    "QA_CHANNEL_IDS",
    "DEFAULT_LANGUAGE",
    "ANSWER_THRESHOLD",
    "USER_COOLDOWN_SECONDS",
    "CHANNEL_COOLDOWN_SECONDS",
    "DIGEST_CHECK_SECONDS",
    "SHARD_COUNT",
    "SHARD_IDS",
    "LOG_LEVEL",
    "LOG_FILE",
    "CLOCK_FILE",
    "SETTINGS_FILE",
)

# Near misses: the bot should abstain and offer close questions. Matcher tuning moves the line,
# so the first of these that still gets suggestions is used (at least one must).
NEAR_MISSES = (
    "where were the messages sent from?",
    "did wikileaks write to someone?",
    "what did wikileaks tell the son about the emails?",
    "did the atlantic interview assange?",
)


class RealBot:
    """The real bot, started and restarted on one database, against one twin."""

    def __init__(self, twin: Twin, workdir: Path, settings: Mapping[str, str] | None = None) -> None:
        self.twin = twin
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.settings: dict[str, str] = {
            "DATABASE_PATH": str(self.db_path),
            "LOG_FILE": str(self.log_file),
            "CLOCK_FILE": str(self.clock_file),
            "USER_COOLDOWN_SECONDS": "0",
            "CHANNEL_COOLDOWN_SECONDS": "0",
            "DIGEST_CHECK_SECONDS": "60",
            **(settings or {}),
        }
        self.processes: list[BotProcess] = []
        self.cli_output: list[str] = []

    # ------------------------------------------------------------------ paths
    @property
    def db_path(self) -> Path:
        return self.workdir / "knowledge.db"

    @property
    def log_file(self) -> Path:
        return self.workdir / "bot-logging.log"

    @property
    def clock_file(self) -> Path:
        return self.workdir / "clock.txt"

    def set_clock(self, moment: datetime) -> None:
        """What the digest schedule takes as "now" (an aware datetime)."""
        tmp = self.clock_file.with_suffix(".tmp")
        tmp.write_text(moment.astimezone(UTC).isoformat(), encoding="utf-8")
        tmp.replace(self.clock_file)  # atomic: the bot never reads half a timestamp

    # -------------------------------------------------------------- processes
    def env(self) -> dict[str, str]:
        env = dict.fromkeys(BOT_SETTINGS, "")
        env.update(self.twin.bot_env())
        env.update(self.settings)
        return env

    @property
    def process(self) -> BotProcess:
        return self.processes[-1]

    def start(self) -> BotProcess:
        proc = BotProcess(
            REAL_BOT,
            env=self.env(),
            cwd=self.workdir,
            log_path=self.workdir / f"stdout-{len(self.processes)}.log",
        )
        self.processes.append(self.twin.watch(proc.start()))
        return proc

    async def start_ready(self, timeout: float = 45.0) -> BotProcess:
        """Start a process and wait until it identified and got its guilds, and until it synced its
        commands when the twin has none yet. The bot syncs only when its commands changed, and it
        syncs in setup_hook, before it connects: a process that identified has done any sync."""
        since = time.monotonic()
        expect_sync = not any(self.twin.state.commands.values())
        proc = self.start()
        await self.twin.wait_until_ready(timeout=timeout, since=since, commands=expect_sync)
        return proc

    async def cli(
        self, *args: str, env: Mapping[str, str] | None = None, expect: int = 0, timeout: float = 60.0
    ) -> str:
        """Run ``python bot.py ARGS`` on the same settings (plus ``env``) and database, outside the
        twin's watch; returns its output (stdout and stderr) and checks its exit status."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(REPO_ROOT / "bot.py"),
            *args,
            cwd=self.workdir,
            env={**os.environ, **self.env(), **(env or {})},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        text = out.decode("utf-8", "replace")
        self.cli_output.append(text)
        assert proc.returncode == expect, f"bot.py {' '.join(args)} exited {proc.returncode}:\n{text}"
        return text

    async def stop(self) -> None:
        for proc in self.processes:
            if proc.running:
                rc = await proc.stop(timeout=10.0)
                assert rc == 0, f"bot exited with {rc} on SIGTERM:\n{proc.log_tail(30)}"

    async def close(self) -> None:
        """Stop every process (by its own pid) and print the logs (pytest shows them on failure)."""
        for proc in self.processes:
            await proc.stop(timeout=10.0)
        for proc in self.processes:
            print(f"----- {proc.log_path.name} (exit {proc.returncode}) -----\n{proc.log_tail(60)}")
        with contextlib.suppress(OSError):
            print(
                f"----- {self.log_file.name} -----\n"
                + "\n".join(self.log_file.read_text().splitlines()[-60:])
            )

    def all_output(self) -> str:
        """Every line the bot logged: its logging file and its stdout/stderr."""
        parts = [proc.read_log() for proc in self.processes] + self.cli_output
        with contextlib.suppress(FileNotFoundError):
            parts.append(self.log_file.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)

    # ---------------------------------------------------------------- database
    @contextlib.contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """The bot's SQLite file, opened read-only (safe while the bot runs: WAL readers never block)."""
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self.db() as conn:
            return list(conn.execute(sql, params))


async def open_twin(config: TwinConfig | None = None) -> Twin:
    return await Twin(config).start()


async def close_twin(twin: Twin) -> None:
    """Stop the twin, then hold the whole run to the rules: known routes, healthy requests,
    no message over Discord's limits or allowing a mention."""
    await twin.stop()
    twin.assert_healthy()
    violations = twin.limit_violations()
    assert not violations, "\n".join(str(v) for v in violations)


def embeds_of(message: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return list((message or {}).get("embeds") or [])


def embed_text(embed: Mapping[str, Any]) -> str:
    """Every human-visible string of one embed, joined."""
    parts = [embed.get("title") or "", embed.get("description") or ""]
    for fld in embed.get("fields") or []:
        parts += [fld.get("name") or "", fld.get("value") or ""]
    parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


def message_text(message: Mapping[str, Any] | None) -> str:
    if not message:
        return ""
    return "\n".join([message.get("content") or "", *(embed_text(e) for e in embeds_of(message))]).strip()


def custom_ids(message: Mapping[str, Any] | None) -> list[str]:
    out: list[str] = []
    stack = list((message or {}).get("components") or [])
    while stack:
        comp = stack.pop(0)
        if comp.get("custom_id"):
            out.append(str(comp["custom_id"]))
        stack.extend(comp.get("components") or [])
    return out


def footer_fact_ids(message: Mapping[str, Any]) -> list[str]:
    """The fact ids the answer footer lists (``… · facts: a, b``)."""
    [embed] = embeds_of(message)
    footer = (embed.get("footer") or {}).get("text") or ""
    tail = footer.rsplit(" · ", 1)[-1]
    _, _, ids = tail.partition(":")
    return [i.strip() for i in ids.split(",") if i.strip()]


# ----------------------------------------------------------------------- curation helpers
# The tables that hold the fact base and its history (not the usage data: questions, votes).
FACT_BASE_TABLES = (
    "meta",
    "sources",
    "facts",
    "question_variants",
    "fact_sources",
    "fact_revisions",
    "audit_log",
)


def db_snapshot(bot: RealBot, tables: tuple[str, ...] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``tables`` (default: every table of the bot's database), to compare a
    before with an after: equal snapshots mean nothing was written."""
    with bot.db() as conn:
        if tables is None:
            tables = tuple(
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            )
        return {
            table: sorted(tuple(row) for row in conn.execute(f"SELECT * FROM {table}")) for table in tables
        }


def plain(text: str) -> str:
    """Bot text with Discord markdown escapes and the zero-width link breakers removed."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u200b", "")


def modal_inputs(modal: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The text inputs of a modal the bot sent, by custom_id (inside labels or action rows)."""
    out: dict[str, dict[str, Any]] = {}
    stack = list(modal.get("components") or [])
    while stack:
        comp = stack.pop(0)
        if comp.get("type") == 4:
            out[str(comp["custom_id"])] = dict(comp)
        if comp.get("component"):
            stack.append(comp["component"])
        stack.extend(comp.get("components") or [])
    return out


def modal_values(modal: Mapping[str, Any]) -> dict[str, str]:
    """What a user who changes nothing would submit: each input's pre-filled value."""
    return {cid: str(comp.get("value") or "") for cid, comp in modal_inputs(modal).items()}


def attachment_bytes(twin: Twin, message: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """(filename, bytes) of every attachment of a message, as the twin serves them."""
    out = []
    for attachment in message.get("attachments") or []:
        stored = twin.state.attachments[int(attachment["id"])]
        out.append((str(attachment["filename"]), stored.data))
    return out


async def forge_slash(
    twin: Twin,
    command: str,
    *,
    user: User,
    channel: Channel | None = None,
    options: Mapping[str, Any] | None = None,
) -> TwinInteraction:
    """An APPLICATION_COMMAND interaction a Discord client would never offer (e.g. a guild-only
    command in a DM), as a replayed or crafted request would carry it: the bot's own checks are
    all that stands in its way. ``channel=None`` is the user's DM with the bot."""
    path = split_command_path(command)
    cmd = next((c for cmds in twin.state.commands.values() for c in cmds if c["name"] == path[0]), None)
    assert cmd is not None, f"the bot registered no /{path[0]}"
    channel = channel or twin.dm_channel(user)
    data = command_data(twin.state, cmd=cmd, path=path[1:], options=dict(options or {}), channel=channel)
    payload, token = envelope(
        twin.state, interaction_type=APPLICATION_COMMAND, data=data, channel=channel, user=user
    )
    interaction = TwinInteraction.sent(payload, token, channel=channel, user=user, command=cmd)
    twin.ctx.register_interaction(interaction)
    await twin.hub.dispatch("INTERACTION_CREATE", payload)
    return interaction
