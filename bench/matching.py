"""Matcher latency, build time, memory and edit cost, from the real seed to 100,000 facts.

Usage (from the repository root):

    bash scripts/bootstrap.sh requirements-bench.txt && .venv/bin/python -m bench.matching
    python -m bench.matching [--sizes 15,1000,10000,100000] [--questions 500] [--out docs/benchmarks.md]
                             [--no-plot] [--json results.json] [--profile]

A size no larger than the real seed (17 facts) means the real seed itself, asked the real
questions (knowledge/data/eval/*.json); larger sizes are deterministic synthetic
archives (bench/synthetic.py) asked a fixed mix of generated questions: 30 % English, 20 %
French, 25 % with a typo, 25 % out of scope. For each size, in a fresh subprocess so that
memory figures start clean:

* build — constructing the `Answerer`, i.e. the `FactIndex` over every fact;
* RSS — resident memory added by the fact base, then by the index (from /proc/self/status);
* search / answer latency — `FactIndex.search`, and the full `Answerer.answer` path (language
  detection, matching, the threshold decision, composing the reply). Each uses its own set of
  questions, each question asked once: the matcher caches typo repairs per word, and a
  benchmark that repeated its questions would measure that cache instead of the matcher;
* edit — one moderator edit (`FactIndex.upsert` of a changed fact), median of several, and
  the first question answered after it (an edit empties the typo cache);
* sanity — how often in-scope questions found their fact and out-of-scope ones abstained,
  to show the synthetic questions exercise real matching (not a quality measure).

Figures are from one run; the machine is shared, so compare medians and ratios.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from bench.report import DEFAULT_OUT, ROOT, Machine, machine, write_section
from bench.synthetic import BenchQuestion, labelled_questions, synthetic_corpus, synthetic_questions
from config.settings import Settings
from knowledge.evaluation import markdown_table
from knowledge.matcher import FactIndex
from knowledge.models import Bilingual, Fact, FactBase
from knowledge.question_sets import available_sets
from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.service import Answerer, AnswerPolicy
from knowledge.text import content_tokens

DEFAULT_SIZES = (15, 1_000, 10_000, 100_000)
DEFAULT_QUESTIONS = 500
EDITS = 15
SEARCH_LIMIT = 5  # what Answerer.answer asks the index for with the default policy
KINDS = ("english", "french", "typo", "out_of_scope")
RESULT_PREFIX = "RESULT "
PLOT_NAME = "matching_latency.png"
PROFILE_DIR = ROOT / "bench" / "out"
PROFILE_BUILD_FACTS = 10_000
COMMAND = "python -m bench.matching"

SEED_P99_MS = 2.0
LARGE_P99_MS = 20.0
LARGE_SIZE = 100_000
BUILD_S = 10.0
EDIT_MS = 50.0
GROWTH_FACTOR_LIMIT = 5.0  # "clearly sub-linear": at most half of the 10x a linear scan would cost


# Results -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Latency:
    """Percentiles of one set of timed calls, in milliseconds."""

    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples_ns: Sequence[int]) -> Latency:
        ms = sorted(s / 1e6 for s in samples_ns)
        if not ms:
            return cls(0, math.nan, math.nan, math.nan)
        p99 = statistics.quantiles(ms, n=100, method="inclusive")[98] if len(ms) > 1 else ms[0]
        return cls(len(ms), statistics.median(ms), p99, ms[-1])


@dataclass(frozen=True, slots=True)
class SizeResult:
    """Everything measured at one size; one subprocess produces one of these."""

    requested: int
    facts: int
    origin: str
    known_words: int | None
    build_s: float
    facts_rss_mb: float
    index_rss_mb: float
    peak_rss_mb: float
    search: Latency
    answer: Latency
    by_kind: dict[str, Latency]
    edit: Latency
    after_edit: Latency
    in_scope_found: float
    out_of_scope_abstained: float

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SizeResult:
        latencies = {k: Latency(**raw[k]) for k in ("search", "answer", "edit", "after_edit")}
        by_kind = {k: Latency(**v) for k, v in raw["by_kind"].items()}
        return cls(**{**raw, **latencies, "by_kind": by_kind})


@dataclass(frozen=True, slots=True)
class TargetCheck:
    target: str
    measured: str
    met: bool | None  # None: the run did not include the size the target is about
    note: str = ""


# Measuring one size (runs in the worker subprocess) ----------------------------------


@dataclass(slots=True)
class Workload:
    """A fact base and the question sets asked of it; each set is asked once."""

    fact_base: FactBase
    origin: str
    search: list[BenchQuestion] = field(default_factory=list)
    answer: list[BenchQuestion] = field(default_factory=list)
    after_edit: list[BenchQuestion] = field(default_factory=list)
    profile: list[BenchQuestion] = field(default_factory=list)


def rss_mb() -> float:
    """Current resident memory; falls back to the peak where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def settled_rss_mb() -> float:
    gc.collect()
    return rss_mb()


def workload(size: int, questions: int) -> Workload:
    """The real seed and its labelled questions, or a synthetic archive and generated ones."""
    seed = load_fact_base(SEED_PATH)
    if size <= len(seed.facts):
        labelled = labelled_questions(available_sets())
        rng = random.Random("story-bot seed questions")
        rng.shuffle(labelled)
        half = labelled[0::2][:questions], labelled[1::2][:questions]
        return Workload(seed, "real seed", half[0], half[1], labelled[:EDITS], labelled[-questions:])
    corpus = synthetic_corpus(size)
    asked = {name: synthetic_questions(corpus, questions, name) for name in ("search", "answer", "profile")}
    after_edit = synthetic_questions(corpus, EDITS, "after edit")
    return Workload(
        corpus.fact_base, "synthetic", asked["search"], asked["answer"], after_edit, asked["profile"]
    )


def timed(call: Callable[[], object]) -> tuple[int, object]:
    start = time.perf_counter_ns()
    result = call()
    return time.perf_counter_ns() - start, result


def edited(fact: Fact, number: int) -> Fact:
    """A moderator's edit: alternately a new question variant and a reworded statement."""
    words = content_tokens(fact.statement.en)[-4:]
    if number % 2 == 0:
        return replace(fact, questions=fact.questions.with_added("en", f"what about {' '.join(words)} then?"))
    statement = Bilingual(f"{fact.statement.en} (Corrected on review.)", fact.statement.fr)
    return replace(fact, statement=statement)


def measure_edits(answerer: Answerer, questions: list[BenchQuestion]) -> tuple[Latency, Latency]:
    """Median upsert time over EDITS facts spread over the base, and the question right after."""
    facts = answerer.facts()
    edits, after = [], []
    for number in range(EDITS):
        fact = facts[(number * 7919) % len(facts)]
        elapsed, _ = timed(lambda fact=fact, number=number: answerer.index.upsert(edited(fact, number)))
        edits.append(elapsed)
        question = questions[number % len(questions)]
        after.append(timed(lambda question=question: answerer.answer(question.text))[0])
    return Latency.of(edits), Latency.of(after)


def measure_answers(
    answerer: Answerer, questions: list[BenchQuestion]
) -> tuple[Latency, dict[str, Latency], float, float]:
    """The full answer path per question, by kind, with the sanity shares."""
    samples: dict[str, list[int]] = {kind: [] for kind in KINDS}
    found, in_scope, abstained, out_of_scope = 0, 0, 0, 0
    for question in questions:
        elapsed, answer = timed(lambda question=question: answerer.answer(question.text))
        samples.setdefault(question.kind, []).append(elapsed)
        top = answer.facts[0].fact.id if answer.facts else None
        if question.expected:
            in_scope += 1
            found += top in question.expected
        else:
            out_of_scope += 1
            abstained += top is None
    every = [s for kind_samples in samples.values() for s in kind_samples]
    by_kind = {kind: Latency.of(s) for kind, s in samples.items() if s}
    return Latency.of(every), by_kind, found / max(in_scope, 1), abstained / max(out_of_scope, 1)


def warm_up(answerer: Answerer) -> None:
    """First calls pay for imports and regex compilation; no benchmark question is used."""
    for text in ("what is this about?", "qu'est-ce que c'est ?", "zzyzx quorple?"):
        answerer.answer(text)


def measure(size: int, questions: int, profile: bool) -> SizeResult:
    before = settled_rss_mb()
    work = workload(size, questions)
    with_facts = settled_rss_mb()
    build_ns, answerer = timed(
        lambda: Answerer(work.fact_base, AnswerPolicy(threshold=Settings().answer_threshold))
    )
    with_index = settled_rss_mb()
    warm_up(answerer)
    search = Latency.of(
        [timed(lambda q=q: answerer.index.search(q.text, SEARCH_LIMIT))[0] for q in work.search]
    )
    answer, by_kind, found, abstained = measure_answers(answerer, work.answer)
    edit, after_edit = measure_edits(answerer, work.after_edit)
    if profile:
        write_profile(answerer, work.fact_base, work.profile)
    return SizeResult(
        requested=size,
        facts=len(answerer.facts()),
        origin=work.origin,
        known_words=len(getattr(answerer.index, "_words", ())) or None,
        build_s=build_ns / 1e9,
        facts_rss_mb=with_facts - before,
        index_rss_mb=with_index - with_facts,
        peak_rss_mb=peak_rss_mb(),
        search=search,
        answer=answer,
        by_kind=by_kind,
        edit=edit,
        after_edit=after_edit,
        in_scope_found=found,
        out_of_scope_abstained=abstained,
    )


def write_profile(answerer: Answerer, fact_base: FactBase, questions: list[BenchQuestion]) -> None:
    """cProfile of one answer pass on fresh questions and of an index build, for whoever tunes the matcher.

    The build is profiled on at most PROFILE_BUILD_FACTS facts: it is linear in the number of
    facts, and profiling the largest build would double the run for the same picture.
    """
    facts = len(answerer.facts())
    asking = profiled(lambda: [answerer.answer(question.text) for question in questions])
    subset = fact_base.facts[:PROFILE_BUILD_FACTS]
    building = profiled(lambda: FactIndex(subset, fact_base.synonyms))
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    path = PROFILE_DIR / f"profile-{facts}.txt"
    path.write_text(
        f"# {len(questions)} answers at {facts:,} facts\n{asking}\n"
        f"# building an index of {len(subset):,} of those facts\n{building}",
        encoding="utf-8",
    )
    print(f"  profile written to {path}", file=sys.stderr)


def profiled(call: Callable[[], object]) -> str:
    """The top of a cProfile report of one call, by cumulative and by own time."""
    profiler = cProfile.Profile()
    profiler.runcall(call)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    return text.getvalue()


def run_worker(size: int, questions: int, profile: bool) -> None:
    result = measure(size, questions, profile)
    print(RESULT_PREFIX + json.dumps(asdict(result)), flush=True)


# Driving the sizes (the parent process) ---------------------------------------------


def run_size(size: int, questions: int, profile: bool) -> SizeResult:
    """One size in a fresh interpreter; a fixed hash seed keeps set orders, and so results, repeatable."""
    command = [sys.executable, "-m", "bench.matching", "--worker", str(size), "--questions", str(questions)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    completed = subprocess.run(
        [*command, *(["--profile"] if profile else [])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"the benchmark at {size} facts failed (exit {completed.returncode})")
    return SizeResult.from_dict(json.loads(lines[-1][len(RESULT_PREFIX) :]))


def check_targets(results: Sequence[SizeResult]) -> list[TargetCheck]:
    """Each target against the size it is about; `met` is None when that size was not run."""
    seed = next((r for r in results if r.origin == "real seed"), None)
    large = next((r for r in results if r.facts == LARGE_SIZE), None)
    checks = [
        _below("answer p99 at the real seed", seed.answer.p99_ms if seed else None, SEED_P99_MS, "ms"),
        _below(
            f"answer p99 at {LARGE_SIZE:,} facts", large.answer.p99_ms if large else None, LARGE_P99_MS, "ms"
        ),
    ]
    slowest_build = max(results, key=lambda r: r.build_s)
    checks.append(
        _below(f"build, slowest ({slowest_build.facts:,} facts)", slowest_build.build_s, BUILD_S, "s")
    )
    slowest_edit = max(results, key=lambda r: r.edit.p50_ms)
    edit_label = f"edit median, slowest ({slowest_edit.facts:,} facts)"
    checks.append(_below(edit_label, slowest_edit.edit.p50_ms, EDIT_MS, "ms"))
    checks.append(growth_check(results))
    return checks


def _below(target: str, value: float | None, limit: float, unit: str) -> TargetCheck:
    label = f"{target} < {limit:g} {unit}"
    if value is None:
        return TargetCheck(label, "not run", None)
    if value < limit:
        return TargetCheck(label, f"{value:.3g} {unit}", True, f"{limit / value:.1f}× headroom")
    return TargetCheck(
        label,
        f"{value:.3g} {unit}",
        False,
        f"missed by {value - limit:.3g} {unit} ({value / limit:.1f}× the target)",
    )


def growth_check(results: Sequence[SizeResult]) -> TargetCheck:
    """Latency growth from 10,000 to 100,000 facts, against the 10× a linear scan would show."""
    by_facts = {r.facts: r for r in results}
    label = f"growth 10,000 → 100,000 facts: p50 and p99 ratios < {GROWTH_FACTOR_LIMIT:g} (size ratio 10)"
    if 10_000 not in by_facts or LARGE_SIZE not in by_facts:
        return TargetCheck(label, "not run", None)
    low, high = by_facts[10_000], by_facts[LARGE_SIZE]
    p50, p99 = high.answer.p50_ms / low.answer.p50_ms, high.answer.p99_ms / low.answer.p99_ms
    note = f"log-log slope ≤ {math.log10(max(p50, p99)):.2f} (linear = 1)"
    if low.known_words and high.known_words:
        note += f"; known words ×{high.known_words / low.known_words:.1f}"
    return TargetCheck(label, f"p50 ×{p50:.2f}, p99 ×{p99:.2f}", max(p50, p99) < GROWTH_FACTOR_LIMIT, note)


# Reporting ------------------------------------------------------------------------


def _ms(value: float) -> str:
    """Milliseconds with about three significant digits."""
    if math.isnan(value):
        return "—"
    if value < 1:
        return f"{value:.3f}"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _size_label(result: SizeResult) -> str:
    return f"{result.facts:,} ({result.origin})"


def cost_table(results: Sequence[SizeResult]) -> str:
    header = [
        "facts",
        "known words",
        "build (s)",
        "facts RSS (MB)",
        "index RSS (MB)",
        "peak RSS (MB)",
        "edit p50 / max (ms)",
        "question after edit p50 (ms)",
    ]
    rows = [
        [
            _size_label(r),
            f"{r.known_words:,}" if r.known_words else "n/a",
            f"{r.build_s:.3f}" if r.build_s < 1 else f"{r.build_s:.1f}",
            f"{r.facts_rss_mb:.1f}",
            f"{r.index_rss_mb:.1f}",
            f"{r.peak_rss_mb:.0f}",
            f"{_ms(r.edit.p50_ms)} / {_ms(r.edit.max_ms)}",
            _ms(r.after_edit.p50_ms),
        ]
        for r in results
    ]
    return markdown_table(header, rows)


def latency_table(results: Sequence[SizeResult]) -> str:
    header = [
        "facts",
        "questions",
        "search p50",
        "search p99",
        "answer p50",
        "answer p99",
        "answer max",
        *[f"{kind} p50 / p99" for kind in KINDS],
        "in-scope found",
        "out-of-scope abstained",
    ]
    rows = []
    for r in results:
        kinds = [
            f"{_ms(r.by_kind[k].p50_ms)} / {_ms(r.by_kind[k].p99_ms)}" if k in r.by_kind else "—"
            for k in KINDS
        ]
        rows.append(
            [
                _size_label(r),
                f"{r.search.count} + {r.answer.count}",
                _ms(r.search.p50_ms),
                _ms(r.search.p99_ms),
                _ms(r.answer.p50_ms),
                _ms(r.answer.p99_ms),
                _ms(r.answer.max_ms),
                *kinds,
                f"{r.in_scope_found:.0%}",
                f"{r.out_of_scope_abstained:.0%}",
            ]
        )
    return markdown_table(header, rows)


def targets_table(checks: Sequence[TargetCheck]) -> str:
    status = {True: "met", False: "**missed**", None: "not run"}
    rows = [[c.target, c.measured, status[c.met], c.note] for c in checks]
    return markdown_table(["target", "measured", "status", "margin"], rows)


def section(
    results: Sequence[SizeResult],
    checks: Sequence[TargetCheck],
    where: Machine,
    command: str,
    plot: PlotOutcome,
) -> str:
    plot_line = (
        f"![Answer latency and build time against the number of facts]({plot.path.name})"
        if plot.drawn
        else f"_No plot: {plot.reason}._"
    )
    return f"""## Matching: latency, build time, memory, edits

{where.describe(command)} Latencies in milliseconds; one run on a shared machine, so compare
medians and ratios rather than exact figures.

Reproduce: `bash scripts/bootstrap.sh requirements-bench.txt && .venv/bin/python -m bench.matching`
(options: `--sizes`, `--questions`, `--profile`; see the docstring of `bench/matching.py`).
The smallest size is the real seed asked the real labelled questions; the larger ones are
deterministic synthetic archives (`bench/synthetic.py`: vocabulary growing as n^0.65, Zipf
word frequencies, 5–8 variants per language) asked 30 % English, 20 % French, 25 % typo'd
and 25 % out-of-scope questions, each question once. "search" is `FactIndex.search` alone,
"answer" the whole `Answerer.answer` path on another set of questions of the same mix.

### Targets

{targets_table(checks)}

### Latency

{latency_table(results)}

"In-scope found" and "out-of-scope abstained" only show that the questions exercise real
matching; answer quality is measured on real questions in the quality section.

### Build, memory and edits

{cost_table(results)}

RSS is resident memory measured in a fresh process per size: what the fact base itself
adds, then what building the index adds. An edit is one `FactIndex.upsert` of a changed
fact (a new question variant or a reworded statement), median of {EDITS}; the question after
it pays for the typo cache the edit empties.

{plot_line}
"""


def plot(results: Sequence[SizeResult], path: Path) -> bool:
    """Latency and build time against facts, log-log; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    facts = [r.facts for r in results]
    figure, (latency, build) = plt.subplots(1, 2, figsize=(11, 4.2))
    latency.plot(facts, [r.answer.p50_ms for r in results], "o-", label="answer p50")
    latency.plot(facts, [r.answer.p99_ms for r in results], "s-", label="answer p99")
    latency.plot(facts, [r.search.p99_ms for r in results], "^--", label="search p99", alpha=0.7)
    seed = [r.facts for r in results if r.origin == "real seed"]
    targets = [(seed[0], SEED_P99_MS)] if seed else []
    targets.append((LARGE_SIZE, LARGE_P99_MS))
    latency.plot(*zip(*targets, strict=True), "rx", markersize=10, label="p99 targets")
    latency.set(xscale="log", yscale="log", xlabel="facts", ylabel="milliseconds", title="Answer latency")
    build.plot(facts, [r.build_s for r in results], "o-", label="index build (s)")
    build.plot(facts, [r.edit.p50_ms / 1000 for r in results], "s-", label="one edit, median (s)")
    build.axhline(BUILD_S, color="r", linestyle=":", label=f"build target {BUILD_S:g} s")
    build.axhline(EDIT_MS / 1000, color="m", linestyle=":", label=f"edit target {EDIT_MS:g} ms")
    build.set(xscale="log", yscale="log", xlabel="facts", ylabel="seconds", title="Build and edit time")
    for axes in (latency, build):
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


@dataclass(frozen=True, slots=True)
class PlotOutcome:
    path: Path
    drawn: bool
    reason: str = ""


def draw(results: Sequence[SizeResult], path: Path, skip: bool) -> PlotOutcome:
    if skip:
        return PlotOutcome(path, False, "skipped with --no-plot")
    if not plot(results, path):
        return PlotOutcome(path, False, "matplotlib is not installed (pip install -r requirements-bench.txt)")
    return PlotOutcome(path, True)


def print_summary(results: Sequence[SizeResult], checks: Sequence[TargetCheck]) -> None:
    print()
    print(latency_table(results))
    print()
    print(cost_table(results))
    print()
    print(targets_table(checks))


# Command line ---------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers, like 15,1000,10000")
    return sizes


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="fact-base sizes, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--questions",
        type=int,
        default=DEFAULT_QUESTIONS,
        help="questions per timed pass (default: %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="markdown file whose matching section is replaced"
    )
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG (it goes next to --out)")
    parser.add_argument("--json", type=Path, help="also write the raw results to this file")
    parser.add_argument("--profile", action="store_true", help="write a cProfile of each size to bench/out/")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    return parser


def command_line(args: argparse.Namespace) -> str:
    """The command as a reader would type it to get the same run."""
    parts = [COMMAND]
    if args.sizes != list(DEFAULT_SIZES):
        parts.append("--sizes " + ",".join(map(str, args.sizes)))
    if args.questions != DEFAULT_QUESTIONS:
        parts.append(f"--questions {args.questions}")
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.worker is not None:
        run_worker(args.worker, args.questions, args.profile)
        return 0
    results = []
    for size in args.sizes:
        print(f"benchmarking {size:,} facts…", file=sys.stderr, flush=True)
        results.append(run_size(size, args.questions, args.profile))
    checks = check_targets(results)
    drawn = draw(results, args.out.parent / PLOT_NAME, args.no_plot)
    print(f"plot written to {drawn.path}" if drawn.drawn else f"plot skipped: {drawn.reason}")
    write_section(args.out, "matching", section(results, checks, machine(), command_line(args), drawn))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    print_summary(results, checks)
    print(f"\nwrote the matching section of {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
