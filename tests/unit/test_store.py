"""The store: migrations, history, seeding, import/export, logs, digests and maintenance.

Every test builds a tiny fact base in code. Tests on the `store` fixture run twice: on a
real SQLite file in tmp_path and on a fresh database of the real PostgreSQL server the
test run starts (tests/conftest.py); file-level tests are SQLite's own.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import knowledge.store as store_module
from knowledge.migrations import LATEST_VERSION
from knowledge.models import (
    SEED_ACTOR,
    Actor,
    Bilingual,
    Fact,
    FactBase,
    QuestionVariants,
    Quote,
    Source,
    Story,
)
from knowledge.schema import SCHEMA_VERSION, dump_fact_base, parse_fact_base
from knowledge.store import (
    DuplicateFact,
    InvalidContent,
    StaleRevision,
    Store,
    StoreError,
    UnknownFact,
    UnknownQuestion,
    UnknownSource,
)
from knowledge.store.opening import open_store
from tests.helpers.store_reads import (
    audit_entries,
    connection_settings,
    get_source,
    integrity_check,
    latest_change_id,
)

ALICE = Actor(id="111", name="alice")
BOB = Actor(id="222", name="bob")
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """Time stands still until a test moves it, so timestamps can be asserted exactly."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def source(source_id: str, title: str = "A report", language: str = "en") -> Source:
    return Source(source_id, title, "The Daily", "2024-02-28", language, f"https://example.org/{source_id}")


def fact(fact_id: str, statement: str = "The bridge closed on Monday.", **changes: object) -> Fact:
    base = Fact(
        id=fact_id,
        statement=Bilingual(statement, f"FR: {statement}"),
        attribution=Bilingual("according to The Daily", "selon The Daily"),
        source_ids=("daily",),
        questions=QuestionVariants(en=(f"what about {fact_id}?",), fr=(f"quoi de {fact_id} ?",)),
        tags=("bridge",),
        date="2024-02-26",
    )
    return replace(base, **changes)


def fact_base(*facts: Fact, seed_version: str = "1", sources: tuple[Source, ...] | None = None) -> FactBase:
    return FactBase(
        schema_version=SCHEMA_VERSION,
        seed_version=seed_version,
        story=Story(Bilingual("The bridge", "Le pont"), Bilingual("A bridge closed.", "Un pont a fermé.")),
        sources=sources if sources is not None else (source("daily"), source("matin", "Un rapport", "fr")),
        facts=facts or (fact("closure"), fact("reopening", "It reopens in May.")),
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(store_target: Path | str, clock: FakeClock):
    opened = await open_store(store_target, clock=clock)
    yield opened
    await opened.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path, clock: FakeClock):
    opened = await Store.open(tmp_path / "nested" / "store.db", clock=clock)
    yield opened
    await opened.close()


@pytest.fixture
async def seeded(store: Store) -> Store:
    await store.seed(fact_base())
    return store


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, to look at the file the way another program would."""
    return sqlite3.connect(path)


# --- opening, migrations, connection settings ---------------------------------------------------


async def test_open_creates_the_schema_in_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store.db"
    store = await Store.open(path)
    await store.close()

    with raw(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "facts",
        "question_variants",
        "sources",
        "fact_sources",
        "fact_revisions",
        "audit_log",
        "questions_asked",
        "feedback",
        "digest_subscriptions",
        "meta",
    } <= tables


async def test_reopening_an_up_to_date_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await Store.open(path)
    await store.seed(fact_base())
    await store.close()
    with raw(path) as db:
        schema_before = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()

    store = await Store.open(path)  # would fail if a CREATE TABLE ran again
    try:
        assert [f.id for f in (await store.fact_base()).facts] == ["closure", "reopening"]
    finally:
        await store.close()
    with raw(path) as db:
        assert (
            db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == schema_before
        )
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


async def test_a_file_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    await (await Store.open(path)).close()
    with raw(path) as db:
        db.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")

    with pytest.raises(StoreError, match=r"schema version \d+.*only knows"):
        await Store.open(path)


async def test_wal_foreign_keys_and_busy_timeout_are_on(sqlite_store: Store) -> None:
    settings = await connection_settings(sqlite_store)
    assert settings["journal_mode"] == "wal"
    assert settings["foreign_keys"] == 1
    assert settings["busy_timeout"] >= 1000
    assert settings["user_version"] == LATEST_VERSION


async def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    path.write_bytes(b"this is a text file, not a database\n" * 200)

    with pytest.raises(StoreError, match="not a SQLite database") as caught:
        await Store.open(path)
    assert not isinstance(caught.value, sqlite3.Error)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_a_damaged_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await Store.open(path)
    await store.seed(fact_base(*(fact(f"fact-{i}", "x" * 600) for i in range(40))))
    await store.close()
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    assert len(data) > 6 * page_size
    data[2 * page_size : 6 * page_size] = b"\xa5" * (4 * page_size)  # trash b-tree pages, keep the header
    path.write_bytes(bytes(data))

    with pytest.raises(StoreError, match=r"corrupt|not a SQLite database"):
        await Store.open(path)


async def test_a_read_only_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated with SQLite's own read-only mode: chmod does not stop root, which CI runs as.
    path = tmp_path / "store.db"
    await (await Store.open(path)).close()
    monkeypatch.setattr(
        store_module.connection, "_database_uri", lambda p: p.absolute().as_uri() + "?mode=ro"
    )

    with pytest.raises(StoreError, match="read-only"):
        await Store.open(path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file permissions")
async def test_a_chmod_read_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    await (await Store.open(path)).close()
    path.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="read-only"):
            await Store.open(path)
    finally:
        path.chmod(0o644)


async def test_timestamps_are_stored_as_utc_iso_strings(store: Store, clock: FakeClock) -> None:
    clock.now = datetime(2024, 3, 1, 16, 30, tzinfo=timezone(timedelta(hours=2)))  # a clock not in UTC
    await store.seed(fact_base())
    async with store._reading() as db:
        created_at = await store._scalar(db, "SELECT created_at FROM facts WHERE id = ?", ("closure",))
    assert created_at == "2024-03-01T14:30:00.000000+00:00"
    assert (await store.history("closure"))[0].created_at == clock.now


# --- revisions --------------------------------------------------------------------------------


async def test_every_change_keeps_a_revision_with_who_when_and_why(seeded: Store, clock: FakeClock) -> None:
    original = await seeded.get_fact("closure")
    assert original is not None

    clock.advance(minutes=1)
    edited = replace(original, statement=Bilingual("The bridge closed on Tuesday.", "Le pont a fermé mardi."))
    assert await seeded.update_fact(edited, ALICE, "wrong day") == 2
    clock.advance(minutes=1)
    assert await seeded.set_status("closure", "retired", BOB, "superseded") == 3
    clock.advance(minutes=1)
    assert await seeded.set_status("closure", "active", ALICE, "not superseded after all") == 4
    clock.advance(minutes=1)
    assert await seeded.add_variant("closure", "en", "  when did the bridge close? ", BOB) == 5
    clock.advance(minutes=1)
    assert await seeded.remove_variant("closure", "en", "what about closure?", BOB) == 6
    clock.advance(minutes=1)
    assert await seeded.revert("closure", 1, ALICE, "back to the seed text") == 7

    history = await seeded.history("closure")
    assert [r.revision for r in history] == [7, 6, 5, 4, 3, 2, 1]
    assert [r.kind for r in history] == [
        "reverted",
        "variant",
        "variant",
        "restored",
        "retired",
        "edited",
        "added",
    ]
    assert [r.actor_name for r in history] == ["alice", "bob", "bob", "alice", "bob", "alice", "seed loader"]
    assert [r.created_at for r in history] == [START + timedelta(minutes=m) for m in range(6, -1, -1)]
    assert history[5].reason == "wrong day" and history[0].reason == "back to the seed text"
    assert history[5].fact == edited
    assert history[4].fact.status == "retired"
    assert history[2].fact.questions.en == ("what about closure?", "when did the bridge close?")
    assert history[1].fact.questions.en == ("when did the bridge close?",)
    # The revert restored revision 1's content as a new revision; the old states are all still there.
    assert history[0].fact == original == history[6].fact
    assert await seeded.get_fact("closure") == original
    assert await seeded.get_fact_revision_number("closure") == 7


async def test_repeating_a_change_records_nothing(seeded: Store) -> None:
    current = await seeded.get_fact("closure")
    assert current is not None
    assert await seeded.update_fact(current, ALICE) == 1
    assert await seeded.add_variant("closure", "en", "what about closure?", ALICE) == 1
    assert await seeded.set_status("closure", "active", ALICE) == 1
    assert await seeded.attach_source("closure", "daily", ALICE) == 1
    assert len(await seeded.history("closure")) == 1


async def test_a_stale_edit_is_refused_with_the_newer_version(seeded: Store) -> None:
    loaded = await seeded.get_fact("closure")
    assert loaded is not None
    base_revision = await seeded.get_fact_revision_number("closure")
    alice_version = replace(loaded, tags=("bridge", "traffic"))
    bob_version = replace(loaded, date="2024-02-27")

    assert await seeded.update_fact(alice_version, ALICE, expected_revision=base_revision) == 2
    with pytest.raises(StaleRevision) as caught:
        await seeded.update_fact(bob_version, BOB, expected_revision=base_revision)

    assert caught.value.revision == 2 and caught.value.expected_revision == 1
    assert caught.value.fact == alice_version
    assert "revision 2" in str(caught.value)
    assert await seeded.get_fact("closure") == alice_version


async def test_concurrent_edits_of_one_revision_let_exactly_one_through(seeded: Store) -> None:
    loaded = await seeded.get_fact("closure")
    assert loaded is not None
    edits = [replace(loaded, tags=(f"tag-{i}",)) for i in range(5)]

    results = await asyncio.gather(
        *(seeded.update_fact(e, ALICE, expected_revision=1) for e in edits), return_exceptions=True
    )
    assert sum(r == 2 for r in results) == 1
    assert sum(isinstance(r, StaleRevision) for r in results) == 4


async def test_moderator_errors_are_specific_and_readable(seeded: Store) -> None:
    with pytest.raises(DuplicateFact, match="'closure' already exists"):
        await seeded.add_fact(fact("closure"), ALICE)
    with pytest.raises(UnknownSource, match="'nowhere'"):
        await seeded.add_fact(fact("new-one", source_ids=("daily", "nowhere")), ALICE)
    with pytest.raises(UnknownFact, match="no fact with the id 'ghost'"):
        await seeded.update_fact(fact("ghost"), ALICE)
    with pytest.raises(UnknownFact):
        await seeded.set_status("ghost", "retired", ALICE)
    with pytest.raises(InvalidContent, match=r"statement\.en"):
        await seeded.add_fact(fact("empty", statement=" "), ALICE)
    with pytest.raises(StoreError, match="no revision 9"):
        await seeded.revert("closure", 9, ALICE)
    with pytest.raises(StoreError, match="no English question"):
        await seeded.remove_variant("closure", "en", "never asked", ALICE)
    with pytest.raises(InvalidContent, match="at least one source"):
        await seeded.detach_source("closure", "daily", ALICE)
    assert await seeded.get_fact("empty") is None
    assert len(await seeded.history("closure")) == 1


async def test_sources_can_be_added_attached_and_edited(seeded: Store) -> None:
    await seeded.upsert_source(source("herald"), ALICE)
    assert await seeded.attach_source("closure", "herald", ALICE, "second confirmation") == 2
    await seeded.upsert_source(replace(source("herald"), title="A corrected title"), BOB)

    assert (await get_source(seeded, "herald")) == replace(source("herald"), title="A corrected title")
    assert [s.id for s in (await seeded.fact_base()).sources] == ["daily", "matin", "herald"]
    closure = await seeded.get_fact("closure")
    assert closure is not None and closure.source_ids == ("daily", "herald")
    assert (await seeded.history("closure"))[0].kind == "source"
    actions = [e.action for e in await audit_entries(seeded, target="source:herald")]
    assert actions == ["source.edit", "source.add"]


async def test_new_facts_are_added_with_revision_one(seeded: Store) -> None:
    new = fact(
        "toll",
        "A toll is planned.",
        quote=Quote("Mayor", "Il y aura un péage.", "fr", "There will be a toll."),
    )
    assert await seeded.add_fact(new, ALICE, "from today's briefing") == 1
    assert await seeded.get_fact("toll") == new
    [revision] = await seeded.history("toll")
    assert (revision.kind, revision.actor_id, revision.reason) == ("added", "111", "from today's briefing")
    assert [f.id for f in (await seeded.fact_base()).facts] == ["closure", "reopening", "toll"]


# --- audit log ----------------------------------------------------------------------------------


async def test_the_audit_log_is_append_only(seeded: Store) -> None:
    await seeded.set_status("closure", "retired", ALICE, "test")
    # Enforced by the database itself (triggers), so even SQL typed by hand is refused.
    for statement in (
        "UPDATE audit_log SET actor_name = 'mallory'",
        "DELETE FROM audit_log",
        "UPDATE fact_revisions SET reason = 'rewritten'",
        "DELETE FROM fact_revisions",
    ):
        with pytest.raises(StoreError, match="append-only"):
            async with seeded._transaction() as db:
                await db.execute(statement)
    entries = await audit_entries(seeded)
    assert [(e.action, e.actor_name) for e in entries] == [("fact.retire", "alice"), ("seed", "seed loader")]
    assert entries[0].details == {"reason": "test", "revision": 2}


async def test_every_curated_change_is_audited_in_its_transaction(seeded: Store) -> None:
    current = await seeded.get_fact("closure")
    assert current is not None
    await seeded.add_fact(fact("toll"), ALICE)
    await seeded.update_fact(replace(current, tags=()), ALICE)
    await seeded.set_status("toll", "retired", BOB)
    await seeded.add_variant("closure", "fr", "le pont est fermé ?", BOB)
    await seeded.remove_variant("closure", "fr", "le pont est fermé ?", BOB)
    await seeded.upsert_source(source("herald"), ALICE)
    await seeded.attach_source("closure", "herald", ALICE)
    await seeded.detach_source("closure", "herald", ALICE)
    await seeded.revert("closure", 1, ALICE)
    await seeded.subscribe(42, 7, "09:00", "Europe/Paris", "fr", ALICE)
    await seeded.unsubscribe(42, ALICE)

    actions = [e.action for e in reversed(await audit_entries(seeded))]
    assert actions == [
        "seed",
        "fact.add",
        "fact.edit",
        "fact.retire",
        "fact.variant.add",
        "fact.variant.remove",
        "source.add",
        "fact.source.attach",
        "fact.source.detach",
        "fact.revert",
        "digest.subscribe",
        "digest.unsubscribe",
    ]


# --- seeding ------------------------------------------------------------------------------------


async def test_reseeding_the_same_seed_changes_nothing(store: Store) -> None:
    first = await store.seed(fact_base())
    assert first.added == ["closure", "reopening"] and first.sources_added == ["daily", "matin"]
    cursor, audit = await latest_change_id(store), await audit_entries(store)

    again = await store.seed(fact_base())

    assert again.unchanged == ["closure", "reopening"]
    assert not again.has_changes
    assert await latest_change_id(store) == cursor
    assert await audit_entries(store) == audit


async def test_a_newer_seed_updates_seed_rows_but_keeps_moderator_edits(store: Store) -> None:
    await store.seed(fact_base(fact("closure"), fact("reopening"), fact("rumour")))
    closure = await store.get_fact("closure")
    assert closure is not None
    mine = replace(closure, statement=Bilingual("Moderator text.", "Texte du modérateur."))
    await store.update_fact(mine, ALICE, "fixed")
    await store.upsert_source(replace(source("daily"), title="Moderator title"), ALICE)

    report = await store.seed(
        fact_base(
            fact("closure", "Seed v2 text."),
            fact("reopening", "It reopens in June."),
            fact("toll"),
            seed_version="2",
            sources=(
                replace(source("daily"), title="Seed v2 title"),
                replace(source("matin"), publisher="Le Matin"),
            ),
        )
    )

    assert report.kept_edited == ["closure"]
    assert report.updated == ["reopening"]
    assert report.added == ["toll"]
    assert report.retired == ["rumour"]  # seed-owned and gone from the seed: retired, not deleted
    assert report.sources_kept_edited == ["daily"] and report.sources_updated == ["matin"]
    assert await store.get_fact("closure") == mine
    reopening = await store.get_fact("reopening")
    assert reopening is not None and reopening.statement.en == "It reopens in June."
    rumour = await store.get_fact("rumour")
    assert rumour is not None and rumour.status == "retired"
    assert (await get_source(store, "daily")).title == "Moderator title"  # type: ignore[union-attr]
    assert (await store.fact_base()).seed_version == "2"
    [latest, *_] = await store.history("reopening")
    assert (latest.revision, latest.actor_id, latest.reason) == (2, SEED_ACTOR.id, "seed 2")


# --- export and import --------------------------------------------------------------------------


async def curate(store: Store) -> None:
    """Moderator work that touches every field an export carries."""
    await store.upsert_source(source("herald", "Une dépêche", "fr"), ALICE)
    quote = Quote("Mayor", "Nous rouvrirons « bientôt ».", "fr", "We will reopen “soon”.")
    await store.add_fact(fact("toll", "A toll — maybe.", quote=quote, tags=(), date=None), ALICE)
    await store.attach_source("toll", "herald", ALICE)
    await store.add_variant("toll", "fr", "y aura-t-il un péage ?", BOB)
    await store.set_status("reopening", "retired", BOB, "denied")


async def test_export_import_round_trip_is_byte_identical(tmp_path: Path) -> None:
    origin = await Store.open(tmp_path / "origin.db")
    await origin.seed(fact_base())
    await curate(origin)
    text = dump_fact_base(await origin.export())
    document = parse_fact_base(json.loads(text), "export")
    assert document == await origin.export()

    # The same ids, but other texts, another order, another story and seed version.
    other = await Store.open(tmp_path / "other.db")
    await other.seed(
        FactBase(
            schema_version=SCHEMA_VERSION,
            seed_version="0.9",
            story=Story(Bilingual("Old", "Ancien"), Bilingual("Old story.", "Vieille histoire.")),
            sources=(source("matin", "Autre titre", "fr"), source("daily", "Other title")),
            facts=(fact("reopening", "Earlier text."), fact("closure", "Earlier text.")),
        )
    )
    plan = await other.apply_import(document, ALICE)
    assert plan.added == ["toll"] and plan.changed == ["closure", "reopening"] and plan.retired == []
    assert plan.order_changed and plan.story_changed and plan.sources_added == ["herald"]
    assert dump_fact_base(await other.export()) == text

    # Importing an export of the same store changes nothing.
    cursor, audit = await latest_change_id(other), await audit_entries(other)
    again = await other.apply_import(parse_fact_base(json.loads(dump_fact_base(await other.export()))), BOB)
    assert not again.has_changes and len(again.unchanged) == 3
    assert await latest_change_id(other) == cursor and await audit_entries(other) == audit
    assert not (await origin.apply_import(document, BOB)).has_changes

    await origin.close()
    await other.close()


async def test_import_plan_counts_every_kind_of_change(seeded: Store) -> None:
    await seeded.add_fact(fact("toll"), ALICE)
    await seeded.add_fact(fact("ferry"), ALICE)
    current = await seeded.export()
    closure, reopening, toll, _ferry = current.facts
    document = replace(
        current,
        sources=(*current.sources[:1], replace(current.sources[1], title="Nouveau titre"), source("herald")),
        facts=(
            closure,  # unchanged
            replace(reopening, tags=("reopening",)),  # changed
            replace(toll, status="retired"),  # active → retired
            fact("detour", source_ids=("herald",)),  # added
        ),  # ferry is absent: retired, never deleted
    )
    before = await latest_change_id(seeded)

    plan = await seeded.plan_import(document)

    assert plan.added == ["detour"]
    assert plan.changed == ["reopening"]
    assert sorted(plan.retired) == ["ferry", "toll"]
    assert plan.unchanged == ["closure"]
    assert plan.sources_added == ["herald"] and plan.sources_changed == ["matin"]
    assert await latest_change_id(seeded) == before  # planning writes nothing

    assert await seeded.apply_import(document, ALICE, "weekly sync") == plan
    ferry = await seeded.get_fact("ferry")
    assert ferry is not None and ferry.status == "retired"
    [latest, *_] = await seeded.history("ferry")
    assert (latest.kind, latest.actor_name, latest.reason) == ("retired", "alice", "weekly sync")
    assert [f.id for f in (await seeded.export()).facts] == [
        "closure",
        "reopening",
        "toll",
        "detour",
        "ferry",
    ]
    [entry, *_] = await audit_entries(seeded)
    assert entry.action == "import" and entry.details["retired"] == 2


async def test_a_failing_import_changes_nothing(seeded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    await curate(seeded)
    exported = dump_fact_base(await seeded.export())
    cursor, audit = await latest_change_id(seeded), await audit_entries(seeded)
    document = fact_base(fact("closure", "New text."), fact("detour"), seed_version="9")

    real_commit = Store._commit_state
    calls = 0

    async def fail_after_the_first_write(self: Store, *args: object, **kwargs: object) -> int:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise RuntimeError("disk on fire")
        return await real_commit(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(type(seeded), "_commit_state", fail_after_the_first_write)
    with pytest.raises(RuntimeError, match="disk on fire"):
        await seeded.apply_import(document, ALICE)
    assert calls == 2
    monkeypatch.undo()

    assert dump_fact_base(await seeded.export()) == exported
    assert await latest_change_id(seeded) == cursor
    assert await audit_entries(seeded) == audit
    assert (
        await seeded.add_variant("closure", "en", "still writable?", ALICE) == 2
    )  # no transaction left open


async def test_an_import_citing_a_missing_source_is_refused_whole(seeded: Store) -> None:
    exported = dump_fact_base(await seeded.export())
    document = fact_base(fact("closure", "Changed."), fact("detour", source_ids=("removed-source",)))

    with pytest.raises(InvalidContent, match="'removed-source' is not a known source id"):
        await seeded.apply_import(document, ALICE)
    assert dump_fact_base(await seeded.export()) == exported


# --- questions, feedback ------------------------------------------------------------------------


async def test_unanswered_questions_are_grouped_and_leave_once_linked(
    seeded: Store, clock: FakeClock
) -> None:
    for wording in ("Is the bridge open?", "is the bridge open", "IS THE BRIDGE OPEN??"):
        clock.advance(minutes=1)
        await seeded.log_question(
            wording, "is the bridge open", "en", False, None, 0.2, guild_id=1, channel_id=2
        )
    clock.advance(minutes=1)
    await seeded.log_question("Who pays?", "who pays", "en", False, None, None)
    await seeded.log_question("When did it close?", "when did it close", "en", True, "closure", 0.93)

    groups = await seeded.unanswered()
    assert [(g.normalized, g.count, g.text) for g in groups] == [
        ("is the bridge open", 3, "IS THE BRIDGE OPEN??"),
        ("who pays", 1, "Who pays?"),
    ]
    assert groups[0].last_asked == START + timedelta(minutes=3)
    assert [g.normalized for g in await seeded.unanswered(since=START + timedelta(minutes=4))] == ["who pays"]
    assert len(await seeded.unanswered(limit=1)) == 1

    revision = await seeded.link_question_to_fact(
        "is the bridge open", "reopening", "en", "Is the bridge open?", ALICE
    )
    assert revision == 2
    reopening = await seeded.get_fact("reopening")
    assert reopening is not None and "Is the bridge open?" in reopening.questions.en
    assert [g.normalized for g in await seeded.unanswered()] == ["who pays"]

    by_id = groups[1].question_id
    assert await seeded.link_question_to_fact(by_id, "closure", "en", "Who pays?", BOB) == 2
    assert await seeded.unanswered() == []
    with pytest.raises(UnknownQuestion):
        await seeded.link_question_to_fact(9999, "closure", "en", "x", BOB)


async def test_feedback_is_one_vote_per_user_and_can_change(seeded: Store) -> None:
    first = await seeded.log_question("When did it close?", "when did it close", "en", True, "closure", 0.9)
    second = await seeded.log_question("Reopening?", "reopening", "en", True, "reopening", 0.8)
    await seeded.record_feedback(first, 1, -1)
    await seeded.record_feedback(first, 1, -1)  # the same vote twice counts once
    await seeded.record_feedback(first, 2, -1)
    await seeded.record_feedback(first, 3, +1)
    await seeded.record_feedback(second, 1, +1)
    await seeded.record_feedback(second, 2, -1)
    await seeded.record_feedback(second, 2, +1)  # changed mind

    report = await seeded.feedback_report()
    assert [(r.question_id, r.fact_id, r.downvotes, r.upvotes) for r in report] == [
        (first, "closure", 2, 1),
        (second, "reopening", 0, 2),
    ]
    assert report[0].text == "When did it close?"
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        await seeded.record_feedback(first, 1, 0)
    with pytest.raises(UnknownQuestion):
        await seeded.record_feedback(12345, 1, 1)


# --- change feed and digests --------------------------------------------------------------------


async def test_a_new_subscription_starts_at_the_current_cursor(seeded: Store, clock: FakeClock) -> None:
    cursor = await latest_change_id(seeded)
    assert cursor == 2  # the two seeded facts

    subscription = await seeded.subscribe(42, 7, "08:30", "Europe/Paris", "fr", ALICE)
    assert subscription.last_change_id == cursor and subscription.last_posted_at is None
    assert await seeded.changes_since(subscription.last_change_id) == []

    clock.advance(hours=1)
    closure = await seeded.get_fact("closure")
    assert closure is not None
    await seeded.update_fact(replace(closure, date="2024-02-27"), BOB, "date fix")
    changes = await seeded.changes_since(subscription.last_change_id)
    assert [(c.fact_id, c.kind, c.revision, c.actor_name) for c in changes] == [
        ("closure", "edited", 2, "bob")
    ]
    assert changes[0].fact.date == "2024-02-27" and changes[0].created_at == START + timedelta(hours=1)

    assert await seeded.mark_digest_posted(42, changes[-1].change_id, clock.now)
    assert await seeded.mark_digest_posted(42, 1)  # a stale cursor never moves it back
    updated = await seeded.subscription(42)
    assert updated is not None and updated.last_change_id == changes[-1].change_id
    assert await seeded.changes_since(updated.last_change_id) == []

    again = await seeded.subscribe(42, 7, "18:00", "UTC", "en", ALICE)  # settings change, cursor kept
    assert (again.time_of_day, again.language, again.last_change_id) == ("18:00", "en", changes[-1].change_id)
    assert [s.channel_id for s in await seeded.subscriptions()] == [42]
    assert await seeded.unsubscribe(42) is True
    assert await seeded.unsubscribe(42) is False
    assert await seeded.subscription(42) is None
    assert await seeded.mark_digest_posted(42, 99) is False


async def test_subscription_settings_are_validated(store: Store) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        await store.subscribe(1, None, "25:00", "UTC", "en", ALICE)
    with pytest.raises(ValueError, match="time zone"):
        await store.subscribe(1, None, "08:00", "Mars/Olympus", "en", ALICE)
    assert await store.subscriptions() == []


# --- maintenance --------------------------------------------------------------------------------


async def test_backup_can_be_opened_and_read(seeded: Store, tmp_path: Path) -> None:
    await curate(seeded)
    expected = await seeded.export()
    target = tmp_path / "backups" / "store-backup.db"

    await seeded.backup(target)
    await seeded.set_status("closure", "retired", ALICE)  # after the backup: not in it

    restored = await Store.open(target)
    try:
        assert await restored.export() == expected
        assert len(await restored.history("reopening")) == 2
        assert await integrity_check(restored) == "ok"
    finally:
        await restored.close()
    assert not target.with_name(target.name + ".partial").exists()


async def test_integrity_check_reports_ok(sqlite_store: Store) -> None:
    await sqlite_store.seed(fact_base())
    assert await integrity_check(sqlite_store) == "ok"


async def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "store.db")
    await store.close()
    await store.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="closed"):
        await store.fact_base()


async def test_concurrent_questions_are_written_together_each_with_its_own_id(seeded: Store) -> None:
    """Group commit: a burst of questions shares transactions, but every caller gets its row."""
    fact_id = (await seeded.fact_base()).facts[0].id
    calls = [
        seeded.log_question(
            f"question {i}?", f"question {i}", "en", i % 2 == 0, fact_id if i % 2 == 0 else None, 0.5
        )
        for i in range(200)
    ]
    calls.append(seeded.log_question("about nothing?", "about nothing", "en", True, "no-such-fact", 0.9))
    results = await asyncio.gather(*calls, return_exceptions=True)
    *ids, refused = results
    assert isinstance(refused, UnknownFact)
    assert len(set(ids)) == 200
    async with seeded._reading() as db:
        rows = {r["id"]: r["text"] for r in await seeded._all(db, "SELECT id, text FROM questions_asked")}
    assert [rows[question_id] for question_id in ids] == [f"question {i}?" for i in range(200)]
