"""Issue 13: each break an outside attacker found in the command line, the import and the settings.

Every test runs the real `bot.py` in a subprocess on a real database file. A refusal must
exit non-zero with an `error:` line that names what and where, show no traceback, and
leave the database byte for byte as it was (and `integrity_check` ok). The token-echoing
API (break 12) is in tests/e2e/test_hardening_api.py.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from knowledge.schema import SEED_PATH, FactBaseError, parse_fact_base

ROOT = Path(__file__).resolve().parents[2]
Run = Callable[..., subprocess.CompletedProcess[bytes]]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SETTINGS_FILE")}
    return base | {"DATABASE_PATH": str(tmp_path / "data" / "k.db"), "DISCORD_TOKEN": ""}


@pytest.fixture
def run(tmp_path: Path, env: dict[str, str]) -> Run:
    def run(
        *args: str, stdin: bytes | None = None, timeout: float = 60, **extra: str
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), *args],
            cwd=tmp_path,
            input=stdin,
            capture_output=True,
            timeout=timeout,
            env=env | extra,
        )

    return run


@pytest.fixture
def database(run: Run, tmp_path: Path) -> Path:
    """A seeded database, closed (so its bytes are all in the main file)."""
    assert run("ask", "tax returns").returncode == 0
    return tmp_path / "data" / "k.db"


def snapshot(database: Path) -> bytes:
    """The database's bytes, with its write-ahead log's where one is left."""
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + b"|wal|" + (wal.read_bytes() if wal.exists() else b"")


def assert_unchanged(database: Path, before: bytes) -> None:
    assert snapshot(database) == before, "the database changed"
    assert integrity(database) == "ok"


def integrity(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def assert_refused(result: subprocess.CompletedProcess[bytes], *needles: str) -> str:
    message = result.stderr.decode("utf-8", "replace")
    assert result.returncode != 0, message
    assert message.startswith("error: "), message
    assert "Traceback" not in message, message
    assert message.count("\n") == 1 or " problem(s)):\n" in message, message  # one line, or a list
    for needle in needles:
        assert needle in message, (needle, message)
    return message


def seed_document() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


# -- 1, 2. export and backup onto the live database ------------------------------------------------


def _alias(alias: str, database: Path, tmp_path: Path) -> Path:
    """A path naming the live database (or its write-ahead log) without being its string."""
    if alias == "symlink":
        (tmp_path / "link").symlink_to(database)
        return tmp_path / "link"
    if alias == "hardlink":
        os.link(database, tmp_path / "hard")
        return tmp_path / "hard"
    if alias == "dotdot":
        return database.parent / ".." / database.parent.name / database.name
    return database.with_name(database.name + "-wal") if alias == "wal" else database


@pytest.mark.parametrize("command", ["export", "backup"])
@pytest.mark.parametrize("alias", ["direct", "dotdot", "symlink", "hardlink", "wal"])
def test_export_and_backup_never_write_over_the_live_database(
    run: Run, database: Path, tmp_path: Path, command: str, alias: str
) -> None:
    target = _alias(alias, database, tmp_path)
    before = snapshot(database)
    assert_refused(run(command, str(target)), "live database", str(target))
    assert_unchanged(database, before)


# -- 3. backup or export onto something that is not a regular file -------------------------------


def _special(kind: str, path: Path) -> Path:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        if os.geteuid() != 0:
            pytest.skip("creating a device node needs root")
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # a copy of /dev/null
    return path


@pytest.mark.parametrize("command", ["backup", "export"])
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_backup_and_export_refuse_what_is_not_a_regular_file(
    run: Run, database: Path, tmp_path: Path, command: str, kind: str
) -> None:
    target = _special(kind, tmp_path / f"target-{kind}")
    mode = os.lstat(target).st_mode
    before = snapshot(database)
    assert_refused(run(command, str(target), timeout=30), "not a regular file", str(target))
    assert os.lstat(target).st_mode == mode, "the special file was replaced"
    assert_unchanged(database, before)


def test_a_backup_to_a_new_path_still_works(run: Run, database: Path, tmp_path: Path) -> None:
    result = run("backup", str(tmp_path / "copies" / "b.db"))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "copies").iterdir()] == ["b.db"]  # no partial file left
    assert integrity(tmp_path / "copies" / "b.db") == "ok"


# -- 4, 5, 6, 8. documents the import must refuse, with --dry-run and without ----------------------


def _with(change: Callable[[dict], None]) -> dict:
    document = seed_document()
    change(document)
    return document


def _set(path: str, value: object) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        *parents, last = path.split("/")
        node = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last if isinstance(node, dict) else int(last)] = value

    return change


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _changed(path: str, value: object) -> bytes:
    """The seed file, with the value at `path` (like facts/0/id) replaced."""
    return json.dumps(_with(_set(path, value))).encode()


def _raw(document: dict, placeholder: str, text: str) -> bytes:
    return json.dumps(document).replace(json.dumps(placeholder), text).encode()


SEED = seed_document()
FACT, SOURCE = SEED["facts"][0]["id"], SEED["sources"][0]["id"]
# Each: the file's bytes and what the error message must name.
BAD_DOCUMENTS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "fact id with a trailing newline": (_changed("facts/0/id", "ok-id\n"), ("field 'id'", "slug")),
    "source id with a trailing newline": (_changed("sources/0/id", SOURCE + "\n"), ("field 'id'", "slug")),
    "tag with a trailing newline": (_changed("facts/0/tags", ["tag\n"]), ("tags[0]",)),
    "nesting 1,000 deep": (
        _raw(_with(_set("facts/0/tags", "DEEP")), "DEEP", _nested(1000)),
        ("nests more than",),
    ),
    "nesting 100,000 deep": (_nested(100_000).encode(), ("nests more than",)),
    "a list inside source_ids": (
        _changed("facts/0/source_ids", [[SOURCE]]),
        (FACT, "source_ids[0]", "must be a string"),
    ),
    "a 5,000-digit number": (_raw(_with(_set("schema_version", "BIG")), "BIG", "9" * 5000), ("number",)),
    "the same source twice in one fact": (
        _changed("facts/0/source_ids", [SOURCE, SOURCE]),
        (FACT, "source_ids", "duplicates"),
    ),
    "a lone surrogate": (
        _raw(_with(_set("facts/0/statement/en", "LONE")), "LONE", '"text \\ud800 here"'),
        ("surrogate", "facts[0].statement.en"),
    ),
    "an unknown key inside story": (
        _changed("story/subtitle", {"en": "x", "fr": "x"}),
        ("story", "subtitle", "not a known field"),
    ),
    "duplicate tags": (_changed("facts/0/tags", ["wikileaks", "wikileaks"]), (FACT, "tags", "duplicates")),
    "a repeated key (trailing facts: [])": (
        json.dumps(seed_document()).encode()[:-1] + b', "facts": []}',
        ("repeats the key 'facts'",),
    ),
    "NaN": (_raw(_with(_set("schema_version", "NAN")), "NAN", "NaN"), ("NaN",)),
}
# Texts made only of zero-width or other invisible characters: (path, text, owner id, field).
INVISIBLE_TEXTS = {
    "zero-width statement": ("facts/0/statement/en", "\u200b\u200c\u200d\ufeff", FACT, "statement.en"),
    "invisible attribution": ("facts/0/attribution/fr", "\u2060\u180e\u3164", FACT, "attribution.fr"),
    "invisible source title": ("sources/0/title", "\u200b \u200e", SOURCE, "title"),
    "invisible publisher": ("sources/0/publisher", "\u2800\u115f", SOURCE, "publisher"),
}
BAD_DOCUMENTS |= {
    name: (_changed(path, text), (owner, field, "must not be empty"))
    for name, (path, text, owner, field) in INVISIBLE_TEXTS.items()
}


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_a_bad_document_is_refused_by_dry_run_and_import_alike(
    run: Run, database: Path, tmp_path: Path, case: str, dry_run: bool
) -> None:
    data, needles = BAD_DOCUMENTS[case]
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    before = snapshot(database)
    flags = ["--dry-run"] if dry_run else []
    assert_refused(run("import", str(path), *flags), str(path), *needles)
    assert_unchanged(database, before)


def test_slug_and_date_patterns_do_not_match_before_a_final_newline() -> None:
    document = seed_document()
    document["facts"][0]["date"] = "2017-11-13\n"
    with pytest.raises(FactBaseError, match="field 'date'"):
        parse_fact_base(document, "doc")


# -- 7. a file that never ends -------------------------------------------------------------------


def test_import_of_an_endless_device_stops_at_the_limit(run: Run, database: Path) -> None:
    before = snapshot(database)
    started = time.monotonic()
    result = run("import", "/dev/zero", timeout=60)
    assert_refused(result, "/dev/zero", "larger than")
    assert time.monotonic() - started < 30
    assert_unchanged(database, before)


@pytest.mark.slow
def test_an_export_over_5_mb_imports_back(run: Run, database: Path, tmp_path: Path) -> None:
    """The attacker's 7,017-fact export was refused on re-import; 3,000 facts are over 5 MB too."""
    document = seed_document()
    template = document["facts"]
    document["facts"] = [
        copy.deepcopy(template[i % len(template)]) | {"id": f"fact-{i}"} for i in range(3000)
    ]
    big = tmp_path / "big.json"
    big.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert run("import", str(big), timeout=300).returncode == 0
    assert run("export", str(tmp_path / "a.json"), timeout=120).returncode == 0
    assert (tmp_path / "a.json").stat().st_size > 5 * 1024 * 1024
    again = run("import", str(tmp_path / "a.json"), timeout=300)
    assert again.returncode == 0, again.stderr
    assert b"Nothing would change" in again.stdout


# -- 8. eval --questions -----------------------------------------------------------------------

GOOD_ROW = {
    "question": "what did WikiLeaks propose?",
    "language": "en",
    "category": "english",
    "expected": ["x"],
}
BAD_QUESTION_SETS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "not a list": (b'{"question": "q"}', ("expected a non-empty JSON array",)),
    "a number as question": (json.dumps([GOOD_ROW | {"question": 5}]).encode(), ("question 1", "'question'")),
    "expected is a string": (
        json.dumps([GOOD_ROW | {"expected": "x"}]).encode(),
        ("'expected'", "expected a list"),
    ),
    "a missing field": (
        json.dumps([{"question": "q", "language": "en"}]).encode(),
        ("'category'", "expected a non-empty string"),
    ),
    "an unknown key": (json.dumps([GOOD_ROW | {"extra": 1}]).encode(), ("unknown field 'extra'",)),
    "duplicate expected ids": (json.dumps([GOOD_ROW | {"expected": ["x", "x"]}]).encode(), ("duplicates",)),
    "deep nesting": (_nested(5000).encode(), ("nested too deeply",)),
    "a repeated key": (
        b'[{"question": "q", "language": "en", "category": "english", "expected": [], "expected": []}]',
        ("appears twice",),
    ),
}


@pytest.mark.parametrize("case", list(BAD_QUESTION_SETS))
def test_eval_refuses_a_bad_question_set_in_one_message(run: Run, tmp_path: Path, case: str) -> None:
    data, needles = BAD_QUESTION_SETS[case]
    (tmp_path / "questions.json").write_bytes(data)
    assert_refused(run("eval", "--questions", str(tmp_path / "questions.json")), "questions.json", *needles)


# -- 8, 10. settings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ANSWER_THRESHOLD", "\u0660.\u0665"),  # Arabic-Indic digits: float() accepts them
        ("USER_COOLDOWN_SECONDS", "\u0665"),
        ("SHARD_COUNT", "\uff12"),  # fullwidth 2
        ("DEV_GUILD_IDS", "\u00b2"),  # superscript two: isdigit() but not int()
    ],
)
def test_numeric_settings_take_ascii_digits_only(run: Run, database: Path, name: str, value: str) -> None:
    assert_refused(run("ask", "tax returns", **{name: value}), name, "is not valid")


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (b'{"ANSWER_THRESHOLD": "\xff0.5"}', ("SETTINGS_FILE", "not UTF-8")),
        (b"[" * 100_000, ("SETTINGS_FILE", "nests more than")),
        (b'{"ANSWER_THRESHOLD": {"a": {"b": {"c": {"d": 1}}}}}', ("SETTINGS_FILE", "nests more than")),
        (b'{"ANSWER_THRESHOLD": 0.5, "ANSWER_THRESHOLD": 0.9}', ("SETTINGS_FILE", "repeats the key")),
    ],
    ids=["not utf-8", "nested without end", "nested", "repeated key"],
)
def test_a_settings_file_that_cannot_be_read_is_one_line(
    run: Run, database: Path, tmp_path: Path, content: bytes, needles: tuple[str, ...]
) -> None:
    (tmp_path / "settings.json").write_bytes(content)
    assert_refused(run("ask", "tax returns", SETTINGS_FILE=str(tmp_path / "settings.json")), *needles)


def test_a_dotenv_file_that_is_not_utf8_is_one_line(run: Run, database: Path, tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"LOG_LEVEL=INFO\nDEFAULT_LANGUAGE=\xff\n")
    assert_refused(run("ask", "tax returns"), ".env", "not UTF-8")


def test_dotenv_and_settings_file_keep_their_documented_precedence(
    run: Run, database: Path, tmp_path: Path
) -> None:
    (tmp_path / "settings.json").write_text('{"DEFAULT_LANGUAGE": "fr", "ANSWER_THRESHOLD": 0.99}')
    (tmp_path / ".env").write_text(f"SETTINGS_FILE={tmp_path / 'settings.json'}\nANSWER_THRESHOLD=0.3\n")
    answered = json.loads(run("ask", "--json", "tax returns").stdout)
    assert answered["answered"] is True  # .env's 0.3 beats the file's 0.99
    refused = json.loads(run("ask", "--json", "tax returns", ANSWER_THRESHOLD="1").stdout)
    assert refused["answered"] is False  # the environment beats .env


def test_a_negative_user_version_is_named_for_what_it_is(run: Run, database: Path) -> None:
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA user_version = -1")
    before = snapshot(database)
    assert_refused(run("ask", "tax returns"), str(database), "schema version -1", "no version of this bot")
    assert_unchanged(database, before)


# -- 9. ask --json while another process holds the write lock -------------------------------------


def test_ask_json_waits_out_a_write_lock_held_longer_than_the_busy_timeout(
    database: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    questions = [b"what did WikiLeaks propose?", b"tax returns", b"", "qu'a proposé WikiLeaks ?".encode()] * 3
    with contextlib.closing(sqlite3.connect(database)) as db:
        asked_before = db.execute("SELECT COUNT(*) FROM questions_asked").fetchone()[0]
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "ask", "--json"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(questions[0] + b"\n")
    process.stdin.flush()
    first = process.stdout.readline()  # the store is open and answering
    holder = sqlite3.connect(database, timeout=10, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held past the 5 s busy timeout
    started = time.monotonic()
    for line in questions[1:]:
        process.stdin.write(line + b"\n")
    process.stdin.flush()
    second = process.stdout.readline()
    answered_while_locked = time.monotonic() - started
    time.sleep(max(0.0, 6.5 - (time.monotonic() - started)))
    holder.execute("ROLLBACK")
    holder.close()
    rest, stderr = process.communicate(timeout=120)
    lines = [first, second, *rest.splitlines()]
    assert process.returncode == 0, stderr
    assert b"Traceback" not in stderr
    assert len(lines) == len(questions)
    documents = [json.loads(line) for line in lines]
    assert [d["question"] for d in documents] == [q.decode() for q in questions]
    assert answered_while_locked < 6  # answers did not wait for the lock
    assert b"question log delayed" in stderr
    with contextlib.closing(sqlite3.connect(database)) as db:
        asked_after = db.execute("SELECT COUNT(*) FROM questions_asked").fetchone()[0]
    assert integrity(database) == "ok"
    assert asked_after - asked_before == sum(1 for q in questions if q)  # every question logged, late


# -- 11. run and sync against an API that is not there ---------------------------------------------


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


@pytest.mark.parametrize("command", ["run", "sync"])
def test_run_and_sync_name_an_unreachable_api_in_one_line(
    run: Run, database: Path, closed_port: int, command: str
) -> None:
    address = f"http://127.0.0.1:{closed_port}/api/v10"
    result = run(command, DISCORD_TOKEN="x" * 40, DISCORD_API_BASE=address, LOG_LEVEL="INFO", timeout=60)
    assert result.returncode == 1
    errors = [line for line in result.stderr.decode().splitlines() if "ERROR" in line]
    assert b"Traceback" not in result.stderr, result.stderr.decode()[-3000:]
    assert len(errors) == 1, result.stderr.decode()
    assert "DISCORD_API_BASE" in errors[0] and address in errors[0]
