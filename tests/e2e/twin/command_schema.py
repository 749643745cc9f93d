"""Validation of application command payloads the way Discord rejects them.

A bot whose command sync Discord would refuse (upper-case names, long
descriptions, optional-before-required options, too many choices) must fail
in tests, not at deploy time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

NAME_RE = re.compile(r"^[-_\w]{1,32}$", re.UNICODE)
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_COMMANDS = 100


def _check_options(path: str, options: Sequence[Mapping[str, Any]], problems: list[str]) -> None:
    if len(options) > MAX_OPTIONS:
        problems.append(f"{path}: {len(options)} options (max {MAX_OPTIONS})")
    seen: set[str] = set()
    optional_seen = False
    for index, opt in enumerate(options):
        where = f"{path}.options[{index}]"
        name = opt.get("name", "")
        if not NAME_RE.match(name) or name != name.lower():
            problems.append(f"{where}.name {name!r} must be 1-32 lower-case word characters")
        if name in seen:
            problems.append(f"{where}.name {name!r} is duplicated")
        seen.add(name)
        desc = opt.get("description", "")
        if not 1 <= len(desc) <= 100:
            problems.append(f"{where}.description must be 1-100 characters (has {len(desc)})")
        kind = opt.get("type")
        if kind in (1, 2):
            _check_options(f"{where}", opt.get("options") or [], problems)
            continue
        if opt.get("required"):
            if optional_seen:
                problems.append(f"{where}: required options must be placed before non-required options")
        else:
            optional_seen = True
        choices = opt.get("choices") or []
        if len(choices) > MAX_CHOICES:
            problems.append(f"{where}: {len(choices)} choices (max {MAX_CHOICES})")
        if choices and opt.get("autocomplete"):
            problems.append(f"{where}: autocomplete cannot be combined with choices")


def command_problems(commands: Sequence[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(commands) > MAX_COMMANDS:
        problems.append(f"{len(commands)} commands (max {MAX_COMMANDS})")
    seen: set[tuple[str, int]] = set()
    for index, cmd in enumerate(commands):
        where = f"commands[{index}]"
        name = cmd.get("name", "")
        kind = int(cmd.get("type", 1))
        key = (name, kind)
        if key in seen:
            problems.append(f"{where}: duplicate command {name!r}")
        seen.add(key)
        if kind == 1:
            if not NAME_RE.match(name) or name != name.lower():
                problems.append(f"{where}.name {name!r} must be 1-32 lower-case word characters")
            desc = cmd.get("description", "")
            if not 1 <= len(desc) <= 100:
                problems.append(f"{where}.description must be 1-100 characters (has {len(desc)})")
            _check_options(where, cmd.get("options") or [], problems)
        elif not 1 <= len(name) <= 32:
            problems.append(f"{where}.name must be 1-32 characters")
    return problems
