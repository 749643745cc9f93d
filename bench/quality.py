"""Answer quality: this bot against rapidfuzz WRatio and BM25 on every question set.

Usage (from the repository root):

    bash scripts/bootstrap.sh requirements-bench.txt && .venv/bin/python -m bench.quality
    python -m bench.quality [--out docs/benchmarks.md] [--threshold 0.5] [--limit N]

It runs the same code as `python bot.py eval` (`knowledge.quality.evaluate_sets`) on every
set in knowledge/data/eval/, on the real seed, and shows each blind set's first touch (its
first run, recorded for good) beside the current figures. The bot answers at one fixed
threshold; each baseline gets the threshold that suits it best on the very set it is scored
on, and sees the same question variants the bot has, which flatters the baselines, not us.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.distractors import with_distractors
from bench.report import DEFAULT_OUT, ROOT, Machine, machine, write_section
from config.settings import Settings
from knowledge.answering import Answerer, AnswerPolicy
from knowledge.evaluation import EvaluationReport, markdown_table
from knowledge.first_touch import load as load_first_touches
from knowledge.quality import evaluate_sets, seed_answerer
from knowledge.question_sets import EVAL_DIR
from knowledge.schema import SEED_PATH, load_fact_base

COMMAND = "python -m bench.quality"
MISSES_SHOWN = 60


def misses(report: EvaluationReport) -> str:
    """The bot's wrong outcomes, folded away: what a matcher change should fix next."""
    lines = []
    for question, outcome in report.misses[:MISSES_SHOWN]:
        expected = ", ".join(sorted(question.expected_ids)) or " + ".join(
            "|".join(group) for group in question.expected_keywords
        )
        lines.append(
            f"- [{question.category}, {question.language}] {question.question} — "
            f"expected {expected or 'abstention'}, got {outcome.describe()}"
        )
    more = len(report.misses) - MISSES_SHOWN
    if more > 0:
        lines.append(f"- … and {more} more")
    return "\n".join(lines) or "- none"


def set_section(report: EvaluationReport) -> str:
    path = EVAL_DIR / f"{report.name}.json"
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    touched = load_first_touches().get(report.name)
    history = (
        f"First touch recorded {touched.recorded} at commit `{touched.commit}`; the first column is that run."
        if touched
        else "No first touch recorded: a labelled set, written knowing the fact base."
    )
    return f"""### {report.name}: `{shown}` ({len(report.questions)} questions)

{history}

{report.table()}

<details><summary>This bot's {len(report.misses)} wrong outcomes now</summary>

{misses(report)}

</details>"""


def growth_table(threshold: float, sizes: Sequence[int], limit: int | None) -> str:
    """Every set's headline figures on the seed alone and with unrelated real-word facts added."""
    seed = load_fact_base(SEED_PATH)
    rows = []
    for size in (0, *sizes):
        answerer = Answerer(with_distractors(seed, size), AnswerPolicy(threshold=threshold))
        for report in evaluate_sets(answerer, baselines=False, limit=limit):
            figures = report.ours.headline()
            rows.append(
                [f"{len(seed.facts)} + {size:,}", report.name]
                + [
                    f"{figures[k]:.1%}" if figures[k] is not None else ""
                    for k in ("in_scope", "near_topic", "off_topic")
                ]
            )
    header = [
        "facts (seed + unrelated)",
        "set",
        "in scope right",
        "near-topic abstained",
        "off-topic abstained",
    ]
    return markdown_table(header, rows)


def section(
    reports: Sequence[EvaluationReport], threshold: float, where: Machine, command: str, growth: str
) -> str:
    sets = "\n\n".join(set_section(r) for r in reports) or "_No question set found._"
    return f"""## Answer quality: this bot vs rapidfuzz WRatio vs BM25

{where.describe(command)}

Reproduce: `bash scripts/bootstrap.sh requirements-bench.txt && .venv/bin/python -m bench.quality`.
On the real seed. This bot answers at threshold {threshold:.2f} (`ANSWER_THRESHOLD`'s default);
each baseline is shown at the threshold that maximises its in-scope accuracy plus abstention
on that same set, over statements *and* the bot's question variants, and is handed the
question's language, all of which flatters the baselines. In scope, right means: answered in
the question's language, with an expected fact first (labelled sets) or every expected
keyword in the answer's paragraphs (blind sets; the Sources line does not count). Out of
scope (near-topic traps, off-topic), right means no answer.

{sets}

### As the fact base grows

The same sets, with thousands of unrelated facts added to the seed: word salads of real
English and French lemmas (`bench/distractors.py`), so an off-topic question finds real
words to match. Abstention does **not** hold yet: the story's names become rare in a big
archive and weigh more, and every off-topic word now appears in some fact.

{growth}
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
    parser.add_argument(
        "--distractors",
        default="1000,5000",
        help="comma-separated numbers of unrelated facts to add for the growth table (default: %(default)s)",
    )
    return parser


def command_line(args: argparse.Namespace) -> str:
    parts = [COMMAND]
    if args.threshold != Settings().answer_threshold:
        parts.append(f"--threshold {args.threshold}")
    if args.limit is not None:
        parts.append(f"--limit {args.limit}")
    if args.distractors != "1000,5000":
        parts.append(f"--distractors {args.distractors}")
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    reports = evaluate_sets(seed_answerer(args.threshold), limit=args.limit)
    for report in reports:
        print(f"{report.name} ({len(report.questions)} questions)")
        print(report.table(), end="\n\n")
    sizes = [int(n) for n in args.distractors.split(",") if n.strip()]
    growth = growth_table(args.threshold, sizes, args.limit)
    print(growth)
    write_section(
        args.out, "quality", section(reports, args.threshold, machine(), command_line(args), growth)
    )
    print(f"wrote the quality section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
