"""Answer quality: this bot against rapidfuzz WRatio and BM25 on the labelled questions.

Usage (from the repository root):

    bash scripts/bootstrap.sh requirements-bench.txt && .venv/bin/python -m bench.quality
    python -m bench.quality [--out docs/benchmarks.md] [--threshold 0.5] [--limit N]

It runs `knowledge.evaluation.evaluate` (the same code as `python bot.py eval`) on
tests/data/eval_questions.json and, when it exists, tests/data/holdout_questions.json, on
the real seed. The bot answers at one fixed threshold (the shipped default unless
`--threshold` says otherwise); each baseline gets the threshold that suits it best on the
very set it is scored on, which flatters the baselines, not us. A question is right when
the top fact is one of its expected facts, or, out of scope, when the system abstains.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.report import DEFAULT_OUT, ROOT, Machine, machine, write_section
from config.settings import Settings
from knowledge.evaluation import EVAL_PATH, EvaluationReport, evaluate, load_questions
from knowledge.models import Language
from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.service import Answerer, AnswerPolicy

COMMAND = "python -m bench.quality"
QUESTION_SETS = (
    ("labelled set", EVAL_PATH),
    ("held-out set", EVAL_PATH.with_name("holdout_questions.json")),
)
MISSES_SHOWN = 40


@dataclass(frozen=True, slots=True)
class SetResult:
    """The evaluation of one question file."""

    name: str
    path: Path
    report: EvaluationReport


def evaluate_file(answerer: Answerer, name: str, path: Path, limit: int | None) -> SetResult:
    questions = load_questions(path)[:limit]

    def top_fact(question: str, language: Language) -> str | None:
        answer = answerer.answer(question)
        return answer.facts[0].fact.id if answer.answered else None

    facts = answerer.facts()
    return SetResult(name, path, evaluate(top_fact, answerer.policy.threshold, facts, questions))


def run(threshold: float, limit: int | None) -> list[SetResult]:
    """Every question set that exists, evaluated on the real seed."""
    answerer = Answerer(load_fact_base(SEED_PATH), AnswerPolicy(threshold=threshold))
    return [evaluate_file(answerer, name, path, limit) for name, path in QUESTION_SETS if path.is_file()]


def misses(report: EvaluationReport) -> str:
    """The bot's wrong answers, folded away: what a matcher change should fix next."""
    lines = [
        f"- [{q.category}] {q.question} — expected {', '.join(sorted(q.expected)) or 'abstention'}, got {got or 'abstention'}"
        for q, got in report.misses[:MISSES_SHOWN]
    ]
    more = len(report.misses) - MISSES_SHOWN
    if more > 0:
        lines.append(f"- … and {more} more")
    return "\n".join(lines) or "- none"


def set_section(result: SetResult) -> str:
    report = result.report
    path = result.path.relative_to(ROOT) if result.path.is_relative_to(ROOT) else result.path
    return f"""### {result.name}: `{path}` ({report.questions} questions)

{report.table()}

<details><summary>This bot's {len(report.misses)} wrong outcomes</summary>

{misses(report)}

</details>"""


def section(results: Sequence[SetResult], threshold: float, where: Machine, command: str) -> str:
    sets = "\n\n".join(set_section(r) for r in results) or "_No question set found._"
    return f"""## Answer quality: this bot vs rapidfuzz WRatio vs BM25

{where.describe(command)}

Reproduce: `bash scripts/bootstrap.sh requirements-bench.txt && .venv/bin/python -m bench.quality`.
On the real seed. This bot answers at threshold {threshold:.2f} (`ANSWER_THRESHOLD`'s default);
each baseline is shown at the threshold that maximises its in-scope accuracy plus abstention
on that same set, which flatters the baselines. Right means: the top fact is an expected one
(in scope), or no answer (out of scope and near-topic traps). The labelled set is the one the
matcher was developed against; the held-out set, when present, is the fairer figure.

{sets}
"""


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="markdown file whose quality section is replaced"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=Settings().answer_threshold,
        help="this bot's answer threshold (default: %(default)s)",
    )
    parser.add_argument("--limit", type=int, help="only the first N questions of each set (for smoke tests)")
    return parser


def command_line(args: argparse.Namespace) -> str:
    parts = [COMMAND]
    if args.threshold != Settings().answer_threshold:
        parts.append(f"--threshold {args.threshold}")
    if args.limit is not None:
        parts.append(f"--limit {args.limit}")
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    results = run(args.threshold, args.limit)
    for result in results:
        print(f"{result.name} ({result.report.questions} questions, {result.path.name})")
        print(result.report.table(), end="\n\n")
    write_section(args.out, "quality", section(results, args.threshold, machine(), command_line(args)))
    print(f"wrote the quality section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
