"""Property tests: whatever people type, the matcher and the renderers stay safe and bounded."""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.rendering import answer_embed, plain_text
from handlers.safety import CONTENT_LIMIT, EMBED_TOTAL_LIMIT
from knowledge.answers import FactMatch, compose_abstention, compose_answer
from knowledge.models import Bilingual, Fact, Source
from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.service import Answerer

HOSTILE = st.sampled_from(
    [
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<@&123456789012345678>",
        "<#123456789012345678>",
        "```py\nimport os\n```",
        "**bold** __under__ ~~strike~~ ||spoiler||",
        "[click](https://evil.example/x)",
        "https://evil.example/phish",
        "\u200b\u200d\u2060",
        "\u202e\u202d\u200f",
        "e\u0301\u0301\u0301",
        "> quote\n# heading",
        "\x00\x07\x1b[31m",
    ]
)
QUESTIONS = st.one_of(
    st.text(max_size=600),
    st.lists(st.one_of(HOSTILE, st.text(max_size=40)), max_size=12).map(" ".join),
    st.sampled_from(["", " ", "a" * 100_000, "?" * 5000, "wikileaks " * 2000]),
)

ANSWERER = Answerer(load_fact_base(SEED_PATH))
PING = re.compile(r"@(everyone|here|[!&]?[0-9]{17,20})")


def visible_text(embed) -> str:
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    parts += [(f.name or "") + (f.value or "") for f in embed.fields]
    return "\n".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUESTIONS)
def test_any_question_gets_a_bounded_answer_without_exception(question: str) -> None:
    started = time.perf_counter()
    answer = ANSWERER.answer(question)
    assert time.perf_counter() - started < 1.0
    assert answer.language in ("en", "fr")
    document = answer.to_json()
    json.dumps(document, ensure_ascii=False)
    assert len(answer.suggestions) <= 3
    assert len(document["question"]) <= max(len(question), 500) + 1


@settings(max_examples=200, deadline=None)
@given(QUESTIONS)
def test_rendered_answers_never_ping_and_fit_discord_limits(question: str) -> None:
    answer = ANSWERER.answer(question)
    embed = answer_embed(answer)
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert len(embed.description or "") <= 4096
    assert all(len(f.value or "") <= 1024 and len(f.name or "") <= 256 for f in embed.fields)
    text = plain_text(answer)
    assert len(text) <= CONTENT_LIMIT
    assert not PING.search(visible_text(embed))
    assert not PING.search(text)


def hostile_fact(text: str) -> Fact:
    return Fact(
        id="hostile",
        statement=Bilingual(text or "x", text or "x"),
        attribution=Bilingual(text[:120] or "x", "x"),
        source_ids=("s",),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(HOSTILE, st.text(min_size=1, max_size=800)), min_size=1, max_size=4))
def test_even_hostile_curated_text_renders_within_limits(texts: list[str]) -> None:
    source = Source(
        "s", "@everyone " * 40, "<@&1> " * 40, "2017-11-13", "en", "https://example.org/" + "a" * 300
    )
    matches = [FactMatch(hostile_fact(t), 0.9) for t in texts]
    answer = compose_answer("@everyone?" * 50, "en", matches, {"s": source})
    embed = answer_embed(answer)
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert all(len(f.value or "") <= 1024 for f in embed.fields)
    assert len(plain_text(answer)) <= CONTENT_LIMIT
    assert not PING.search(visible_text(embed)) and not PING.search(plain_text(answer))


@pytest.mark.parametrize("suggestion", ["@everyone " * 30, "x" * 500, "[a](https://e.x)"])
def test_abstentions_with_hostile_suggestions_render_within_limits(suggestion: str) -> None:
    answer = compose_abstention("?", "en", [suggestion] * 3)
    assert len(answer_embed(answer)) <= EMBED_TOTAL_LIMIT
