"""The command line as a person or a script uses it: real processes, a real database file."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = {"question", "answered", "language", "answer", "facts", "sources", "suggestions"}


@pytest.fixture
def run(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env |= {"DATABASE_PATH": str(tmp_path / "k.db"), "DISCORD_TOKEN": ""}

    def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), *args],
            cwd=tmp_path,
            input=stdin,
            capture_output=True,
            timeout=60,
            env=env,
        )

    return run


def test_ask_json_meets_the_contract(run) -> None:
    result = run("ask", "--json", "what did WikiLeaks propose?")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == CONTRACT
    assert document["answered"] is True and document["language"] == "en"
    assert document["facts"] and all(set(f) == {"id", "text", "score"} for f in document["facts"])
    assert all(set(s) == {"id", "title", "publisher", "date", "url"} for s in document["sources"])
    assert "Source" in document["answer"]


def test_ask_json_in_french(run) -> None:
    document = json.loads(run("ask", "--json", "qu'a proposé WikiLeaks ?").stdout)
    assert document["language"] == "fr" and document["answered"] is True
    assert "Sources :" in document["answer"] or "Source :" in document["answer"]


def test_ask_json_abstains_off_topic(run) -> None:
    document = json.loads(run("ask", "--json", "what's the weather in Paris tomorrow?").stdout)
    assert document["answered"] is False
    assert document["facts"] == [] and document["sources"] == []
    assert document["answer"].startswith("I don't know that from this story.")


def test_ask_json_streams_one_object_per_line_in_order(run) -> None:
    lines = [
        b"what did WikiLeaks propose?",
        b"",
        "qu'a proposé WikiLeaks ?".encode(),
        b"\xff\xfe bad bytes",
        b"x" * 100_000,
        b"tax returns",
    ]
    result = run("ask", "--json", stdin=b"\n".join(lines) + b"\n")
    assert result.returncode == 0, result.stderr
    documents = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(documents) == len(lines)
    assert all(set(d) >= CONTRACT for d in documents)
    assert documents[0]["answered"] and documents[2]["language"] == "fr" and documents[5]["answered"]
    assert "error" in documents[1] and "error" in documents[3] and "error" in documents[4]
    assert len(documents[4]["question"]) <= 500
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize("question", ["", "   ", "\x01\x02", "a" * 100_000])
def test_bad_single_question_is_a_clear_error_not_a_traceback(run, question: str) -> None:
    result = run("ask", question)
    assert result.returncode == 2
    assert result.stderr.startswith(b"error: ")
    assert b"Traceback" not in result.stderr


def test_person_readable_answer_names_its_sources(run) -> None:
    result = run("ask", "when did The Atlantic reveal the messages?")
    assert result.returncode == 0
    assert "The Atlantic, 13 November 2017" in result.stdout.decode()


def test_export_import_round_trip_is_exact(run, tmp_path: Path) -> None:
    assert run("export", str(tmp_path / "a.json")).returncode == 0
    dry = run("import", str(tmp_path / "a.json"), "--dry-run")
    assert (
        dry.returncode == 0 and b"Nothing would change" in dry.stdout and b"nothing was changed" in dry.stdout
    )
    assert run("import", str(tmp_path / "a.json")).returncode == 0
    assert run("export", str(tmp_path / "b.json")).returncode == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_import_of_a_bad_file_names_the_problem_and_changes_nothing(run, tmp_path: Path) -> None:
    run("export", str(tmp_path / "before.json"))
    document = json.loads((tmp_path / "before.json").read_text())
    document["facts"][0]["statement"]["en"] = ""
    document["facts"][1]["source_ids"] = ["no-such-source"]
    (tmp_path / "bad.json").write_text(json.dumps(document))
    result = run("import", str(tmp_path / "bad.json"))
    assert result.returncode == 2
    message = result.stderr.decode()
    assert document["facts"][0]["id"] in message and "statement.en" in message
    assert "no-such-source" in message
    (tmp_path / "binary.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert b"not UTF-8" in run("import", str(tmp_path / "binary.json")).stderr
    run("export", str(tmp_path / "after.json"))
    assert (tmp_path / "before.json").read_bytes() == (tmp_path / "after.json").read_bytes()


def test_run_without_token_explains_how_to_get_one(run) -> None:
    result = run("run")
    assert result.returncode == 2
    assert b"DISCORD_TOKEN" in result.stderr and b"console" in result.stderr


def test_bad_setting_names_setting_value_and_expectation(run, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEFAULT_LANGUAGE=de\n")
    result = run("ask", "tax returns")
    assert result.returncode == 2
    assert b"DEFAULT_LANGUAGE='de'" in result.stderr and b"en, fr" in result.stderr


def test_console_answers_and_quits(run) -> None:
    result = run("console", stdin=b":help\nwhat did WikiLeaks propose?\n:quit\n")
    assert result.returncode == 0
    output = result.stdout.decode()
    assert ":quit" in output and "Source" in output


def test_console_ends_on_ctrl_d(run) -> None:
    assert run(stdin=b"tax returns\n").returncode == 0


def test_an_import_file_over_the_size_limit_is_refused_before_parsing(run, tmp_path: Path) -> None:
    with (tmp_path / "huge.json").open("wb") as sparse:  # 300 MB on paper, no disk used
        sparse.write(b'{"facts": [')
        sparse.truncate(300 * 1024 * 1024)
    result = run("import", str(tmp_path / "huge.json"))
    assert result.returncode == 2
    assert b"larger than 256 MB" in result.stderr and b"Traceback" not in result.stderr


LINES = st.one_of(
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
    st.sampled_from([b"@everyone tax returns?", b"```\nwow\n```", b"\xef\xbb\xbfwow", b"\x00" * 10]),
).map(lambda line: line.replace(b"\n", b" ").replace(b"\r", b" "))


@settings(max_examples=4, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=40))
def test_the_json_stream_survives_any_bytes(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]
) -> None:
    """Whatever arrives on stdin, each line gets exactly one JSON object and nothing crashes."""
    database = tmp_path_factory.mktemp("stream") / "k.db"
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"DATABASE_PATH": str(database)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "ask", "--json"],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        timeout=120,
        env=env,
        cwd=database.parent,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert b"Traceback" not in result.stderr
    output = result.stdout.decode("utf-8")
    assert output.splitlines() == output.split("\n")[:-1]  # no stray line breaks inside an object
    documents = [json.loads(line) for line in output.splitlines()]
    assert len(documents) == len(lines)
    assert all(set(d) >= CONTRACT for d in documents)


def test_dry_run_and_discord_preview_describe_the_same_plan(run, tmp_path: Path) -> None:
    """An import that changes only a source's title and the story summary changes things:
    the dry run says so, and the moderator's preview on Discord shows the very same plan."""
    from handlers.curation_views import plan_embed
    from handlers.safety import escape
    from knowledge.curation import describe_plan
    from knowledge.schema import decode_document, parse_fact_base
    from knowledge.store import Store

    assert run("export", str(tmp_path / "a.json")).returncode == 0
    document = json.loads((tmp_path / "a.json").read_text())
    source_id = document["sources"][0]["id"]
    document["sources"][0]["title"] = "A retitled report"
    document["story"]["summary"]["en"] = "A shorter summary."
    (tmp_path / "b.json").write_text(json.dumps(document, ensure_ascii=False))

    dry = run("import", str(tmp_path / "b.json"), "--dry-run")
    assert dry.returncode == 0
    printed = dry.stdout.decode()
    assert f"Sources changed (1): {source_id}" in printed
    assert "story's title, summary or version changes" in printed
    assert "Nothing would change" not in printed

    async def plan_in_store():
        async with await Store.open(tmp_path / "k.db") as store:
            data = (tmp_path / "b.json").read_bytes()
            return await store.plan_import(parse_fact_base(decode_document(data, "b.json"), "b.json"))

    description = describe_plan(asyncio.run(plan_in_store()))
    assert printed.startswith(description.as_text())
    embed = plan_embed(asyncio.run(plan_in_store()), "b.json")
    assert [(f.name, f.value) for f in embed.fields] == [
        (heading, escape(body)) for heading, body in description.sections
    ]
    assert embed.description == escape(description.summary)
