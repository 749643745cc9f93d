"""The one catalogue of what the bot says (knowledge/data/phrases.toml) and dates through Babel."""

from __future__ import annotations

import ast
import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from knowledge.dates import format_date, format_day, format_moment, month_names
from knowledge.phrases import CATALOGUE_PATH, Phrasebook, load_catalogue, phrases

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted([*ROOT.glob("handlers/*.py"), *ROOT.glob("knowledge/**/*.py"), ROOT / "bot.py"])
# Helpers that take a short key of one area: knowledge/store/errors.py gives both languages at once.
HELPERS = {"_both": "store"}
LOCALE = re.compile(r"^[a-z]{2}(?:_[A-Z]{2})?$")  # Babel locale ids are not text


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_phrase_has_both_languages_and_the_same_fields() -> None:
    assert len(phrases.entries) > 200
    for key, texts in phrases.entries.items():
        assert set(texts) == {"en", "fr"}, key
        assert fields(texts["en"]) == fields(texts["fr"]), key


def test_a_phrase_missing_a_language_is_refused_at_load(tmp_path: Path) -> None:
    broken = tmp_path / "phrases.toml"
    broken.write_text('[area]\nfine.en = "a"\nfine.fr = "b"\nhalf.en = "only English"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"area\.half"):
        load_catalogue(broken)
    assert load_catalogue(CATALOGUE_PATH).entries == phrases.entries


def test_areas_look_up_short_keys_and_fill_fields() -> None:
    curation = phrases.area("curation")
    assert curation("saved", "en", revision=3) == "Saved as revision 3."
    assert curation("saved", "fr", revision=3) == "Enregistré comme révision 3."
    assert "saved" in curation and "nonsense" not in curation


def _areas(tree: ast.Module) -> dict[str, str]:
    """Module-level `name = phrases.area("x")` assignments: name -> area."""
    found = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "area"
            and isinstance(node.value.args[0], ast.Constant)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = str(node.value.args[0].value)
    return found


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    trees = {_module_name(path): ast.parse(path.read_text(encoding="utf-8")) for path in CODE}
    defined = {module: _areas(tree) for module, tree in trees.items()}
    checked, missing = 0, []
    for module, tree in trees.items():
        accessors = {**HELPERS, **defined[module]}
        for node in ast.walk(tree):  # `from .shared import text as shared_text`
            if isinstance(node, ast.ImportFrom) and node.module:
                package = module.rsplit(".", 1)[0] if node.level else ""
                source = f"{package}.{node.module}" if node.level else node.module
                for alias in node.names:
                    if alias.name in defined.get(source, {}):
                        accessors[alias.asname or alias.name] = defined[source][alias.name]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            key = node.args[0].value
            if isinstance(node.func, ast.Name) and node.func.id in accessors:
                full = f"{accessors[node.func.id]}.{key}"
            elif isinstance(node.func, ast.Name) and node.func.id == "phrases":
                full = str(key)
            else:
                continue
            checked += 1
            if full not in phrases:
                missing.append(f"{module}: {full}")
    assert missing == []
    assert checked > 100  # the scan really sees the call sites


def test_no_module_keeps_a_bilingual_table_of_its_own() -> None:
    for path in CODE:
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if relative != "knowledge/phrases.py":
            assert "Phrasebook(" not in text, relative
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Dict) and {getattr(k, "value", None) for k in node.keys} == {"en", "fr"}:
                values = [getattr(v, "value", None) for v in node.values]
                prose = [v for v in values if isinstance(v, str) and v.strip("- ") and not LOCALE.match(v)]
                assert not prose, f"{relative}:{node.lineno} keeps its own English/French text"


def test_translator_names_and_descriptions_come_from_the_catalogue() -> None:
    from handlers.translator import NAMES, TEXTS

    assert NAMES["facts"] == "faits" and NAMES["detach"] == "detacher"
    assert TEXTS["English"] == "anglais"
    assert len(TEXTS) == sum(1 for key in phrases.entries if key.startswith("slash.texts["))


def test_phrasebook_refuses_a_phrase_without_both_languages() -> None:
    with pytest.raises(ValueError):
        Phrasebook({"x": {"en": "only"}})


# -- dates --------------------------------------------------------------------------------------


def test_fact_and_source_dates_in_both_languages_partial_dates_stay_partial() -> None:
    assert format_date("2017-11-13", "en") == "13 November 2017"
    assert format_date("2017-11-13", "fr") == "13 novembre 2017"
    assert format_date("2016-10", "en") == "October 2016"
    assert format_date("2016-10", "fr") == "octobre 2016"
    assert format_date("2017-08-01", "fr") == "1 août 2017"
    assert format_date("2017", "fr") == format_date("2017", "en") == "2017"
    assert format_date(None, "en") == format_date("", "fr") == ""


def test_days_and_moments_in_listings_and_histories() -> None:
    assert format_day(date(2026, 2, 3), "en") == "3 Feb 2026"
    assert format_day(date(2026, 2, 3), "fr") == "3 févr. 2026"
    moment = datetime(2024, 5, 1, 14, 3, 59, tzinfo=UTC)
    assert format_moment(moment, "en") == "1 May 2024, 14:03 UTC"
    assert format_moment(moment, "fr") == "1 mai 2024, 14:03 UTC"
    assert format_moment(moment.replace(tzinfo=None), "en") == "1 May 2024, 14:03 UTC"  # naive means UTC


def test_month_names_for_spotting_a_date_in_a_statement() -> None:
    assert month_names("en")[10] == "November" and month_names("fr")[7] == "août"
    assert len(month_names("fr")) == 12
