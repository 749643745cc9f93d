"""The index saved next to the database: loaded at start, brought up to date, never trusted when damaged."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import shutil
from pathlib import Path

import pytest

from knowledge import snapshot
from knowledge.models import Actor
from knowledge.service import KnowledgeService
from knowledge.store import Store

MODERATOR = Actor("42", "mod")
NEW_QUESTION = "did the zeppelin appear in the messages?"
QUESTIONS = (
    "what did WikiLeaks propose?",
    "qu'a proposé WikiLeaks ?",
    "when did WikiLeaks first write to Trump Jr.?",
    "who founded Twitter?",
    NEW_QUESTION,
)


def answered_ids(service: KnowledgeService, question: str) -> list[str]:
    return [m.fact.id for m in service.answer(question).facts]


async def first_start(database: Path) -> None:
    service = await KnowledgeService.open(database)
    await service.close()
    assert snapshot.snapshot_path(database).exists()


async def fresh_answers(database: Path) -> dict[str, list[str]]:
    """What a service that builds its index from the store answers: the reference."""
    service = await KnowledgeService.open(database, use_snapshot=False)
    try:
        return {q: answered_ids(service, q) for q in QUESTIONS}
    finally:
        await service.close()


async def test_an_edit_made_while_the_bot_was_down_is_answered_after_the_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "k.db"
    await first_start(database)
    saved = snapshot.snapshot_path(database).read_bytes()
    async with await Store.open(database) as store:  # another process edits; the snapshot is not told
        await store.add_variant("one-sided-conversation", "en", NEW_QUESTION, MODERATOR)
        await store.set_status("tax-returns-leak-offer", "retired", MODERATOR)
    assert snapshot.snapshot_path(database).read_bytes() == saved

    caplog.set_level(logging.INFO)
    service = await KnowledgeService.open(database)
    try:
        assert "rebuilding" not in caplog.text  # the snapshot was used, then brought up to date
        assert answered_ids(service, NEW_QUESTION)[:1] == ["one-sided-conversation"]
        assert "tax-returns-leak-offer" not in answered_ids(service, "what did WikiLeaks propose?")
        assert service.fact("tax-returns-leak-offer") is not None  # retired facts stay readable
        answers = {q: answered_ids(service, q) for q in QUESTIONS}
    finally:
        await service.close()
    assert answers == await fresh_answers(database)


async def test_many_changes_since_the_snapshot_refresh_it(tmp_path: Path, monkeypatch) -> None:
    database = tmp_path / "k.db"
    await first_start(database)
    before = pickle.loads(_payload(snapshot.snapshot_path(database).read_bytes())).change_id
    async with await Store.open(database) as store:
        await store.add_variant("one-sided-conversation", "en", NEW_QUESTION, MODERATOR)
    monkeypatch.setattr("knowledge.service.SNAPSHOT_REFRESH_CHANGES", 1)
    service = await KnowledgeService.open(database)
    await service.close()
    after = snapshot.load(snapshot.snapshot_path(database))
    assert after is not None and after.change_id == before + 1


def _payload(data: bytes) -> bytes:
    header_end = data.index(b"\n", len(snapshot.MAGIC))
    return data[header_end + 1 :]


def flip_a_byte(data: bytes) -> bytes:
    middle = len(data) - len(_payload(data)) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def truncate(data: bytes) -> bytes:
    return data[: len(data) - 100]


def checksummed_garbage(data: bytes) -> bytes:
    """A header that matches its payload, with a payload that is not a pickle at all."""
    payload = b"not a pickle" * 10
    header = json.loads(data[len(snapshot.MAGIC) : data.index(b"\n", len(snapshot.MAGIC))])
    header |= {"length": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    return snapshot.MAGIC + json.dumps(header).encode() + b"\n" + payload


def a_pickle_of_something_else(data: bytes) -> bytes:
    payload = pickle.dumps({"facts": []})
    header = json.loads(data[len(snapshot.MAGIC) : data.index(b"\n", len(snapshot.MAGIC))])
    header |= {"length": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    return snapshot.MAGIC + json.dumps(header).encode() + b"\n" + payload


@pytest.mark.parametrize(
    ("damage", "logged"),
    [
        (flip_a_byte, "checksum mismatch"),
        (truncate, "truncated"),
        (checksummed_garbage, "cannot be read"),
        (a_pickle_of_something_else, "something other than an index snapshot"),
        (lambda data: b"", "is not an index snapshot"),
        (lambda data: snapshot.MAGIC + b"{not json\n" + _payload(data), "damaged header"),
    ],
)
async def test_a_damaged_snapshot_is_logged_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage, logged: str
) -> None:
    database = tmp_path / "k.db"
    await first_start(database)
    path = snapshot.snapshot_path(database)
    async with await Store.open(database) as store:
        await store.add_variant("one-sided-conversation", "en", NEW_QUESTION, MODERATOR)
    path.write_bytes(damage(path.read_bytes()))

    service = await KnowledgeService.open(database)
    try:
        assert logged in caplog.text and "rebuilding the index" in caplog.text
        answers = {q: answered_ids(service, q) for q in QUESTIONS}
        assert answers[NEW_QUESTION][:1] == ["one-sided-conversation"]
    finally:
        await service.close()
    assert answers == await fresh_answers(database)
    assert snapshot.load(path) is not None  # rebuilt and saved again


async def test_a_matcher_version_change_rebuilds_the_index(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    database = tmp_path / "k.db"
    await first_start(database)
    monkeypatch.setattr(snapshot, "MATCHER_VERSION", snapshot.MATCHER_VERSION + 1)
    loaded = []
    monkeypatch.setattr(snapshot, "pickle", _SpyPickle(loaded))
    service = await KnowledgeService.open(database)
    try:
        assert "was built by another version" in caplog.text
        assert loaded == []  # the old payload was never unpickled
        assert answered_ids(service, "what did WikiLeaks propose?")
    finally:
        await service.close()
    header = json.loads(snapshot.snapshot_path(database).read_bytes().split(b"\n")[1])
    assert header["matcher"] == snapshot.MATCHER_VERSION


async def test_a_change_to_the_index_code_rebuilds_the_index(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    """Even when nobody bumped MATCHER_VERSION: the header carries a hash of the index's source."""
    database = tmp_path / "k.db"
    await first_start(database)
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "edited-matcher")
    service = await KnowledgeService.open(database)
    await service.close()
    assert "was built by another version" in caplog.text
    header = json.loads(snapshot.snapshot_path(database).read_bytes().split(b"\n")[1])
    assert header["code"] == "edited-matcher"


class _SpyPickle:
    HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL

    def __init__(self, loaded: list[bytes]) -> None:
        self.loaded = loaded

    def dumps(self, value: object, protocol: int) -> bytes:
        return pickle.dumps(value, protocol=protocol)

    def loads(self, data: bytes) -> object:
        self.loaded.append(data)
        return pickle.loads(data)


async def test_a_snapshot_of_another_database_is_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    """A restored backup, or a database swapped under the same name, gets its own index."""
    monkeypatch.setattr("knowledge.service.SNAPSHOT_REFRESH_CHANGES", 1)
    ours, other = tmp_path / "ours.db", tmp_path / "other.db"
    await first_start(ours)
    async with await Store.open(ours) as store:
        await store.add_variant("one-sided-conversation", "en", NEW_QUESTION, MODERATOR)
    service = await KnowledgeService.open(ours)
    await service.close()  # snapshot of "ours", with the zeppelin variant
    await first_start(other)
    async with await Store.open(other) as store:
        await store.add_variant("contest-result-advice", "en", "anything about a walrus?", MODERATOR)
    shutil.copyfile(snapshot.snapshot_path(ours), snapshot.snapshot_path(other))

    caplog.set_level(logging.INFO)
    service = await KnowledgeService.open(other)
    try:
        assert NEW_QUESTION not in [v for f in service.facts() for v in f.questions.en]
        assert "made from another database" in caplog.text
    finally:
        await service.close()


async def test_a_folder_that_cannot_be_written_only_costs_the_snapshot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    def refuse(path: Path, saved: snapshot.IndexSnapshot) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(snapshot, "save", refuse)
    service = await KnowledgeService.open(tmp_path / "k.db")
    try:
        assert "could not save the index snapshot" in caplog.text
        assert answered_ids(service, "what did WikiLeaks propose?")
    finally:
        await service.close()
