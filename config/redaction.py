"""Keeping the token out of everything the process prints or logs, whatever produced the text.

The token is handed to discord.py and nowhere else, but text from outside can carry it
back: an API or proxy that echoes the `Authorization` header in an error body ends up in
an `HTTPException` message, a log record or a traceback. `install(token)` therefore
redacts at the three exits rather than at each call site:

* every log record, when it is created (message, arguments, exception and stack text),
  so every handler and formatter sees the redacted text;
* `sys.stdout` and `sys.stderr`, wrapped so that anything written through them is redacted;
* uncaught exceptions (`sys.excepthook`, `threading.excepthook`), printed redacted.

A database URL (`postgresql://user:password@host/db`) carries a password the same way:
its password is one of the secrets, and any URL's `user:password@` part is redacted
wherever a URL appears, even one the bot was not given.

No discord import: this is plain text processing, unit-tested alone.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

REDACTED = "[REDACTED]"
MIN_SECRET_CHARS = 8
# scheme://user:password@ — the password part of any URL that has one.
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(@)")


def url_password(url: str) -> str:
    """The password of a URL such as postgresql://user:password@host/db ('' if it has none)."""
    try:
        password = urlsplit(url.strip()).password
    except ValueError:
        return ""
    return unquote(password) if password else ""


def redact_url_passwords(text: str) -> str:
    """Every `scheme://user:password@` in `text` with the password replaced by REDACTED."""
    return _URL_PASSWORD.sub(rf"\1{REDACTED}\2", text)


class Redactor:
    """Replaces each secret, and each long dot-separated part of one, with REDACTED."""

    def __init__(self, secrets: Iterable[str]) -> None:
        pieces: set[str] = set()
        for secret in secrets:
            secret = secret.strip()
            if len(secret) >= MIN_SECRET_CHARS:
                pieces.add(secret)
                # A Discord token is id.timestamp.signature; the signature alone is still a secret.
                pieces.update(part for part in secret.split(".") if len(part) >= 16)
        ordered = sorted(pieces, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        text = redact_url_passwords(text)
        return text if self._pattern is None else self._pattern.sub(REDACTED, text)


class RedactingStream:
    """A text stream that redacts what is written through it; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO, redactor: Redactor) -> None:
        self._stream = stream
        self._redactor = redactor

    @property
    def wrapped(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(self._redactor(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def redact_record(record: logging.LogRecord, redactor: Redactor) -> logging.LogRecord:
    """The record with its final message, exception and stack text redacted (formatted once, here)."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep what can be shown
        message = f"{record.msg!r} {record.args!r}"
    record.msg = redactor(message)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redactor("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        # exc_info stays (handlers test it); formatters reuse exc_text instead of formatting again.
    if record.stack_info:
        record.stack_info = redactor(record.stack_info)
    return record


_installed: Redactor | None = None


def install(*secrets: str) -> Redactor:
    """Redact `secrets` from log records, stdout, stderr and uncaught exceptions from now on."""
    global _installed
    redactor = Redactor(secrets)
    if not redactor:
        return redactor
    _installed = redactor
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(make_record(*args, **kwargs), redactor)

    logging.setLogRecordFactory(redacting_factory)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream, redactor))

    def excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        sys.stderr.write(redactor("".join(traceback.format_exception(kind, value, tb))))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    return redactor


def redact(text: str) -> str:
    """`text` with the installed secrets and any URL's password redacted."""
    return redact_url_passwords(text) if _installed is None else _installed(text)
