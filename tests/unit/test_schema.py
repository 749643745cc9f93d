"""Fact-base documents: every problem named with its file, fact id and field."""

import json
from pathlib import Path

import pytest

from knowledge.schema import SEED_PATH, FactBaseError, dump_fact_base, load_fact_base, parse_fact_base


def seed_document() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


def test_the_seed_is_valid_and_dumps_back_to_the_same_text() -> None:
    assert dump_fact_base(load_fact_base(SEED_PATH)) == SEED_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2017-02-30", "real day of the calendar"),
        ("date", "13/11/2017", "YYYY"),
        ("id", "Not A Slug", "slug"),
        ("source_ids", ["nowhere"], "'nowhere' is not a known source id"),
        ("status", "deleted", "'active' or 'retired'"),
    ],
)
def test_a_bad_fact_is_reported_with_file_fact_and_field(field: str, value, message: str) -> None:
    document = seed_document()
    fact_id = document["facts"][0]["id"]
    document["facts"][0][field] = value
    with pytest.raises(FactBaseError) as caught:
        parse_fact_base(document, "upload.json")
    text = str(caught.value)
    assert "upload.json" in text and f"field '{field}" in text and message in text
    if field != "id":
        assert fact_id in text


def test_a_source_url_must_be_http(tmp_path: Path) -> None:
    document = seed_document()
    document["sources"][0]["url"] = "javascript:alert(1)"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(FactBaseError) as caught:
        load_fact_base(path)
    assert str(path) in str(caught.value) and "http(s)" in str(caught.value)


def test_all_problems_are_collected_at_once() -> None:
    document = seed_document()
    document["facts"][0]["statement"]["fr"] = ""
    document["facts"][1]["tags"] = ["Bad Tag"]
    document["facts"].append(document["facts"][2])
    with pytest.raises(FactBaseError) as caught:
        parse_fact_base(document, "doc")
    assert len(caught.value.problems) >= 3
    assert "is used more than once" in str(caught.value)


def test_synonym_words_belong_to_one_group_only() -> None:
    document = seed_document()
    document["synonyms"] = [["tax", "taxes"], ["taxes", "impots"]]
    with pytest.raises(FactBaseError, match="already in synonyms"):
        parse_fact_base(document, "doc")
