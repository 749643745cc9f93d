"""Running a bot as a real subprocess for end-to-end tests.

The bot under test runs exactly as in production (its own interpreter, its
own event loop, only ``DISCORD_API_BASE`` pointing at the twin); this runner
captures its output to a log file, waits for log lines, and stops it by its
own pid only (SIGTERM, then SIGKILL), so nothing else on the machine is touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


class BotProcessError(AssertionError):
    """The bot process exited or did not log what a test waited for."""


class BotProcess:
    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        log_path: str | os.PathLike[str],
        inherit_env: bool = True,
    ) -> None:
        self.argv = list(argv)
        base = dict(os.environ) if inherit_env else {}
        base.update(env or {})
        base.setdefault("PYTHONUNBUFFERED", "1")
        self.env = base
        self.cwd = Path(cwd) if cwd is not None else None
        self.log_path = Path(log_path)
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: object | None = None
        self.started_at: float | None = None
        self.expected_exit = False

    # ---------------------------------------------------------- lifecycle
    def start(self) -> BotProcess:
        if self._proc is not None:
            raise RuntimeError("process already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in _closed()
        self._log_file = log
        self._proc = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started_at = time.monotonic()
        return self

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("process not started")
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    @property
    def crashed(self) -> bool:
        """Exited although nobody called :meth:`stop` or :meth:`kill`."""
        return self._proc is not None and not self.expected_exit and self._proc.poll() is not None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    async def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, wait up to ``timeout`` (without blocking the event loop), then SIGKILL."""
        if self._proc is None:
            return None
        self.expected_exit = True
        if self._proc.poll() is None:
            self._signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while self._proc.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if self._proc.poll() is None:
                self._signal(signal.SIGKILL)
                await asyncio.to_thread(self._proc.wait)
        self._closed()
        return self._proc.returncode

    def kill(self) -> int | None:
        """SIGKILL now (a crash, for durability tests)."""
        if self._proc is None:
            return None
        self.expected_exit = True
        if self._proc.poll() is None:
            self._signal(signal.SIGKILL)
            self._proc.wait()
        self._closed()
        return self._proc.returncode

    def _signal(self, sig: signal.Signals) -> None:
        assert self._proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._proc.pid, sig)

    def _closed(self) -> None:
        if self._log_file is not None:
            self._log_file.close()  # type: ignore[attr-defined]
            self._log_file = None

    # ---------------------------------------------------------------- log
    def read_log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.read_log().splitlines()[-lines:])

    async def wait_for_log(
        self, pattern: str | re.Pattern[str], *, timeout: float = 20.0, start: int = 0
    ) -> re.Match[str]:
        """Wait until the log (from character offset ``start``) matches ``pattern`` (a regex)."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.read_log(), start)
            if match:
                return match
            if not self.running:
                raise BotProcessError(
                    f"bot exited with {self.returncode} before logging {regex.pattern!r}:\n{self.log_tail()}"
                )
            if time.monotonic() >= deadline:
                raise BotProcessError(
                    f"bot did not log {regex.pattern!r} within {timeout}s:\n{self.log_tail()}"
                )
            await asyncio.sleep(0.05)
