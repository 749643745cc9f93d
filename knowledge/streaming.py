"""Reading and writing fact-base files fact by fact, for files of any size from the command line.

`schema.load_fact_base` reads a whole file into one string, decodes it into one tree of
dicts and validates it in one go: three copies of the document at once, several times the
file's size in memory. Here the file is parsed as a stream of JSON events (ijson, with its
C backend), each fact is built, validated and turned into a `Fact` on its own, and its raw
form dropped: memory holds the facts themselves, never the text or the raw tree.

The rules and messages are `knowledge.schema`'s: every problem names the file, the fact id
and the field, all problems are collected before failing, and what `jsondoc.loads_strict`
refuses is refused here too (a repeated key, deep nesting, a number too long, a lone
surrogate). Discord uploads keep the whole-document path and its 5 MB limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO

import ijson

from .jsondoc import MAX_DEPTH, MAX_NUMBER_CHARS, describe_size
from .models import Fact, FactBase
from .schema import (
    MAX_FACTS,
    MAX_FILE_BYTES,
    FactBaseError,
    Problem,
    dump_fact_base,
    load_fact_base,
    parse_fact_base,
)
from .schema import validate_fact as _validate_fact

MAX_PROBLEMS = 1000  # a broken file of 100,000 facts should not hold 100,000 messages
_BOM = b"\xef\xbb\xbf"
_BIG = 10**MAX_NUMBER_CHARS
# A \uD800-\uDBFF escape not followed by a \uDC00-\uDFFF one, or the reverse: the C parser
# would quietly read it as "?", where the whole-document path refuses it.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<![0-9a-fA-F]{4})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_OVERLAP = 12


class _Refused(ValueError):
    """A refusal found while parsing: of the file as JSON, or (with `problem`) of its content."""

    def __init__(self, message: str, problem: Problem | None = None) -> None:
        super().__init__(message)
        self.problem = problem or Problem("file", "", message)


class _BoundedReader:
    """A binary stream that drops a leading byte-order mark and stops after `limit` bytes."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._read = 0
        self._first = True
        self._tail = b""
        self._judged = 0  # how many bytes of the tail were judged already

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing first, to learn whether the stream is bytes or text
            return b""
        chunk = self._stream.read(size if size > 0 else 1 << 16)
        if self._first:
            self._first = False
            chunk = chunk.removeprefix(_BOM)
        self._read += len(chunk)
        if self._read > self._limit:
            raise _Refused(f"is larger than {describe_size(self._limit)}")
        self._check_surrogates(self._tail + chunk, more=bool(chunk))
        return chunk

    def _check_surrogates(self, window: bytes, more: bool) -> None:
        """Judge the window's bytes not judged yet, except its last few while more is coming:
        whether an escape there is a lone surrogate depends on what follows it."""
        end = len(window) - _OVERLAP if more else len(window)
        if b"\\u" in window:
            for found in _LONE_SURROGATE.finditer(window):
                if self._judged <= found.start() < end:
                    raise _Refused("contains a lone UTF-16 surrogate, which is not Unicode text")
        self._tail = window[-2 * _OVERLAP :]
        self._judged = max(0, max(end, self._judged) - (len(window) - len(self._tail)))


def read_fact_base(
    stream: BinaryIO, origin: str, *, limit: int = MAX_FILE_BYTES, on_fact: Callable[[], None] | None = None
) -> FactBase:
    """Parse and validate a fact-base document from `stream`; FactBaseError lists every problem.

    `on_fact` is called after each fact (a progress bar's tick).
    """
    reader = _Reading(origin, on_fact)
    try:
        reader.read(ijson.basic_parse(_BoundedReader(stream, limit), use_float=True))
    except _Refused as refusal:
        raise FactBaseError(origin, [refusal.problem]) from None
    except ijson.JSONError as error:
        raise FactBaseError(
            origin, [Problem("file", "", f"is not valid JSON: {_first_line(error)}")]
        ) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise FactBaseError(origin, [Problem("file", "", f"cannot be read: {reason}")]) from None
    return reader.result()


def load_fact_base_streaming(path: Path, on_fact: Callable[[], None] | None = None) -> FactBase:
    """Read a fact-base file fact by fact; FactBaseError names the file, the fact and the field.

    A file that is not acceptable JSON at all (not UTF-8, a lone surrogate, NaN…) is read
    again by `schema.load_fact_base`, whose messages say exactly where and what: only a
    broken file pays for a whole read. So does a device or a pipe, which has no size to
    check first and is read up to the limit, as before.
    """
    try:
        if not path.is_file():
            return load_fact_base(path)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise FactBaseError(
                str(path), [Problem("file", "", f"is larger than {describe_size(MAX_FILE_BYTES)}")]
            )
        with path.open("rb") as stream:
            return read_fact_base(stream, str(path), on_fact=on_fact)
    except FactBaseError as error:
        if [p.location for p in error.problems] == ["file"]:
            load_fact_base(path)  # raises the whole-document reader's message for the same fault
        raise
    except OSError as error:  # opening: missing, a folder, no permission
        reason = error.strerror or type(error).__name__
        raise FactBaseError(str(path), [Problem("file", "", f"cannot be read: {reason}")]) from None


def _first_line(error: Exception) -> str:
    if error.args and isinstance(error.args[0], bytes):
        error = ValueError(error.args[0].decode("utf-8", "replace"))
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


class _Reading:
    """One pass over the parser's events: the facts one by one, everything else as raw values."""

    def __init__(self, origin: str, on_fact: Callable[[], None] | None) -> None:
        self.origin = origin
        self.on_fact = on_fact
        self.head: dict[str, Any] = {}
        self.facts: list[Fact] = []
        self.problems: list[Problem] = []
        self.fact_ids: dict[str, int] = {}
        self.repeated_ids: list[str] = []
        self.cited: list[tuple[str, tuple[str, ...]]] = []  # (fact label, source ids) for the end

    def read(self, events: Iterator[tuple[str, Any]]) -> None:
        first = next(events)
        if first[0] != "start_map":
            _value(events, first, depth=1)  # too deep or not JSON is the first thing to say
            raise _Refused("must be a JSON object", Problem("document", "", "must be a JSON object"))
        for event, value in events:
            if event == "end_map":
                break
            if value in self.head:
                raise _Refused(f"repeats the key {value!r} in one object (each key must appear once)")
            if value == "facts":
                self.head["facts"] = self._facts(events)
            else:
                self.head[value] = _value(events, next(events), depth=1)
        for _ in events:  # the parser refuses anything after the document only when asked for more
            pass

    def _facts(self, events: Iterator[tuple[str, Any]]) -> object:
        event, value = next(events)
        if event != "start_array":  # not a list: let validation say so, as for any document
            return _value(events, (event, value), depth=1)
        for index, (event, value) in enumerate(events):
            if event == "end_array":
                return []
            if index >= MAX_FACTS:
                raise _Refused("too many facts", Problem("document", "facts", f"more than {MAX_FACTS} facts"))
            self._fact(_value(events, (event, value), depth=2), index)
        return []  # unreachable: the parser raises on a truncated array

    def _fact(self, raw: object, index: int) -> None:
        fact, problems = _validate_fact(raw, index)
        self._add_problems(problems)
        if isinstance(raw, dict):
            fact_id, cited = raw.get("id"), raw.get("source_ids")
            label = (
                f"fact '{fact_id}'"
                if isinstance(fact_id, str) and len(fact_id) <= 200
                else f"fact '#{index}'"
            )
            if isinstance(fact_id, str):
                if fact_id in self.fact_ids:
                    self.repeated_ids.append(fact_id)
                self.fact_ids[fact_id] = index
            if isinstance(cited, list):
                self.cited.append((label, tuple(s if isinstance(s, str) else "" for s in cited)))
        if fact is not None:
            self.facts.append(fact)
        if self.on_fact is not None:
            self.on_fact()

    def _add_problems(self, problems: list[Problem]) -> None:
        room = MAX_PROBLEMS - len(self.problems)
        self.problems += problems[: max(room, 0)]

    def result(self) -> FactBase:
        """Validate the rest of the document, check what spans facts, and build the FactBase."""
        problems: list[Problem] = []
        base: FactBase | None = None
        try:
            base = parse_fact_base(self.head, self.origin)  # "facts" is [] when present
        except FactBaseError as error:
            problems = error.problems
        sources = self.head.get("sources")
        known = {
            s["id"]
            for s in (sources if isinstance(sources, list) else [])
            if isinstance(s, dict) and isinstance(s.get("id"), str)
        }
        for label, cited in self.cited:
            problems += [
                Problem(label, f"source_ids[{i}]", f"{source_id[:80]!r} is not a known source id")
                for i, source_id in enumerate(cited)
                if source_id and source_id not in known
            ]
        problems += [
            Problem(f"fact '{i}'", "id", "is used more than once") for i in dict.fromkeys(self.repeated_ids)
        ]
        problems = self.problems + problems
        if problems or base is None:
            raise FactBaseError(self.origin, problems[:MAX_PROBLEMS])
        return replace(base, facts=tuple(self.facts))


def _value(events: Iterator[tuple[str, Any]], first: tuple[str, Any], depth: int) -> object:
    """Build one JSON value from its events, refusing repeated keys, deep nesting and huge numbers."""
    event, value = first
    if event in ("string", "boolean", "null"):
        return _checked_string(value) if event == "string" else value
    if event == "number":
        return _checked_number(value)
    if depth >= MAX_DEPTH:
        raise _Refused(f"nests more than {MAX_DEPTH} levels deep")
    if event == "start_array":
        items: list[object] = []
        for item in events:
            if item[0] == "end_array":
                return items
            items.append(_value(events, item, depth + 1))
    elif event == "start_map":
        mapping: dict[str, object] = {}
        for key_event, key in events:
            if key_event == "end_map":
                return mapping
            key = _checked_string(key)
            if key in mapping:
                raise _Refused(f"repeats the key {key!r} in one object (each key must appear once)")
            mapping[key] = _value(events, next(events), depth + 1)
    raise _Refused(f"has an unexpected {event} in a value")


def _checked_string(text: str) -> str:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _Refused("contains a lone UTF-16 surrogate, which is not Unicode text") from None
    return text


def _checked_number(number: int | float) -> int | float:
    if isinstance(number, int) and not -_BIG < number < _BIG:
        raise _Refused(f"has a number more than {MAX_NUMBER_CHARS} digits long")
    return number


# -- writing -------------------------------------------------------------------------------------


def write_fact_base(fact_base: FactBase, stream: TextIO, on_fact: Callable[[], None] | None = None) -> None:
    """Write exactly `schema.dump_fact_base`'s text, one fact at a time (no whole-file string)."""
    if not fact_base.facts:
        stream.write(dump_fact_base(fact_base))
        return
    marker = '"\\u0000"'
    head, tail = (
        dump_fact_base(replace(fact_base, facts=()))
        .replace('"facts": []', f'"facts": [\n    {marker}\n  ]')
        .split(f"    {marker}\n")
    )
    stream.write(head)
    for position, fact in enumerate(fact_base.facts):
        text = json.dumps(fact.to_dict(), ensure_ascii=False, indent=2)
        stream.write(
            "    " + text.replace("\n", "\n    ") + (",\n" if position < len(fact_base.facts) - 1 else "\n")
        )
        if on_fact is not None:
            on_fact()
    stream.write(tail)
