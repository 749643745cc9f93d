"""Issue 13, break 12: an API that echoes the Authorization header must not get the token printed.

A tiny aiohttp server on 127.0.0.1 plays an API (or a proxy) that answers every request
with an error whose body repeats the request's `Authorization` header. The real bot
(`python bot.py run` and `sync`, at DEBUG level, logging to a file) must stop with one
line naming the setting and the address, and the token must appear nowhere: not on
stdout, not on stderr, not in the log file, not in the database.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from tests.e2e.conftest import REPO_ROOT

pytestmark = [pytest.mark.e2e]
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Shaped like a Discord token (id.timestamp.signature), so partial echoes are caught too.
TOKEN = f"MTA{secrets.token_hex(10)}.Gx{secrets.token_hex(3)}.{secrets.token_urlsafe(27)}"


@pytest_asyncio.fixture
async def echo_api() -> AsyncIterator[tuple[str, list[int]]]:
    """An API on 127.0.0.1 whose every answer is an error repeating the Authorization header."""
    status: list[int] = [400]

    async def echo(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        body = {"message": f"Invalid request, you sent Authorization: {header}", "code": 50035}
        return web.json_response(body, status=status[0], headers={"X-Echo": header})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/api/v10", status
    finally:
        await runner.cleanup()


async def run_bot(command: str, api_base: str, workdir: Path) -> tuple[int, bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if k != "SETTINGS_FILE"} | {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": api_base,
        "DATABASE_PATH": str(workdir / "k.db"),
        "LOG_LEVEL": "DEBUG",
        "LOG_FILE": str(workdir / "bot.log") if command == "run" else "",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO_ROOT / "bot.py"),
        command,
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode is not None
    return process.returncode, stdout, stderr


def assert_no_token(*texts: bytes) -> None:
    signature = TOKEN.rsplit(".", 1)[1]
    for text in texts:
        assert TOKEN.encode() not in text
        assert signature.encode() not in text


@pytest.mark.parametrize(
    ("command", "status"),
    [("run", 400), ("sync", 400), pytest.param("sync", 500, marks=pytest.mark.slow)],
    ids=["run-400", "sync-400", "sync-500-after-retries"],
)
async def test_an_api_echoing_the_token_never_gets_it_printed(
    echo_api: tuple[str, list[int]], tmp_path: Path, command: str, status: int
) -> None:
    api_base, answer_status = echo_api
    answer_status[0] = status
    code, stdout, stderr = await run_bot(command, api_base, tmp_path)
    log_file = tmp_path / "bot.log"
    files = [p.read_bytes() for p in tmp_path.iterdir() if p.is_file()]
    assert_no_token(stdout, stderr, *files)
    assert code == 1
    output = ANSI.sub("", (stderr + (log_file.read_bytes() if log_file.exists() else b"")).decode())
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if " ERROR " in line]
    assert len(errors) == 1, output[-3000:]
    assert "DISCORD_API_BASE" in errors[0] and api_base in errors[0] and str(status) in errors[0]
    assert "[REDACTED]" in output  # the echo arrived, and was redacted
