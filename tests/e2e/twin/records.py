"""Records of every HTTP request the twin received.

Tests assert on what the bot *sent* (payloads, allowed_mentions, retries,
timing), so each request is kept with its parsed body, and requests to routes
the twin does not implement are kept apart so a fixture can fail the test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

API_PREFIX = "/api/v10"


@dataclass
class UploadedFile:
    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One HTTP request as received (and later, how it was answered)."""

    seq: int
    method: str
    path: str
    route: str | None
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)
    raw_body: bytes = b""
    at: float = field(default_factory=time.monotonic)
    wall_time: float = field(default_factory=time.time)
    status: int | None = None
    response: Any = None
    response_headers: dict[str, str] = field(default_factory=dict)
    known: bool = True
    # Traceback when a handler raised on this request (malformed body or a twin bug).
    error: str | None = None
    rate_limited: bool = False

    @property
    def api_path(self) -> str:
        """Path with the /api/v10 prefix removed."""
        return self.path[len(API_PREFIX) :] if self.path.startswith(API_PREFIX) else self.path

    @property
    def route_key(self) -> str:
        """``METHOD /template`` such as ``POST /channels/{channel_id}/messages``."""
        return f"{self.method} {self.route or self.api_path}"

    @property
    def payload(self) -> Any:
        """The JSON body, whether sent as JSON or as multipart ``payload_json``."""
        return self.json

    def summary(self) -> str:
        body = json.dumps(self.json)[:200] if self.json is not None else ""
        return f"#{self.seq} {self.method} {self.path} -> {self.status} {body}"


class RequestLog:
    def __init__(self) -> None:
        self._items: list[RecordedRequest] = []

    def add(self, record: RecordedRequest) -> RecordedRequest:
        """Append and number the record (``seq`` is its 1-based position)."""
        self._items.append(record)
        record.seq = len(self._items)
        return record

    def since(self, seq: int) -> list[RecordedRequest]:
        """Records with ``seq`` greater than ``seq``."""
        return self._items[max(seq, 0) :]

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    @property
    def all(self) -> list[RecordedRequest]:
        return list(self._items)

    @property
    def errored(self) -> list[RecordedRequest]:
        return [r for r in self._items if r.error is not None]

    @property
    def unknown(self) -> list[RecordedRequest]:
        return [r for r in self._items if not r.known]

    def find(self, predicate: Callable[[RecordedRequest], bool]) -> list[RecordedRequest]:
        return [r for r in self._items if predicate(r)]

    def matching(self, method: str, route: str) -> list[RecordedRequest]:
        """Requests to a route template, e.g. ``matching("POST", "/channels/{channel_id}/messages")``."""
        return [r for r in self._items if r.method == method and r.route == route]

    def describe_tail(self, count: int = 15) -> str:
        tail = self._items[-count:]
        return "recent requests:\n" + "\n".join(r.summary() for r in tail) if tail else "no requests recorded"
