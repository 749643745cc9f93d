"""The benchmark scripts still run and write well-formed sections (tiny sizes, no timing asserted).

They are not timed tests: the figures depend on the machine. What can break silently is
the plumbing — a worker that no longer starts, a section that loses its markers, a plot
that suddenly needs matplotlib in CI — and that is what these check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench import matching, quality
from bench.report import markers, read_section, write_section
from bench.synthetic import synthetic_corpus, synthetic_questions
from knowledge.schema import parse_fact_base


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI installs only requirements-dev.txt: the benchmarks must cope without matplotlib."""
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_matching_runs_on_tiny_sizes_and_writes_its_section(
    tmp_path: Path, no_matplotlib: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "benchmarks.md"
    raw = tmp_path / "results.json"

    assert (
        matching.main(["--sizes", "15,200", "--questions", "12", "--out", str(out), "--json", str(raw)]) == 0
    )

    assert "plot skipped: matplotlib is not installed" in capsys.readouterr().out
    assert not (tmp_path / matching.PLOT_NAME).exists()
    body = read_section(out, "matching")
    assert body is not None
    assert "### Targets" in body and "### Latency" in body and "### Build, memory and edits" in body
    assert "17 (real seed)" in body and "200 (synthetic)" in body
    assert "python -m bench.matching --sizes 15,200 --questions 12" in body
    assert "No plot: matplotlib is not installed" in body
    results = [matching.SizeResult.from_dict(r) for r in json.loads(raw.read_text())]
    assert [r.facts for r in results] == [17, 200]
    assert all(r.answer.count == 12 and r.edit.count == matching.EDITS for r in results)


def test_quality_writes_its_section_beside_the_others(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    write_section(out, "matching", "matching figures")

    assert quality.main(["--out", str(out), "--limit", "20", "--distractors", "30"]) == 0

    text = out.read_text()
    for name in ("matching", "quality", "e2e"):
        start, end = markers(name)
        assert text.count(start) == 1 and text.count(end) == 1
    assert read_section(out, "matching") == "matching figures"
    body = read_section(out, "quality")
    assert (
        body is not None
        and "labelled.json` (20 questions)" in body
        and "blind-c.json` (20 questions)" in body
    )
    assert "WRatio" in body and "BM25" in body and "this bot" in body
    assert "17 + 30" in body and "As the fact base grows" in body


def test_rewriting_a_section_replaces_only_that_section(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    write_section(out, "quality", "first")
    write_section(out, "matching", "other")
    write_section(out, "quality", "second")

    assert read_section(out, "quality") == "second"
    assert read_section(out, "matching") == "other"
    assert read_section(out, "e2e") is not None


def test_the_synthetic_archive_is_deterministic_and_shaped_like_the_seed() -> None:
    corpus = synthetic_corpus(60)
    again = synthetic_corpus(60)

    assert corpus.fact_base == again.fact_base
    synthetic_questions(again, 20, "another set first")
    assert synthetic_questions(corpus, 20, "x") == synthetic_questions(again, 20, "x")
    parsed = parse_fact_base(json.loads(json.dumps(corpus.fact_base.to_dict())))
    assert len(parsed.facts) == 60
    for fact in parsed.facts:
        assert 5 <= len(fact.questions.en) <= 8 and 5 <= len(fact.questions.fr) <= 8
        assert 3 <= len(fact.tags) <= 5
        assert fact.statement.en and fact.statement.fr and fact.source_ids
