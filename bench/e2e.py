"""End-to-end throughput: questions answered per second by the real bot process, against the floor.

Usage (from the repository root; the twin is test code, so the dev requirements are needed):

    python -m bench.e2e [--questions 400] [--users 20] [--rounds 2] [--warmup N]
                        [--out docs/benchmarks.md] [--json results.json] [--attribute] [--profile]

Each run starts a fresh local Discord twin (``tests/e2e/twin``) on 127.0.0.1 and one subject
process against it:

* ``bot``: the real bot, ``python bot.py run``, on a fresh database (seed import), user and
  channel cooldowns 0 so every question is answered;
* ``floor``: ``tests/e2e/floor_bot.py``, a bare discord.py bot answering ``/ask`` and mentions
  with a fixed text: what the library itself costs, the best any bot on it can do.

Then ``--users`` members ask ``--questions`` questions (half ``/ask``, half @mentions; English,
French and off-topic: ``bench/e2e_load.py``), all members at once, each asking the next as
soon as the previous one is answered. After a warm-up (default: one question per user, not
counted), it measures answered questions per second (first dispatch to last answer) and the
p50/p99 time from the twin sending the INTERACTION_CREATE/MESSAGE_CREATE to the twin
receiving the callback, follow-up or message that shows the answer. Runs alternate bot,
floor, bot, floor (``--rounds`` pairs); the section reports every run and the medians, and
the ratio bot/floor against the target: the bot keeps at least 80 % of the floor's throughput.

The twin's honest per-route rate limit (50 requests per second per bucket, like Discord's
headers) is raised to ``RATE_LIMIT`` so neither subject ever waits on it: the benchmark
measures the bots, not a simulated Discord quota.

Two diagnostics, never counted in the headline figures, run the bot through
``bench/e2e_subject.py`` (hooks installed from outside; the bot's code is not changed):

* ``--attribute`` adds, in each round, a bot run with its store lock timed (how long
  questions wait for SQLite and hold it), then bot runs with one part stubbed out: without
  writing each question to SQLite, without matching (each distinct question matched once),
  and without both, to show what each part costs end to end;
* ``--profile`` (or ``BENCH_E2E_PROFILE=1`` in the environment) adds one bot run under
  cProfile, recording the measured load only (not the start-up), and writes the profile to
  ``bench/out/e2e-profile.txt`` and a summary by package into the section. cProfile sees
  the event loop's thread only: SQLite work on aiosqlite's thread is in the CPU column.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import os
import pstats
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.e2e_load import LoadResult, assign, percentile, question_mix, run_load
from bench.e2e_subject import PROFILE_ENV as PROFILE_OUT_ENV
from bench.e2e_subject import STORE_TIMES_ENV, STUB_ENV, STUBS
from bench.report import DEFAULT_OUT, ROOT, Machine, machine, write_section
from knowledge.evaluation import markdown_table
from tests.e2e.bot_fixtures import REAL_BOT, RealBot
from tests.e2e.conftest import FLOOR_BOT
from tests.e2e.twin import BotProcess, Twin, TwinConfig

COMMAND = "python -m bench.e2e"
SECTION = "e2e"
SUBJECTS = ("bot", "floor")
DEFAULT_QUESTIONS = 400
DEFAULT_USERS = 20
DEFAULT_ROUNDS = 2
TARGET_RATIO = 0.80
RATE_LIMIT = 10_000  # per bucket per second: far above what either subject sends
CHANNELS = 4
QUESTION_TIMEOUT = 60.0
PROFILE_ENV = "BENCH_E2E_PROFILE"
PROFILE_DIR = ROOT / "bench" / "out"
SUBJECT_RUNNER = ROOT / "bench" / "e2e_subject.py"
STORE_TIMES = "store-lock-times.json"
LOG_PROBLEM = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback")
# --attribute: the bot with its store lock timed, then without one part, then without both
# (see bench/e2e_subject.py). "lock-timed" observes only; the others are stubs.
LOCK_TIMED = "lock-timed"
VARIANTS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((LOCK_TIMED,), "store lock timed"),
    (("store-log",), "no SQLite question log"),
    (("matching",), "no matching"),
    (("store-log", "matching"), "neither"),
)


@dataclass
class RunResult:
    """One subject's measured load."""

    subject: str
    round: int
    questions: int
    users: int
    answered: int
    failed: int
    duration_s: float
    throughput: float
    p50_ms: float
    p99_ms: float
    subject_cpu_s: float  # the subject process (every thread), during the measured load
    driver_cpu_s: float  # this process: the twin and the simulated members
    requests: int  # HTTP requests the subject sent during the measured load
    log_problems: int  # ERROR/CRITICAL/Traceback lines in the subject's output
    hooks: tuple[str, ...] = ()  # a diagnostic variant (VARIANTS); () for the bot as shipped
    # With the store lock timed: per lock use, waiting for it and holding it (ms), and uses.
    lock_wait_ms: tuple[float, float] = (math.nan, math.nan)  # p50, p90
    lock_hold_ms: tuple[float, float] = (math.nan, math.nan)  # p50, p90
    lock_uses: int = 0
    lock_held_s: float = math.nan  # total time the lock was held during the measured load
    failures: list[str] = field(default_factory=list)

    @property
    def cpu_per_answer_ms(self) -> float:
        return self.subject_cpu_s * 1000 / self.answered if self.answered else math.nan


@dataclass
class Summary:
    bot: RunResult
    floor: RunResult

    @property
    def throughput_ratio(self) -> float:
        return _div(self.bot.throughput, self.floor.throughput)

    @property
    def p50_ratio(self) -> float:
        return _div(self.bot.p50_ms, self.floor.p50_ms)

    @property
    def p99_ratio(self) -> float:
        return _div(self.bot.p99_ms, self.floor.p99_ms)

    @property
    def met(self) -> bool:
        return self.throughput_ratio >= TARGET_RATIO


def _div(a: float, b: float) -> float:
    return a / b if b else math.nan


# ------------------------------------------------------------------------------- measuring
def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (every thread), from /proc; NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_subject(
    subject: str, twin: Twin, workdir: Path, hooks: Sequence[str], profile_to: Path | None
) -> tuple[BotProcess, RealBot | None]:
    if subject == "floor":
        proc = BotProcess(FLOOR_BOT, env=twin.bot_env(), cwd=ROOT, log_path=workdir / "floor.log")
        return twin.watch(proc.start()), None
    settings = {"USER_COOLDOWN_SECONDS": "0", "CHANNEL_COOLDOWN_SECONDS": "0"}
    argv = list(REAL_BOT)
    if hooks or profile_to is not None:  # the same bot.py, through the hook runner
        argv = [argv[0], str(SUBJECT_RUNNER), *argv[1:]]
        settings[STUB_ENV] = ",".join(h for h in hooks if h in STUBS)
        settings[PROFILE_OUT_ENV] = str(profile_to or "")
        settings[STORE_TIMES_ENV] = str(workdir / STORE_TIMES) if LOCK_TIMED in hooks else ""
    bot = RealBot(twin, workdir, settings)
    proc = BotProcess(argv, env=bot.env(), cwd=workdir, log_path=workdir / "bot-stdout.log")
    bot.processes.append(twin.watch(proc.start()))
    return proc, bot


async def measure(
    subject: str,
    round_: int,
    *,
    questions: int,
    users: int,
    warmup: int,
    workdir: Path,
    hooks: Sequence[str] = (),
    profile_to: Path | None = None,
) -> RunResult:
    """One fresh twin, one subject process, a warm-up, then the measured load."""
    twin = await Twin(TwinConfig(rate_limit=RATE_LIMIT)).start()
    proc: BotProcess | None = None
    bot: RealBot | None = None
    try:
        guild = twin.create_guild("Bench Guild")
        channels = [twin.create_text_channel(guild, f"bench-{i}") for i in range(CHANNELS)]
        members = []
        for i in range(users):
            member = twin.create_user(f"asker-{i}")
            twin.add_member(guild, member)
            members.append(member)
        proc, bot = start_subject(subject, twin, workdir, hooks, profile_to)
        await twin.wait_until_ready(timeout=90)
        if warmup:
            await run_load(
                twin, assign(question_mix(warmup, seed=1), members, channels), timeout=QUESTION_TIMEOUT
            )
        plans = assign(question_mix(questions), members, channels)
        first_request = len(twin.requests)
        recorded = [p for p in (profile_to, workdir / STORE_TIMES if LOCK_TIMED in hooks else None) if p]
        if recorded:  # open the hooks' window (bench/e2e_subject.py)
            os.kill(proc.pid, signal.SIGUSR1)
            await asyncio.sleep(0.2)  # the bot's main thread runs the handler at its next wake-up
        cpu_before, driver_before = process_cpu(proc.pid), time.process_time()
        result: LoadResult = await run_load(twin, plans, timeout=QUESTION_TIMEOUT)
        cpu_after, driver_after = process_cpu(proc.pid), time.process_time()
        sent = len(twin.requests) - first_request
        if recorded:
            os.kill(proc.pid, signal.SIGUSR2)
            deadline = time.monotonic() + 30
            while not all(p.exists() for p in recorded) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
    finally:
        if proc is not None:
            await proc.stop(timeout=20.0)
        await twin.stop()
    output = bot.all_output() if bot is not None else proc.read_log()
    lock = read_lock_times(workdir / STORE_TIMES) if LOCK_TIMED in hooks else None
    return RunResult(
        subject=subject,
        round=round_,
        questions=questions,
        users=users,
        answered=len(result.answered),
        failed=len(result.failures),
        duration_s=result.duration,
        throughput=result.throughput,
        p50_ms=result.latency(50) * 1000,
        p99_ms=result.latency(99) * 1000,
        subject_cpu_s=cpu_after - cpu_before,
        driver_cpu_s=driver_after - driver_before,
        requests=sent,
        log_problems=sum(1 for line in output.splitlines() if LOG_PROBLEM.search(line)),
        hooks=tuple(hooks),
        **(lock or {}),
        failures=[d.describe() for d in result.failures[:10]],
    )


def read_lock_times(path: Path) -> dict[str, object]:
    times = json.loads(path.read_text(encoding="utf-8"))
    waits = [t * 1000 for t in times["wait_s"]] or [math.nan]
    holds = [t * 1000 for t in times["hold_s"]] or [math.nan]
    return {
        "lock_wait_ms": (percentile(waits, 50), percentile(waits, 90)),
        "lock_hold_ms": (percentile(holds, 50), percentile(holds, 90)),
        "lock_uses": len(times["hold_s"]),
        "lock_held_s": sum(times["hold_s"]),
    }


def median_run(runs: Sequence[RunResult]) -> RunResult:
    """A run made of the medians of ``runs`` (all of one subject and variant)."""

    def med(attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    first = runs[0]
    return RunResult(
        subject=first.subject,
        round=0,
        questions=first.questions,
        users=first.users,
        answered=int(med("answered")),
        failed=int(med("failed")),
        duration_s=med("duration_s"),
        throughput=med("throughput"),
        p50_ms=med("p50_ms"),
        p99_ms=med("p99_ms"),
        subject_cpu_s=med("subject_cpu_s"),
        driver_cpu_s=med("driver_cpu_s"),
        requests=int(med("requests")),
        log_problems=max(r.log_problems for r in runs),
        hooks=first.hooks,
        lock_wait_ms=(med_of(r.lock_wait_ms[0] for r in runs), med_of(r.lock_wait_ms[1] for r in runs)),
        lock_hold_ms=(med_of(r.lock_hold_ms[0] for r in runs), med_of(r.lock_hold_ms[1] for r in runs)),
        lock_uses=int(med("lock_uses")),
        lock_held_s=med("lock_held_s"),
    )


def med_of(values: Iterable[float]) -> float:
    return statistics.median(values)


def summarise(results: Sequence[RunResult]) -> Summary:
    def runs_of(subject: str) -> list[RunResult]:
        return [r for r in results if r.subject == subject and not r.hooks]

    return Summary(median_run(runs_of("bot")), median_run(runs_of("floor")))


# ------------------------------------------------------------------------------- profiling
PACKAGES = (
    ("discord.py", ("/discord/",)),
    ("aiohttp, yarl, multidict (HTTP client)", ("/aiohttp/", "/yarl/", "/multidict/")),
    ("the bot: knowledge/ (matching, answers, store)", ("/knowledge/",)),
    ("the bot: handlers/, config/, bot.py", ("/handlers/", "/config/", "bot.py")),
    ("aiosqlite (event-loop side)", ("/aiosqlite/",)),
    ("asyncio", ("/asyncio/",)),
    ("json", ("/json/",)),
)


def package_of(filename: str, function: str) -> str:
    for name, needles in PACKAGES:
        if any(n in filename for n in needles):
            return name
    if filename == "~":  # built-ins
        if "epoll" in function or "select" in function:
            return "idle: waiting in epoll"
        return "built-ins (socket, zlib, json scanner, …)"
    return "other Python"


@dataclass
class ProfileSummary:
    total_s: float
    by_package: list[tuple[str, float]]
    top: list[tuple[str, float, int]]  # (function, own seconds, calls)
    path: Path


def read_profile(path: Path, out: Path) -> ProfileSummary:
    stats = pstats.Stats(str(path))
    by_package: dict[str, float] = defaultdict(float)
    rows = []
    for (filename, line, function), (_, calls, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_package[package_of(filename, function)] += tottime
        short = filename if filename == "~" else "/".join(Path(filename).parts[-2:])
        rows.append((f"{short}:{line}({function})", tottime, calls))
    total = sum(by_package.values()) or 1e-9
    rows.sort(key=lambda r: r[1], reverse=True)
    text = io.StringIO()
    for order in ("tottime", "cumulative"):
        pstats.Stats(str(path), stream=text).strip_dirs().sort_stats(order).print_stats(40)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.getvalue(), encoding="utf-8")
    return ProfileSummary(
        total, sorted(by_package.items(), key=lambda kv: kv[1], reverse=True), rows[:12], out
    )


# -------------------------------------------------------------------------------- writing
def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _x(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def _rate(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def describe_variant(hooks: Sequence[str]) -> str:
    return next((label for names, label in VARIANTS if tuple(names) == tuple(hooks)), "+".join(hooks))


def section(
    results: Sequence[RunResult],
    where: Machine,
    command: str,
    warmup: int,
    profile: ProfileSummary | None = None,
) -> str:
    summary = summarise(results)
    bot, floor = summary.bot, summary.floor
    target = markdown_table(
        ["target", "measured", "status"],
        [
            [
                f"the bot keeps ≥ {TARGET_RATIO:.0%} of the floor's throughput",
                f"{summary.throughput_ratio:.0%} ({_rate(bot.throughput)} vs {_rate(floor.throughput)} answers/s)",
                "met" if summary.met else "**missed**",
            ]
        ],
    )
    medians = markdown_table(
        ["median of the runs", "bot", "floor", "bot / floor"],
        [
            [
                "answered per second",
                _rate(bot.throughput),
                _rate(floor.throughput),
                _x(summary.throughput_ratio),
            ],
            ["p50 latency (ms)", _ms(bot.p50_ms), _ms(floor.p50_ms), _x(summary.p50_ratio)],
            ["p99 latency (ms)", _ms(bot.p99_ms), _ms(floor.p99_ms), _x(summary.p99_ratio)],
            [
                "subject CPU per answer (ms)",
                _ms(bot.cpu_per_answer_ms),
                _ms(floor.cpu_per_answer_ms),
                _x(_div(bot.cpu_per_answer_ms, floor.cpu_per_answer_ms)),
            ],
            [
                "HTTP requests per answer",
                f"{_div(bot.requests, bot.answered):.2f}",
                f"{_div(floor.requests, floor.answered):.2f}",
                "",
            ],
        ],
    )
    runs = markdown_table(
        [
            "run",
            "subject",
            "answered",
            "seconds",
            "answers/s",
            "p50 (ms)",
            "p99 (ms)",
            "subject CPU (s)",
            "twin + driver CPU (s)",
            "requests",
            "log errors",
        ],
        [
            [
                str(i + 1),
                r.subject + (f" ({describe_variant(r.hooks)})" if r.hooks else ""),
                f"{r.answered}/{r.questions}",
                f"{r.duration_s:.2f}",
                _rate(r.throughput),
                _ms(r.p50_ms),
                _ms(r.p99_ms),
                f"{r.subject_cpu_s:.2f}",
                f"{r.driver_cpu_s:.2f}",
                str(r.requests),
                str(r.log_problems),
            ]
            for i, r in enumerate(results)
        ],
    )
    questions, users = results[0].questions, results[0].users
    rounds = sum(1 for r in results if r.subject == "floor")
    failures = [f for r in results for f in r.failures]
    parts = [
        "## End-to-end throughput: the bot against the library's floor",
        where.describe(command),
        f"{questions} questions (half `/ask`, half @mentions; 50 % English, 35 % French, 15 % off-topic) "
        f"from {users} members at once, each asking the next as soon as the previous one is answered, "
        "through the local Discord twin (`tests/e2e/twin`) to one subject process: **bot** is "
        "`python bot.py run` (fresh database, cooldowns 0), **floor** is `tests/e2e/floor_bot.py`, "
        "discord.py answering with a fixed text — the most any bot on the library can do here. "
        f"Each run uses a fresh twin and starts with {warmup} warm-up questions that are not counted; "
        f"runs alternate bot, floor ({rounds} of each) and the figures are medians. "
        "Throughput is answers per second from the first dispatch to the last answer; latency runs "
        "from the twin sending the INTERACTION_CREATE/MESSAGE_CREATE to the twin receiving the "
        "callback, follow-up or message that shows the answer. The twin's rate-limit buckets are "
        f"raised to {RATE_LIMIT:,} requests per second so neither subject waits on them. The twin "
        "and the simulated members run in the benchmark's process on the same CPUs as the subject "
        "(their CPU time is a column below): on a small shared machine read the ratios, not the rates.",
        "### Target",
        target,
        "### Medians",
        medians,
    ]
    variants = [r for r in results if r.hooks]
    if variants:
        rows = [
            ["bot as shipped", _rate(bot.throughput), _ms(bot.p50_ms), _ms(bot.cpu_per_answer_ms), "1.00"]
        ]
        for hooks, label in VARIANTS:
            same = [r for r in variants if r.hooks == hooks]
            if same:
                m = median_run(same)
                rows.append(
                    [
                        label,
                        _rate(m.throughput),
                        _ms(m.p50_ms),
                        _ms(m.cpu_per_answer_ms),
                        _x(_div(m.throughput, bot.throughput)),
                    ]
                )
        rows.append(
            [
                "floor",
                _rate(floor.throughput),
                _ms(floor.p50_ms),
                _ms(floor.cpu_per_answer_ms),
                _x(_div(floor.throughput, bot.throughput)),
            ]
        )
        parts += [
            "### Where the bot's time goes",
            "The same load on the bot with hooks installed from outside (`--attribute`, "
            "`bench/e2e_subject.py`), medians of the rounds: *store lock timed* is the bot as shipped "
            "with the store's asyncio lock (taken by every SQLite transaction) timed; *no SQLite "
            "question log* answers `Store.log_question` from a counter instead of writing the "
            "question to the database; *no matching* matches each distinct question once and reuses "
            "the answer (the load repeats a few dozen questions). Diagnostics, not results: what each "
            "part costs end to end.",
            markdown_table(
                ["bot variant", "answers/s", "p50 (ms)", "CPU per answer (ms)", "× the bot"], rows
            ),
        ]
        timed = [r for r in variants if r.hooks == (LOCK_TIMED,)]
        if timed:
            lock = median_run(timed)
            parts.append(
                f"Store lock, while timed: {_div(lock.lock_uses, lock.answered):.2f} uses per answer; "
                f"each use waited p50 {_ms(lock.lock_wait_ms[0])} ms (p90 {_ms(lock.lock_wait_ms[1])}) "
                f"for the lock and held it p50 {_ms(lock.lock_hold_ms[0])} ms "
                f"(p90 {_ms(lock.lock_hold_ms[1])}), against a p50 answer latency of {_ms(lock.p50_ms)} ms; "
                f"the lock was held {_div(lock.lock_held_s, lock.duration_s):.0%} of the load's wall time. "
                "One use holds it at a time: near 100 %, the lock, not the CPU, sets the pace."
            )
    parts += ["### Every run", runs]
    if failures:
        parts.append("Unanswered questions:\n\n" + "\n".join(f"* {f}" for f in failures[:10]))
    if profile is not None:
        share = markdown_table(
            ["where the bot's event loop spends the load (own time)", "share"],
            [
                [name, f"{seconds / profile.total_s:.0%}"]
                for name, seconds in profile.by_package
                if seconds > 0
            ],
        )
        top = markdown_table(
            ["function", "own time", "calls"],
            [
                [f"`{name}`", f"{seconds / profile.total_s:.1%}", str(calls)]
                for name, seconds, calls in profile.top
            ],
        )
        parts += [
            "### Profile of the bot during the load (`--profile`, one extra run, not in the figures)",
            "cProfile on the event loop's thread, from the first to the last question; SQLite runs on "
            "aiosqlite's worker thread and is not in it. cProfile slows Python code several-fold, so "
            f"read shares, not times. Full listing: `{_relative(profile.path)}` (not committed).",
            share,
            top,
        ]
    parts.append(
        f"Reproduce: `{command}` (options: `--questions`, `--users`, `--rounds`, `--warmup`, `--attribute`, "
        "`--profile`; see the docstring of `bench/e2e.py`). Set-up: `bash scripts/bootstrap.sh requirements-bench.txt`, then `.venv/bin/python -m bench.e2e`."
    )
    return "\n\n".join(parts)


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------------- main
def command_line(args: argparse.Namespace) -> str:
    """The command as a reader would type it to get the same run."""
    parts = [COMMAND]
    if args.questions != DEFAULT_QUESTIONS:
        parts.append(f"--questions {args.questions}")
    if args.users != DEFAULT_USERS:
        parts.append(f"--users {args.users}")
    if args.rounds != DEFAULT_ROUNDS:
        parts.append(f"--rounds {args.rounds}")
    if args.warmup is not None:
        parts.append(f"--warmup {args.warmup}")
    if args.attribute:
        parts.append("--attribute")
    if args.profile:
        parts.append("--profile")
    if args.out.resolve() != DEFAULT_OUT.resolve():
        parts.append(f"--out {args.out}")
    return " ".join(parts)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=COMMAND, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=positive, default=DEFAULT_QUESTIONS, help="questions per run")
    parser.add_argument("--users", type=positive, default=DEFAULT_USERS, help="members asking at once")
    parser.add_argument("--rounds", type=positive, default=DEFAULT_ROUNDS, help="pairs of runs: bot, floor")
    parser.add_argument(
        "--warmup", type=int, default=None, help="uncounted questions first (default: --users)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="markdown file to write the section into"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write every run as JSON here")
    parser.add_argument(
        "--attribute", action="store_true", help="add stubbed bot runs (what each part costs)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        default=os.environ.get(PROFILE_ENV, "") not in ("", "0"),
        help=f"add a cProfile'd bot run (also: {PROFILE_ENV}=1)",
    )
    return parser


async def run_all(
    args: argparse.Namespace, warmup: int, workroot: Path
) -> tuple[list[RunResult], ProfileSummary | None]:
    plan: list[tuple[str, int, tuple[str, ...]]] = []
    for round_ in range(1, args.rounds + 1):
        plan += [(subject, round_, ()) for subject in SUBJECTS]
        if args.attribute:
            plan += [("bot", round_, hooks) for hooks, _ in VARIANTS]
    results: list[RunResult] = []
    for n, (subject, round_, hooks) in enumerate(plan, 1):
        name = subject + (f" ({describe_variant(hooks)})" if hooks else "")
        print(f"[{n}/{len(plan)}] round {round_}: {name}…", file=sys.stderr, flush=True)
        result = await measure(
            subject,
            round_,
            questions=args.questions,
            users=args.users,
            warmup=warmup,
            workdir=workroot / f"run-{n}",
            hooks=hooks,
        )
        print(
            f"  {result.answered}/{result.questions} answered, {result.throughput:.1f}/s, "
            f"p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms, "
            f"CPU {result.cpu_per_answer_ms:.2f} ms per answer",
            file=sys.stderr,
            flush=True,
        )
        results.append(result)
    profile = None
    if args.profile:
        print("profiling the bot…", file=sys.stderr, flush=True)
        raw = workroot / "bot.prof"
        await measure(
            "bot",
            0,
            questions=args.questions,
            users=args.users,
            warmup=warmup,
            workdir=workroot / "profiled",
            profile_to=raw,
        )
        profile = read_profile(raw, PROFILE_DIR / "e2e-profile.txt")
    return results, profile


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warmup = args.users if args.warmup is None else args.warmup
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        results, profile = asyncio.run(run_all(args, warmup, Path(tmp)))
    summary = summarise(results)
    write_section(args.out, SECTION, section(results, machine(), command_line(args), warmup, profile))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    print(
        f"bot {summary.bot.throughput:.1f}/s vs floor {summary.floor.throughput:.1f}/s: "
        f"{summary.throughput_ratio:.0%} of the floor (target {TARGET_RATIO:.0%}: "
        f"{'met' if summary.met else 'missed'}); latency p50 ×{summary.p50_ratio:.2f}, p99 ×{summary.p99_ratio:.2f}"
    )
    print(f"wrote the {SECTION} section of {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
