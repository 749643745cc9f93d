"""Entry point: the Discord bot, the console and the command line.

    python bot.py                      the bot if DISCORD_TOKEN is set, else the console
    python bot.py run                  the bot (fails clearly without a token)
    python bot.py ask [--json] [Q]     one answer; with --json and no Q, one per stdin line
    python bot.py export PATH          the fact base as a JSON file
    python bot.py import PATH [--dry-run]
    python bot.py eval                 answer quality against two baselines
    python bot.py sync                 publish slash commands now
    python bot.py backup PATH          an online copy of the database

discord.py is imported only by the commands that talk to Discord, so the console and the
JSON CLI start fast and work without it being reachable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from config import Settings, SettingsError, load_settings
from knowledge.answers import Answer
from knowledge.curation import describe_plan
from knowledge.models import CLI_ACTOR, FactBase, as_language
from knowledge.questions import MAX_QUESTION_CHARS, QuestionRejected, validate_question
from knowledge.schema import FactBaseError, decode_document, dump_fact_base, parse_fact_base
from knowledge.service import AnswerPolicy, KnowledgeService
from knowledge.store import StoreError

EXIT_USAGE = 2
TOKEN_HELP = (
    "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications "
    "(Bot > Reset Token), then put DISCORD_TOKEN=... in .env (see .env.example).\n"
    "Without a token, `python bot.py` opens the console on the embedded fact base."
)


class CliError(Exception):
    """A message for the person at the terminal, printed without a traceback."""


async def open_service(settings: Settings) -> KnowledgeService:
    try:
        return await KnowledgeService.open(
            settings.database_path,
            policy=AnswerPolicy(threshold=settings.answer_threshold),
            default_language=as_language(settings.default_language),
        )
    except (StoreError, FactBaseError) as error:
        raise CliError(str(error)) from None


# Rendering for people ---------------------------------------------------------


def render_for_terminal(answer: Answer) -> str:
    return answer.text


# ask ----------------------------------------------------------------------------


async def ask_one(settings: Settings, question: str, as_json: bool) -> int:
    try:
        validate_question(question)
    except QuestionRejected as rejection:
        raise CliError(rejection.en) from None
    service = await open_service(settings)
    try:
        answer = await service.ask(question)
    finally:
        await service.close()
    print(json_line(answer.to_json()) if as_json else render_for_terminal(answer))
    return 0


# Characters that some readers treat as line breaks although JSON leaves them raw.
_LINE_BREAKERS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "\x1c\x1d\x1e\x85\u2028\u2029"})


def json_line(document: dict[str, object]) -> str:
    """One JSON object on exactly one line, whatever splitter the reader uses."""
    return json.dumps(document, ensure_ascii=False).translate(_LINE_BREAKERS)


def _stdin_lines() -> Iterator[bytes]:
    for raw in sys.stdin.buffer:
        yield raw.rstrip(b"\r\n")


async def ask_stream(settings: Settings) -> int:
    """One JSON object per input line, in order, flushed as soon as it is ready.

    A line that is not a usable question (empty, undecodable, too long) still gets its
    object, with `answered: false` and an `error`, so output lines stay aligned with input.
    """
    service = await open_service(settings)
    try:
        for raw in _stdin_lines():
            try:
                question = raw.decode("utf-8")
            except UnicodeDecodeError:
                answer = service.answer("", None)
                document = answer.to_json() | {
                    "question": raw.decode("utf-8", "replace")[:MAX_QUESTION_CHARS],
                    "error": "This line is not valid UTF-8 text.",
                    "answer": "This line is not valid UTF-8 text.",
                }
            else:
                answer = await service.ask(question)
                document = answer.to_json()
                if answer.error:
                    document["question"] = question[:MAX_QUESTION_CHARS]
            sys.stdout.write(json_line(document) + "\n")
            sys.stdout.flush()
    finally:
        await service.close()
    return 0


# console ----------------------------------------------------------------------

CONSOLE_HELP = """Ask anything about WikiLeaks' correspondence with Donald Trump Jr., in English or French.
  :help   this help
  :quit   leave (Ctrl-D works too)"""


def console(settings: Settings) -> int:
    """An interactive prompt with line editing and history (readline where available)."""
    history = Path(settings.database_path).parent / ".console_history"
    try:
        import readline

        history.parent.mkdir(parents=True, exist_ok=True)
        if history.exists():
            readline.read_history_file(history)
        readline.set_history_length(1000)
    except (ImportError, OSError):
        readline = None  # type: ignore[assignment]

    async def session() -> None:
        service = await open_service(settings)
        print(f"{service.story.title.en}\n{CONSOLE_HELP}\n")
        try:
            while True:
                try:
                    line = await asyncio.to_thread(input, "? ")
                except EOFError:
                    print()
                    return
                command = line.strip()
                if command in (":quit", ":q", ":exit"):
                    return
                if command in (":help", ":h", "help"):
                    print(CONSOLE_HELP)
                    continue
                answer = await service.ask(line)
                print(render_for_terminal(answer) + "\n")
        finally:
            await service.close()

    try:
        asyncio.run(session())
    except KeyboardInterrupt:
        print()
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(history)
    return 0


# export / import / backup / eval ------------------------------------------------


async def export_to(settings: Settings, path: Path) -> int:
    service = await open_service(settings)
    try:
        text = dump_fact_base(await service.export())
    finally:
        await service.close()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CliError(f"Cannot write {path}: {error.strerror}") from None
    print(f"Exported the fact base to {path}")
    return 0


def read_fact_base_file(path: Path) -> FactBase:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CliError(f"Cannot read {path}: {error.strerror}") from None
    try:
        return parse_fact_base(decode_document(data, str(path)), str(path))
    except FactBaseError as error:
        raise CliError(str(error)) from None


async def import_from(settings: Settings, path: Path, dry_run: bool) -> int:
    fact_base = read_fact_base_file(path)
    service = await open_service(settings)
    try:
        plan = await service.plan_import(fact_base)
        print(describe_plan(plan).as_text())
        if dry_run:
            print("Dry run: nothing was changed.")
            return 0
        await service.apply_import(fact_base, CLI_ACTOR, reason=f"import of {path.name}")
        print("Imported.")
    finally:
        await service.close()
    return 0


async def backup_to(settings: Settings, path: Path) -> int:
    service = await open_service(settings)
    try:
        await service.backup(path)
    except (OSError, StoreError) as error:
        raise CliError(f"Backup to {path} failed: {error}") from None
    finally:
        await service.close()
    print(f"Backed up {settings.database_path} to {path}")
    return 0


def run_eval(settings: Settings, questions_path: Path | None = None, verbose: bool = False) -> int:
    from knowledge.evaluation import EVAL_PATH, evaluate, load_questions
    from knowledge.schema import SEED_PATH, load_fact_base
    from knowledge.service import Answerer

    fact_base = load_fact_base(SEED_PATH)
    answerer = Answerer(fact_base, AnswerPolicy(threshold=settings.answer_threshold))

    def top_fact(question: str, language: str) -> str | None:
        answer = answerer.answer(question)
        return answer.facts[0].fact.id if answer.answered else None

    path = questions_path or EVAL_PATH
    try:
        questions = load_questions(path)
    except (OSError, ValueError, KeyError) as error:
        raise CliError(f"Cannot read labelled questions from {path}: {error}") from None
    report = evaluate(top_fact, settings.answer_threshold, list(fact_base.facts), questions)
    print(
        f"{report.questions} labelled questions ({path.name}), embedded seed ({len(fact_base.facts)} facts)\n"
    )
    print(report.table())
    if verbose:
        for question, got in report.misses:
            print(
                f"miss [{question.category}] {question.question!r}: expected {sorted(question.expected)}, got {got}"
            )
    return 0


# Discord --------------------------------------------------------------------------


def run_bot(settings: Settings) -> int:
    if not settings.has_token:
        raise CliError(TOKEN_HELP)
    from handlers.runner import run

    return run(settings)


def sync_commands(settings: Settings) -> int:
    if not settings.has_token:
        raise CliError(TOKEN_HELP)
    from handlers.runner import sync

    return sync(settings)


# Arguments ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py", description="A Discord bot answering questions about one news story, with sources."
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    commands.add_parser("console", help="the interactive console")
    ask = commands.add_parser("ask", help="answer one question (or stdin lines with --json)")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per line)")
    ask.add_argument("question", nargs="*", help="the question; omit with --json to read stdin")
    export = commands.add_parser("export", help="write the fact base to a JSON file")
    export.add_argument("path", type=Path)
    importer = commands.add_parser("import", help="replace the fact base from a JSON file")
    importer.add_argument("path", type=Path)
    importer.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    evaluation = commands.add_parser("eval", help="answer quality on the labelled set, with baselines")
    evaluation.add_argument(
        "--questions", type=Path, help="another labelled set (default: tests/data/eval_questions.json)"
    )
    evaluation.add_argument("--misses", action="store_true", help="list every question answered wrongly")
    commands.add_parser("sync", help="publish slash commands now")
    backup = commands.add_parser("backup", help="copy the database with SQLite's online backup")
    backup.add_argument("path", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        command = arguments.command
        if command is None:
            return run_bot(settings) if settings.has_token else console(settings)
        if command == "console":
            return console(settings)
        if command == "run":
            return run_bot(settings)
        if command == "sync":
            return sync_commands(settings)
        if command == "ask":
            question = " ".join(arguments.question)
            if arguments.json and not arguments.question:
                return asyncio.run(ask_stream(settings))
            return asyncio.run(ask_one(settings, question, arguments.json))
        if command == "export":
            return asyncio.run(export_to(settings, arguments.path))
        if command == "import":
            return asyncio.run(import_from(settings, arguments.path, arguments.dry_run))
        if command == "backup":
            return asyncio.run(backup_to(settings, arguments.path))
        if command == "eval":
            return run_eval(settings, arguments.questions, arguments.misses)
    except (CliError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
