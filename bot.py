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
import gc
import json
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from tqdm import tqdm

from config import Settings, SettingsError, load_settings
from config.redaction import install as install_redaction
from config.redaction import redact, url_password
from knowledge.answering import AnswerPolicy
from knowledge.answers import Answer
from knowledge.curation import describe_plan
from knowledge.models import CLI_ACTOR, FactBase
from knowledge.questions import MAX_QUESTION_CHARS, QuestionRejected, validate_question
from knowledge.schema import FactBaseError
from knowledge.service import KnowledgeService
from knowledge.store import StoreError
from knowledge.store.opening import describe_target, open_store
from knowledge.store.pg_connection import is_postgres_url
from knowledge.store.targets import check_writable_target, replacing
from knowledge.streaming import load_fact_base_streaming, write_fact_base

log = logging.getLogger("bot")

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
        service = await KnowledgeService.open(
            settings.database,
            policy=AnswerPolicy(threshold=settings.answer_threshold),
            default_language=settings.default_language,
        )
    except (StoreError, FactBaseError) as error:
        raise CliError(str(error)) from None
    # The index is millions of long-lived objects at archive sizes; left to the cyclic
    # collector, each full collection walks all of them: a p99 spike in the middle of an answer.
    gc.freeze()
    return service


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
        answer = service.answer(question)
        print(json_line(answer.to_json()) if as_json else render_for_terminal(answer), flush=True)
        recorder = QuestionRecorder(service)
        await recorder.record(answer)
        await recorder.finish()
    finally:
        await service.close()
    return 0


# Characters that some readers treat as line breaks although JSON leaves them raw.
_LINE_BREAKERS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "\x1c\x1d\x1e\x85\u2028\u2029"})


def json_line(document: dict[str, object]) -> str:
    """One JSON object on exactly one line, whatever splitter the reader uses."""
    return json.dumps(document, ensure_ascii=False).translate(_LINE_BREAKERS)


async def _stdin_lines() -> AsyncIterator[bytes]:
    """Input lines, read in a thread so the question log is written while the next line waits."""
    while raw := await asyncio.to_thread(sys.stdin.buffer.readline):
        yield raw.rstrip(b"\r\n")


class QuestionRecorder:
    """Puts answered questions in the question log in the background, never holding back an answer.

    The answer is printed first; its question is queued and written by a background task
    while the next line is awaited, several at a time (the store commits questions that
    wait together in one transaction). When another process holds the database's write
    lock longer than the busy timeout, questions wait in memory and are retried with the
    next ones; `finish` (at a clean end of input) writes everything still waiting,
    retrying a bounded number of times, and reports on stderr what still cannot be
    written. No output line is ever dropped.
    """

    FINAL_ATTEMPTS = 6

    def __init__(self, service: KnowledgeService) -> None:
        self.service = service
        self.pending: list[Answer] = []
        self.waiting = False
        self._writer: asyncio.Task[bool] | None = None

    async def record(self, answer: Answer) -> None:
        if not answer.error:
            self.pending.append(answer)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await asyncio.sleep(0)  # let the writer hand its rows to the store now

    async def _write(self) -> bool:
        while self.pending:
            batch, self.pending = self.pending, []
            results = await asyncio.gather(
                *(self.service.record_question(answer) for answer in batch), return_exceptions=True
            )
            failed = [a for a, r in zip(batch, results, strict=True) if isinstance(r, BaseException)]
            unexpected = [
                r for r in results if isinstance(r, BaseException) and not isinstance(r, StoreError)
            ]
            if unexpected:
                self.pending = failed + self.pending
                raise unexpected[0]
            if failed:
                self.pending = failed + self.pending
                if not self.waiting:
                    log.warning(
                        "question log delayed (%s); answers continue", results[batch.index(failed[0])]
                    )
                    self.waiting = True
                return False
        if self.waiting:
            log.warning("question log caught up")
            self.waiting = False
        return True

    async def finish(self) -> None:
        if self._writer is not None:
            await self._writer
        for _attempt in range(self.FINAL_ATTEMPTS):
            if await self._write():
                return
        log.error(
            "%d question(s) were answered but could not be logged: the database stayed locked",
            len(self.pending),
        )


async def ask_stream(settings: Settings) -> int:
    """One JSON object per input line, in order, flushed as soon as it is ready.

    A line that is not a usable question (empty, undecodable, too long) still gets its
    object, with `answered: false` and an `error`, so output lines stay aligned with input.
    The answer is written before its question is logged, so a locked database delays the
    log, never an answer (see QuestionRecorder).
    """
    service = await open_service(settings)
    recorder = QuestionRecorder(service)
    try:
        async for raw in _stdin_lines():
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
                answer = service.answer(question)
                document = answer.to_json()
                if answer.error:
                    document["question"] = question[:MAX_QUESTION_CHARS]
            sys.stdout.write(json_line(document) + "\n")
            sys.stdout.flush()
            await recorder.record(answer)
        await recorder.finish()
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
    """Write the fact base to `path`: a new path or a regular file, never the database itself."""
    try:
        check_writable_target(path, settings.database_path, "export")
    except StoreError as error:
        raise CliError(str(error)) from None
    service = await open_service(settings)
    try:
        fact_base = await service.export()
    finally:
        await service.close()
    try:
        check_writable_target(path, settings.database_path, "export")  # again: it may have changed
        with (
            replacing(path, "export") as partial,
            partial.open("w", encoding="utf-8") as stream,
            progress_bar(f"writing {path.name}", total=len(fact_base.facts)) as bar,
        ):
            write_fact_base(fact_base, stream, on_fact=bar.update)
    except StoreError as error:
        raise CliError(str(error)) from None
    print(f"Exported the fact base to {path}")
    return 0


def progress_bar(what: str, total: int | None = None) -> tqdm[None]:
    """A progress bar on stderr when it is a terminal; nothing at all in a pipe, a log or a test."""
    return tqdm(total=total, desc=what, unit=" facts", file=sys.stderr, disable=not sys.stderr.isatty())


def read_fact_base_file(path: Path) -> FactBase:
    """Read and validate a file fact by fact (knowledge/streaming.py): any size up to the file
    limit, never the whole text in memory; a device or pipe stops at the limit too."""
    try:
        with progress_bar(f"reading {path.name}") as bar:
            return load_fact_base_streaming(path, on_fact=bar.update)
    except FactBaseError as error:
        raise CliError(str(error)) from None


async def import_from(settings: Settings, path: Path, dry_run: bool) -> int:
    fact_base = read_fact_base_file(path)
    service = await open_service(settings)
    try:
        plan = await service.plan_import(fact_base)
        print(describe_plan(plan).as_text(), flush=True)
        if dry_run:
            print("Dry run: nothing was changed.")
            return 0
        with progress_bar("importing", total=len(fact_base.facts)) as bar:
            await service.apply_import(
                fact_base,
                CLI_ACTOR,
                reason=f"import of {path.name}",
                progress=bar.update,
                refresh_index=False,  # nothing answers here; the next start catches up
            )
            bar.update(bar.total - bar.n)  # the store reports every few hundred facts
        print("Imported.")
    finally:
        await service.close()
    return 0


async def backup_to(settings: Settings, path: Path) -> int:
    """An online copy; the store refuses the database itself (any alias) and non-regular files."""
    service = await open_service(settings)
    try:
        await service.backup(path)
    except StoreError as error:
        raise CliError(str(error)) from None
    except OSError as error:
        raise CliError(f"Backup to {path} failed: {error.strerror or error}") from None
    finally:
        await service.close()
    print(f"Backed up {describe_target(settings.database)} to {path}")
    return 0


def run_eval(
    settings: Settings,
    questions_path: Path | None = None,
    verbose: bool = False,
    set_name: str | None = None,
    first_touch: bool = False,
) -> int:
    """Answer quality per question set and category, beside the first touch and the baselines."""
    from knowledge.quality import evaluate_sets, record_first_touches, seed_answerer
    from knowledge.question_sets import EVAL_DIR, QuestionSetError, available_sets

    answerer = seed_answerer(settings.answer_threshold)
    if first_touch:
        recorded = record_first_touches(answerer)
        print("Recorded the first touch of: " + (", ".join(recorded) or "nothing (every blind set has one)"))
    paths = available_sets()
    if set_name is not None:
        paths = [p for p in paths if p.stem == set_name]
        if not paths:
            names = ", ".join(p.stem for p in available_sets())
            raise CliError(f"No question set named {set_name!r} in {EVAL_DIR} (there are: {names})")
    if questions_path is not None:
        paths = [questions_path]
    try:
        reports = evaluate_sets(answerer, paths)
    except QuestionSetError as error:
        raise CliError(str(error)) from None
    for report in reports:
        print(
            f"{report.name}: {len(report.questions)} questions, embedded seed ({len(answerer.facts())} facts)\n"
        )
        print(report.table(), end="\n\n")
        if verbose:
            for question, outcome in report.misses:
                expected = sorted(question.expected_ids) or [
                    "|".join(group) for group in question.expected_keywords
                ]
                print(
                    f"miss [{question.category}] {question.question!r}: "
                    f"expected {expected or 'abstention'}, got {outcome.describe()}"
                )
            print()
    return 0


# migrate-store ----------------------------------------------------------------------


async def migrate_store(source: str, target: str) -> int:
    """Copy every table from one store into an empty one (SQLite file ↔ PostgreSQL URL), all or nothing."""
    from tqdm import tqdm

    from knowledge.store.transfer import copy_store, count_rows

    if not is_postgres_url(source) and not Path(source).is_file():
        raise CliError(f"{source} is not a SQLite file: give an existing file or a postgresql:// URL.")
    if describe_target(source) == describe_target(target) or (
        not is_postgres_url(source)
        and not is_postgres_url(target)
        and Path(source).resolve() == Path(target).resolve()
    ):
        raise CliError("SOURCE and TARGET are the same store: choose another target.")
    try:
        origin = await open_store(source)
        try:
            destination = await open_store(target)
            try:
                expected = await count_rows(origin)
                # A bar on a terminal only: a redirected stderr gets no control characters.
                with tqdm(total=sum(expected.values()), unit="rows", disable=not sys.stderr.isatty()) as bar:
                    copied = await copy_store(origin, destination, describe_target(target), bar.update)
            finally:
                await destination.close()
        finally:
            await origin.close()
    except StoreError as error:
        raise CliError(str(error)) from None
    summary = ", ".join(f"{count} {table}" for table, count in copied.items())
    print(f"Copied {describe_target(source)} to {describe_target(target)}: {summary} (counts checked).")
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
    evaluation = commands.add_parser(
        "eval", help="answer quality per question set, with first touch and baselines"
    )
    evaluation.add_argument("--questions", type=Path, help="only this question file")
    evaluation.add_argument(
        "--set", dest="set_name", help="only this shipped set (labelled, holdout, blind-c…)"
    )
    evaluation.add_argument(
        "--first-touch",
        action="store_true",
        help="first run the blind sets never run, and record it for good",
    )
    evaluation.add_argument("--misses", action="store_true", help="list every question answered wrongly")
    commands.add_parser("sync", help="publish slash commands now")
    backup = commands.add_parser("backup", help="copy the database with SQLite's online backup")
    backup.add_argument("path", type=Path)
    migrate = commands.add_parser(
        "migrate-store", help="copy everything into an empty store: SQLite file <-> postgresql:// URL"
    )
    migrate.add_argument("source", help="a SQLite file path or a postgresql:// URL")
    migrate.add_argument("target", help="an empty (or new) SQLite file, or an empty PostgreSQL database")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        secrets = [settings.discord_token.reveal(), url_password(settings.database_url.reveal())]
        if arguments.command == "migrate-store":
            secrets += [url_password(arguments.source), url_password(arguments.target)]
        if any(secrets):
            install_redaction(*secrets)
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
        if command == "migrate-store":
            return asyncio.run(migrate_store(arguments.source, arguments.target))
        if command == "eval":
            return run_eval(
                settings, arguments.questions, arguments.misses, arguments.set_name, arguments.first_touch
            )
    except (CliError, SettingsError) as error:
        print(f"error: {redact(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last line of defence: one line, never a traceback
        log.debug("unexpected failure", exc_info=True)
        print(f"error: unexpected failure ({type(error).__name__}): {redact(str(error))}", file=sys.stderr)
        return 1
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
