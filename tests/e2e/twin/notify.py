"""Wake-ups for tests waiting on the twin.

Every state change (request recorded, gateway frame, interaction answered)
calls :meth:`Notifier.notify`; waiters re-check their predicate then, so
tests never poll with sleeps and always fail with a message that says what
they were waiting for.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TwinTimeout(AssertionError):
    """A wait on the twin did not complete in time (an AssertionError so pytest shows it as a failure)."""


class WaitAborted(TwinTimeout):
    """A wait on the twin cannot succeed any more (for instance the bot process died)."""


class Notifier:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(
        self,
        probe: Callable[[], T | None],
        *,
        timeout: float,
        description: str,
        details: Callable[[], str] | None = None,
        abort: Callable[[], str | None] | None = None,
    ) -> T:
        """Return the first truthy value of ``probe()``, re-evaluated on every notify.

        ``abort`` is checked on each wake-up (at least every 0.5 s); a non-empty
        answer ends the wait at once (e.g. the bot process crashed).
        """
        deadline = time.monotonic() + timeout
        while True:
            event = self._event
            value = probe()
            if value:
                return value
            reason = abort() if abort else None
            if reason:
                raise WaitAborted(f"gave up waiting for {description}: {reason}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                extra = f"\n{details()}" if details else ""
                raise TwinTimeout(f"timed out after {timeout:.1f}s waiting for {description}{extra}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=min(remaining, 0.5))
