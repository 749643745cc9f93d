"""Reading JSON that anyone may have written: bounded, strict, and never a traceback.

`json.loads` on its own accepts things a fact base, a settings file or a question set must
not: an object that repeats a key (the last one silently wins, so a trailing `"facts": []`
would retire every fact), nesting deep enough to exhaust the interpreter's stack, a
5,000-digit number (a ValueError from `int`), `NaN`, and lone UTF-16 surrogates that
SQLite cannot store later. `loads_strict` refuses each of those with one sentence, and
`read_bounded` reads a file in chunks and stops at a size limit instead of reading
`/dev/zero` into memory.

Used by `knowledge.schema` and `config.settings`; imports nothing from the rest of the bot.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import BinaryIO

MAX_DEPTH = 32  # the deepest real document (a fact's question list) nests 5 levels
MAX_NUMBER_CHARS = 40
_CHUNK = 1 << 20
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JsonDocumentError(ValueError):
    """A text that is not an acceptable JSON document; the message is one readable sentence."""


class TooLarge(ValueError):
    """A file over the size limit (read no further than the limit)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"is larger than {describe_size(limit)}")


def describe_size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def read_bounded(path: Path, limit: int) -> bytes:
    """The file's bytes, or TooLarge as soon as more than `limit` bytes have been read.

    Reads in chunks, so a device or an endless pipe costs at most `limit` bytes of memory.
    Raises OSError for what the operating system refuses (missing, a folder, no permission).
    """
    with path.open("rb") as stream:
        if os.fstat(stream.fileno()).st_size > limit:  # a regular file says its size: no need to read
            raise TooLarge(limit)
        return _read_stream(stream, limit)


def _read_stream(stream: BinaryIO, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise TooLarge(limit)


def _refuse_constant(name: str) -> object:
    raise JsonDocumentError(f"{name} is not a number JSON allows")


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonDocumentError(f"has a number {len(text)} digits long (at most {MAX_NUMBER_CHARS})")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonDocumentError(f"has a number {len(text)} characters long (at most {MAX_NUMBER_CHARS})")
    return float(text)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise JsonDocumentError(f"repeats the key {key!r} in one object (each key must appear once)")
            seen.add(key)
    return document


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep brackets nest outside strings, counting no further than limit + 1."""
    depth = deepest = 0
    for bracket in _NOT_BRACKETS.sub("", _STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def loads_strict(text: str, max_depth: int = MAX_DEPTH) -> object:
    """Decode one JSON document, refusing what `json.loads` would let through (see the module doc)."""
    if nesting_depth(text, max_depth) > max_depth:
        raise JsonDocumentError(f"nests more than {max_depth} levels deep")
    try:
        document: object = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as error:
        raise JsonDocumentError(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:  # unreachable after the depth check; kept so no input can crash a caller
        raise JsonDocumentError(f"nests more than {max_depth} levels deep") from None
    _refuse_surrogates(document, text)
    return document


def _refuse_surrogates(document: object, text: str) -> None:
    if not _SURROGATE_ESCAPE.search(text):  # strict UTF-8 decoding already refuses raw surrogates
        return
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise JsonDocumentError(
            f"contains a lone UTF-16 surrogate ({_first_surrogate(document)}), which is not Unicode text"
        ) from None


def _first_surrogate(document: object) -> str:
    """Where the first lone surrogate is, as a path like facts[3].statement.en (iterative: no recursion)."""
    stack: list[tuple[str, object]] = [("document", document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if _has_surrogate(value):
                return f"at {where}"
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                if _has_surrogate(key):
                    return f"in a key of {where}"
                stack.append((f"{where}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in reversed(list(enumerate(value))))
    return "somewhere"


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def decode_utf8(data: bytes) -> str:
    """UTF-8 text (a leading byte-order mark is dropped), or JsonDocumentError naming the bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise JsonDocumentError(f"is not UTF-8 text (byte {error.start})") from None
