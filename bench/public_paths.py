"""The bot measured from outside, through the command line a person or a script uses.

`bench.matching` times the index alone, in-process. This times what an operator sees:

* `bot.py import FILE` of the seed grown with real-word distractors (bench/distractors.py),
  wall time of the whole process;
* the first answer after a start, cold (a new process, `bot.py ask --json` with one line on
  stdin): without the index snapshot (it is deleted first, so the index is built) and with
  it (the snapshot the previous start saved);
* per-question latency through `bot.py ask --json` in batch mode: one process, one question
  written at a time, the clock stopped when its JSON line comes back; beside it, the
  same questions against the index alone (`FactIndex.search`) in this process;
* the index's memory: the growth of this process's RSS while building it, and, at the
  smallest archive size, the top allocation sites by tracemalloc.

    python -m bench.public_paths --sizes 17,10000 [--questions 300] [--out docs/benchmarks.md]

One run, medians and p99; the machine is named in the section.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

from bench.distractors import importable, with_distractors
from bench.report import DEFAULT_OUT, ROOT, machine, write_section
from knowledge.matcher import FactIndex
from knowledge.question_sets import available_sets, load_questions
from knowledge.schema import SEED_PATH, dump_fact_base, load_fact_base
from knowledge.snapshot import snapshot_path

SECTION = "public_paths"


@dataclass(slots=True)
class SizeResult:
    facts: int
    file_mb: float
    import_s: float
    first_answer_built_s: float
    first_answer_snapshot_s: float
    snapshot_mb: float
    cli_ms: list[float] = field(default_factory=list)
    index_ms: list[float] = field(default_factory=list)
    index_rss_mb: float = 0.0
    top_allocations: list[str] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def questions(count: int) -> list[str]:
    """Every shipped question set, in order, repeated up to `count`: real people's wording."""
    pool = [q.question for path in available_sets() for q in load_questions(path)]
    return [pool[i % len(pool)] for i in range(count)]


def environment(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    return env | {"DATABASE_PATH": str(database), "DISCORD_TOKEN": ""}


def bot(database: Path, *args: str, stdin: bytes | None = None) -> tuple[float, bytes]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        input=stdin,
        capture_output=True,
        env=environment(database),
        cwd=database.parent,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"bot.py {' '.join(args)} failed: {result.stderr.decode(errors='replace')}")
    return elapsed, result.stdout


def per_question(database: Path, asked: list[str]) -> list[float]:
    """Milliseconds from writing a question to reading its JSON line, in one `ask --json` process."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "ask", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environment(database),
        cwd=database.parent,
    )
    assert process.stdin is not None and process.stdout is not None
    timings = []
    try:
        for number, question in enumerate(["warm-up: what did WikiLeaks propose?", *asked]):
            started = time.perf_counter()
            process.stdin.write(question.encode() + b"\n")
            process.stdin.flush()
            if not process.stdout.readline():
                raise RuntimeError("ask --json stopped answering")
            if number:  # the first one waits for the start: not a per-question figure
                timings.append((time.perf_counter() - started) * 1000)
    finally:
        process.stdin.close()
        process.wait(timeout=600)
    return timings


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def index_figures(result: SizeResult, document: Path, asked: list[str], trace: bool) -> None:
    """RSS growth of an untraced build, search latency on it, then (if `trace`) where a second,
    traced build allocates: tracemalloc's own bookkeeping must not count as the index."""
    fact_base = load_fact_base(document)
    gc.collect()
    before = rss_mb()
    index = FactIndex(fact_base.facts, fact_base.synonyms)
    gc.collect()
    result.index_rss_mb = rss_mb() - before
    for question in asked[:20]:
        index.search(question)
    for question in asked:
        started = time.perf_counter()
        index.search(question, limit=7)
        result.index_ms.append((time.perf_counter() - started) * 1000)
    if not trace:
        return
    del index
    gc.collect()
    tracemalloc.start(1)
    traced_index = FactIndex(fact_base.facts, fact_base.synonyms)
    snapshot = tracemalloc.take_snapshot()  # while the index is alive: its allocations are live
    tracemalloc.stop()
    del traced_index
    total = sum(s.size for s in snapshot.statistics("filename"))
    result.top_allocations = [f"{total / 2**20:.0f} MB traced in all"] + [
        f"{s.size / 2**20:.1f} MB ({100 * s.size / total:.0f}%) {_where(s.traceback[0])}"
        for s in snapshot.statistics("lineno")[:8]
    ]


def _where(frame: tracemalloc.Frame) -> str:
    path = Path(frame.filename)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)
    return f"{shown}:{frame.lineno}"


def measure(size: int, asked: list[str], work: Path, trace: bool) -> SizeResult:
    seed = load_fact_base(SEED_PATH)
    fact_base = importable(with_distractors(seed, size - len(seed.facts)))
    document = work / f"facts-{size}.json"
    document.write_text(dump_fact_base(fact_base), encoding="utf-8")
    database = work / f"db-{size}" / "k.db"
    database.parent.mkdir()

    import_s, _ = bot(database, "import", str(document))
    snapshot_path(database).unlink(missing_ok=True)  # the first start builds the index ...
    built_s, _ = bot(database, "ask", "--json", stdin=b"what did WikiLeaks propose?\n")
    snapshot_s, _ = bot(
        database, "ask", "--json", stdin=b"what did WikiLeaks propose?\n"
    )  # ... the next loads it
    result = SizeResult(
        facts=len(fact_base.facts),
        file_mb=document.stat().st_size / 2**20,
        import_s=import_s,
        first_answer_built_s=built_s,
        first_answer_snapshot_s=snapshot_s,
        snapshot_mb=snapshot_path(database).stat().st_size / 2**20,
    )
    result.cli_ms = per_question(database, asked)
    index_figures(result, document, asked, trace)
    return result


def render(results: list[SizeResult], command: str) -> str:
    lines = [
        "## Through the public paths (`bot.py import`, `bot.py ask --json`)",
        "",
        machine().describe(command),
        "One run on a shared 2-core machine (other agents' test suites ran at the same time):",
        "read the medians and the ratios between sizes, not the exact milliseconds.",
        "Archive = the real seed plus real-word distractor facts (bench/distractors.py).",
        "",
        "| facts | file | `import` | first answer, index built | first answer, from snapshot | snapshot file "
        "| `ask --json` p50 / p99 | index only p50 / p99 | index RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.facts:,} | {r.file_mb:.1f} MB | {r.import_s:.1f} s | {r.first_answer_built_s:.2f} s "
            f"| {r.first_answer_snapshot_s:.2f} s | {r.snapshot_mb:.1f} MB "
            f"| {statistics.median(r.cli_ms):.2f} / {percentile(r.cli_ms, 0.99):.2f} ms "
            f"| {statistics.median(r.index_ms):.2f} / {percentile(r.index_ms, 0.99):.2f} ms "
            f"| {r.index_rss_mb:.0f} MB |"
        )
    traced = [r for r in results if r.top_allocations]
    for r in traced:
        lines += ["", f"Where the index's memory goes at {r.facts:,} facts (tracemalloc, top lines):", ""]
        lines += [f"* {entry}" for entry in r.top_allocations]
    lines += [
        "",
        "First answer = wall time of a new `bot.py ask --json` process answering one line: "
        "interpreter start, opening and checking the database, the index (built, or loaded and "
        "brought up to date), the answer. `import` = wall time of `bot.py import FILE` into a new "
        "database; it does not build the index (the next start does, and saves the snapshot).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="17,10000")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    arguments = parser.parse_args(argv)
    sizes = [int(s) for s in arguments.sizes.split(",")]
    asked = questions(arguments.questions)
    results = []
    traced = max(sizes)
    with tempfile.TemporaryDirectory(prefix="bench-public-") as work:
        for size in sizes:
            result = measure(size, asked, Path(work), trace=size == traced and size > 17)
            print(
                f"{result.facts} facts: import {result.import_s:.1f} s, first answer "
                f"{result.first_answer_built_s:.2f} s built / {result.first_answer_snapshot_s:.2f} s snapshot, "
                f"ask p50 {statistics.median(result.cli_ms):.2f} p99 {percentile(result.cli_ms, 0.99):.2f} ms, "
                f"index RSS {result.index_rss_mb:.0f} MB",
                flush=True,
            )
            results.append(result)
    command = "python -m bench.public_paths " + " ".join(argv if argv is not None else sys.argv[1:])
    write_section(arguments.out, SECTION, render(results, command.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
