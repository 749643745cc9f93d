"""Run the bot for ``bench.e2e`` with measurement hooks that the bot itself never carries.

    python bench/e2e_subject.py path/to/bot.py [bot arguments...]

The script runs as ``__main__`` exactly as ``python path/to/bot.py ...`` would, after the
hooks named in the environment are installed (none: nothing changes). SIGUSR1 opens the
measurement window (the benchmark sends it when the measured load starts), SIGUSR2 closes it
and writes what the hooks recorded:

* ``BENCH_E2E_PROFILE_OUT=PATH``: cProfile on the main thread (the bot's event loop) during
  the window, statistics written to PATH: the load only, not the start-up;
* ``BENCH_E2E_STORE_TIMES=PATH``: the store's asyncio lock (every read and write transaction
  takes it) timed during the window: how long each holder waited for it and held it, written
  to PATH as JSON;
* ``BENCH_E2E_STUB=store-log,matching`` (either or both), to see what a part costs by running
  without it: ``store-log`` answers ``Store.log_question`` from a counter instead of writing
  the question to SQLite; ``matching`` computes each distinct question's answer once and
  reuses it (the load repeats a few dozen questions), so the matcher all but disappears.
  Stubbed runs are "what if" figures for the benchmark's attribution table, never the result.
"""

from __future__ import annotations

import cProfile
import itertools
import json
import os
import runpy
import signal
import sys
import time
from types import FrameType, TracebackType
from typing import Any

PROFILE_ENV = "BENCH_E2E_PROFILE_OUT"
STORE_TIMES_ENV = "BENCH_E2E_STORE_TIMES"
STUB_ENV = "BENCH_E2E_STUB"
STUBS = ("store-log", "matching")


def write_atomically(path: str, data: bytes) -> None:
    """The benchmark waits for the file to exist: it must appear complete."""
    with open(path + ".tmp", "wb") as out:
        out.write(data)
    os.replace(path + ".tmp", path)


class Window:
    """What the hooks record between SIGUSR1 and SIGUSR2."""

    def __init__(self, profile_out: str | None, store_times_out: str | None) -> None:
        self.open = False
        self.profile_out = profile_out
        self.store_times_out = store_times_out
        self.profiler = cProfile.Profile() if profile_out else None
        self.waits: list[float] = []
        self.holds: list[float] = []

    def start(self, signum: int, frame: FrameType | None) -> None:
        self.open = True
        if self.profiler is not None:
            self.profiler.enable()

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.open = False
        if self.profiler is not None and self.profile_out:
            self.profiler.disable()
            self.profiler.dump_stats(self.profile_out + ".prof-tmp")
            os.replace(self.profile_out + ".prof-tmp", self.profile_out)
        if self.store_times_out:
            times = {"wait_s": self.waits, "hold_s": self.holds}
            write_atomically(self.store_times_out, json.dumps(times).encode())


class TimedLock:
    """Wraps the store's asyncio.Lock: records each holder's wait and hold while the window is open."""

    def __init__(self, lock: Any, window: Window) -> None:
        self._lock = lock
        self._window = window
        self._acquired_at = 0.0

    async def __aenter__(self) -> None:
        asked = time.perf_counter()
        await self._lock.acquire()
        self._acquired_at = time.perf_counter()
        if self._window.open:
            self._window.waits.append(self._acquired_at - asked)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        held = time.perf_counter() - self._acquired_at
        self._lock.release()
        if self._window.open:
            self._window.holds.append(held)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lock, name)


def time_store_lock(window: Window) -> None:
    from knowledge.store import Store

    init = Store.__init__

    def timed_init(self: Store, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._lock = TimedLock(self._lock, window)  # type: ignore[assignment]

    Store.__init__ = timed_init  # type: ignore[method-assign]


def stub_store_log() -> None:
    from knowledge.store import Store

    ids = itertools.count(1_000_000)

    async def log_question(self: Store, **_: Any) -> int:
        return next(ids)

    Store.log_question = log_question  # type: ignore[method-assign]


def stub_matching() -> None:
    from knowledge.service import Answerer

    answer = Answerer.answer
    seen: dict[tuple[int, str, str | None], Any] = {}

    def remembered(self: Answerer, question: str, language_hint: Any = None) -> Any:
        key = (id(self), question, language_hint)
        if key not in seen:
            seen[key] = answer(self, question, language_hint)
        return seen[key]

    Answerer.answer = remembered  # type: ignore[method-assign]


def main() -> None:
    script, *args = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    stubs = [s for s in os.environ.get(STUB_ENV, "").split(",") if s]
    unknown = set(stubs) - set(STUBS)
    if unknown:
        raise SystemExit(f"{STUB_ENV}: unknown stub(s) {sorted(unknown)}; known: {', '.join(STUBS)}")
    if "store-log" in stubs:
        stub_store_log()
    if "matching" in stubs:
        stub_matching()
    window = Window(os.environ.get(PROFILE_ENV) or None, os.environ.get(STORE_TIMES_ENV) or None)
    if window.store_times_out:
        time_store_lock(window)
    signal.signal(signal.SIGUSR1, window.start)
    signal.signal(signal.SIGUSR2, window.stop)
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
