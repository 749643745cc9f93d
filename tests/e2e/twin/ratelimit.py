"""Rate-limit headers and injected 429s.

discord.py schedules requests from the ``X-RateLimit-*`` headers and only
retries a 429 that looks like Discord's (JSON body with ``retry_after`` and a
``Via`` header), so the twin sends honest per-bucket counters on every answer
and lets a test make a route answer 429 a given number of times.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RateLimitInjection:
    """A test's request that ``method route`` answers 429 ``times`` times."""

    method: str
    route: str
    times: int
    retry_after: float
    scope: str = "user"
    is_global: bool = False
    served: int = 0
    served_at: list[float] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return self.served >= self.times


@dataclass
class _Bucket:
    limit: int
    window: float
    remaining: int
    reset_at: float


class RateLimiter:
    """Per-bucket counters reported in headers (optionally enforced with real 429s)."""

    def __init__(self, *, limit: int = 50, window: float = 1.0, enforce: bool = False) -> None:
        self.limit = limit
        self.window = window
        self.enforce = enforce
        self._buckets: dict[str, _Bucket] = {}
        self.injections: list[RateLimitInjection] = []

    @staticmethod
    def bucket_hash(method: str, route: str) -> str:
        return hashlib.sha1(f"{method} {route}".encode()).hexdigest()[:16]

    def inject(
        self, method: str, route: str, *, times: int, retry_after: float, scope: str, is_global: bool
    ) -> RateLimitInjection:
        injection = RateLimitInjection(
            method=method.upper(),
            route=route,
            times=times,
            retry_after=retry_after,
            scope=scope,
            is_global=is_global,
        )
        self.injections.append(injection)
        return injection

    def take_injection(self, method: str, route: str | None) -> RateLimitInjection | None:
        for injection in self.injections:
            if not injection.exhausted and injection.method == method and injection.route == route:
                injection.served += 1
                injection.served_at.append(time.monotonic())
                return injection
        return None

    def consume(self, method: str, route: str, major: str) -> tuple[dict[str, str], bool]:
        """Count one request; returns (headers, over_limit)."""
        key = f"{self.bucket_hash(method, route)}:{major}"
        now = time.time()
        bucket = self._buckets.get(key)
        if bucket is None or now >= bucket.reset_at:
            bucket = _Bucket(
                limit=self.limit, window=self.window, remaining=self.limit, reset_at=now + self.window
            )
            self._buckets[key] = bucket
        over = bucket.remaining <= 0
        if not over:
            bucket.remaining -= 1
        headers = {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(bucket.remaining, 0)),
            "X-RateLimit-Reset": f"{bucket.reset_at:.3f}",
            "X-RateLimit-Reset-After": f"{max(bucket.reset_at - now, 0.0):.3f}",
            "X-RateLimit-Bucket": self.bucket_hash(method, route),
        }
        return headers, over and self.enforce

    @staticmethod
    def too_many_requests(
        *, retry_after: float, scope: str, is_global: bool, bucket: str, limit: int
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Body and headers of a Discord-style 429."""
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
        }
        if is_global:
            body["code"] = 0
        headers = {
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update(
                {
                    "X-RateLimit-Limit": str(limit),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                    "X-RateLimit-Bucket": bucket,
                }
            )
        return body, headers
