"""Writing benchmark results into docs/benchmarks.md, one marked section per benchmark.

Each benchmark owns the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` and
replaces only that, so one benchmark can be re-run without touching the others' figures
and a colleague can add a section without editing the scripts.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
SECTION_ORDER = ("matching", "quality", "e2e")

HEADER = """# Benchmarks

Measurements of the matcher and of answer quality. Each section is written by its own
script, which replaces only the text between its markers, so any one of them can be re-run
alone:

* `python -m bench.matching` — latency, build time, memory and edit cost from the real seed
  up to 100,000 synthetic facts;
* `python -m bench.quality` — answer quality against rapidfuzz WRatio and BM25.

Set-up: `bash scripts/bootstrap.sh requirements-bench.txt`, then run them with `.venv/bin/python`.
Figures come from one run on the machine named in each section; on a shared machine read
the medians and the ratios between sizes, not the exact microseconds.
"""

PLACEHOLDERS = {
    "e2e": """## End-to-end throughput

_Not measured yet._ Reserved for the end-to-end benchmark (questions per second through the
bot process against the local Discord twin); its script will replace this section.
""",
}


@dataclass(frozen=True, slots=True)
class Machine:
    """Where and when a benchmark ran: what a reader needs to judge the figures."""

    date: str
    cpus: int
    cpu_model: str
    python: str
    commit: str

    def describe(self, command: str) -> str:
        return (
            f"Run on {self.date} with `{command}` — {self.cpus} CPUs ({self.cpu_model}), "
            f"Python {self.python}, commit {self.commit}."
        )


def machine() -> Machine:
    return Machine(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cpus=os.cpu_count() or 1,
        cpu_model=_cpu_model(),
        python=platform.python_version(),
        commit=_commit(),
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _commit() -> str:
    """The checked-out commit, marked `+changes` when the work tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit or "unknown") + (" (+uncommitted changes)" if dirty else "")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def _section(name: str, body: str) -> str:
    start, end = markers(name)
    return f"{start}\n{body.strip()}\n{end}"


def new_document() -> str:
    """The file as it starts: the header and an empty slot for every known benchmark."""
    slots = [
        _section(name, PLACEHOLDERS.get(name, f"_`bench.{name}` has not been run yet._"))
        for name in SECTION_ORDER
    ]
    return HEADER + "\n" + "\n\n".join(slots) + "\n"


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or add) the section `name` of the document at `path`, leaving the rest as it was."""
    text = path.read_text(encoding="utf-8") if path.exists() else new_document()
    start, end = markers(name)
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    found = pattern.findall(text)
    if len(found) > 1:
        raise ValueError(f"{path} has {len(found)} sections named {name!r}; expected one")
    section = _section(name, body)
    text = pattern.sub(lambda _: section, text) if found else text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def read_section(path: Path, name: str) -> str | None:
    """The body of a section, or None when the document has no such section."""
    start, end = markers(name)
    match = re.search(
        re.escape(start) + r"\n(.*?)\n" + re.escape(end), path.read_text(encoding="utf-8"), re.DOTALL
    )
    return match.group(1) if match else None
