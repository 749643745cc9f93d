"""Streaming import and export from the command line: large files, a progress bar only on a terminal."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from bench.distractors import importable, with_distractors
from knowledge.models import CLI_ACTOR
from knowledge.schema import SEED_PATH, FactBaseError, dump_fact_base, load_fact_base
from knowledge.service import KnowledgeService
from knowledge.streaming import load_fact_base_streaming, read_fact_base, write_fact_base

ROOT = Path(__file__).resolve().parents[2]
LARGE = 5_000


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.json"
    path.write_text(
        dump_fact_base(importable(with_distractors(load_fact_base(SEED_PATH), LARGE))), encoding="utf-8"
    )
    return path


def cli(
    database: Path, *args: str, stderr: int | None = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env |= {"DATABASE_PATH": str(database), "DISCORD_TOKEN": ""}
    database.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=database.parent,
        stdout=subprocess.PIPE,
        stderr=stderr,
        timeout=300,
        env=env,
    )


def test_streaming_reads_and_writes_exactly_what_the_whole_document_path_does(large_file: Path) -> None:
    whole = load_fact_base(large_file)
    streamed = load_fact_base_streaming(large_file)
    assert streamed == whole and len(streamed.facts) == 17 + LARGE
    written = io.StringIO()
    write_fact_base(streamed, written)
    assert written.getvalue() == large_file.read_text(encoding="utf-8")


async def test_a_large_file_imports_with_the_same_result_as_the_old_path(
    large_file: Path, tmp_path: Path
) -> None:
    old, new = tmp_path / "old" / "k.db", tmp_path / "new" / "k.db"
    service = await KnowledgeService.open(old)
    try:
        await service.apply_import(
            load_fact_base(large_file), CLI_ACTOR, reason=f"import of {large_file.name}"
        )
    finally:
        await service.close()

    result = cli(new, "import", str(large_file))
    assert result.returncode == 0, result.stderr
    assert b"Imported." in result.stdout
    assert b"\r" not in result.stderr and b"facts/s" not in result.stderr  # not a terminal: no bar

    assert cli(old, "export", str(tmp_path / "old.json")).returncode == 0
    assert cli(new, "export", str(tmp_path / "new.json")).returncode == 0
    exported = (tmp_path / "new.json").read_bytes()
    assert exported == (tmp_path / "old.json").read_bytes()
    assert exported == large_file.read_bytes()  # and the export round-trips


def test_a_bad_fact_midway_is_named_and_changes_nothing(large_file: Path, tmp_path: Path) -> None:
    database = tmp_path / "k.db"
    assert cli(database, "export", str(tmp_path / "before.json")).returncode == 0
    document = json.loads(large_file.read_text(encoding="utf-8"))
    middle = document["facts"][LARGE // 2]
    middle["statement"]["fr"] = ["not", "a", "string"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")

    result = cli(database, "import", str(bad))
    assert result.returncode == 2
    message = result.stderr.decode()
    assert str(bad) in message and f"fact '{middle['id']}'" in message and "statement.fr" in message
    assert "Traceback" not in message
    assert cli(database, "export", str(tmp_path / "after.json")).returncode == 0
    assert (tmp_path / "after.json").read_bytes() == (tmp_path / "before.json").read_bytes()


def test_a_terminal_gets_a_progress_bar(tmp_path: Path) -> None:
    """The same import with stderr on a pseudo-terminal shows tqdm's bar; in a pipe it did not."""
    document = tmp_path / "doc.json"
    document.write_text(
        dump_fact_base(importable(with_distractors(load_fact_base(SEED_PATH), 50))), encoding="utf-8"
    )
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 wide
    try:
        result = cli(tmp_path / "k.db", "import", str(document), stderr=terminal)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal side is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0
    assert b"importing" in shown and b"facts" in shown and b"100%" in shown


def test_file_level_faults_keep_the_whole_document_messages(tmp_path: Path) -> None:
    """Not JSON, a repeated key, a lone surrogate: the same sentence as schema.load_fact_base."""
    seed = SEED_PATH.read_text(encoding="utf-8")
    cases = {
        "truncated.json": seed[: len(seed) // 2],
        "repeated.json": seed.replace('"facts": [', '"facts": [], "facts": [', 1),
        "surrogate.json": seed.replace(
            '"statement": {\n        "en": "', '"statement": {\n        "en": "\\ud800', 1
        ),
        "array.json": "[" * 100 + "]" * 100,
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(FactBaseError) as old:
            load_fact_base(path)
        with pytest.raises(FactBaseError) as new:
            load_fact_base_streaming(path)
        assert str(new.value) == str(old.value), name


def test_the_stream_refuses_a_lone_surrogate_split_across_reads() -> None:
    """The check runs on raw bytes, chunk by chunk: an escape cut in two is still seen."""
    pair = b'{"x": "' + b"a" * 65_530 + b'\\ud83d\\ude00"}'  # a real pair straddling the first read
    lone = b'{"x": "' + b"a" * 65_530 + b'\\ud83d"}'
    with pytest.raises(FactBaseError, match="document"):  # the pair is fine: only the fields are wrong
        read_fact_base(io.BytesIO(pair), "pair.json")
    with pytest.raises(FactBaseError, match="surrogate"):
        read_fact_base(io.BytesIO(lone), "lone.json")
