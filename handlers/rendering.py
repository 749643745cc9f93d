"""Turning knowledge results into Discord messages: embeds, a plain-text fallback, replies.

The knowledge layer writes every sentence (see knowledge/answers.py); this module only
lays them out. Everything it builds goes through `fit_embed` or `clip`, so an answer with
huge facts or a hostile question can never make Discord reject the message (a 400 would
leave the user with nothing), and the question is always escaped when repeated, so
`@everyone` or a markdown link typed by a user is shown, not obeyed.

The answer embed's footer ends with the ids of the facts it used, in a fixed format
(`… · facts: id-1, id-2`): after a restart, when the in-memory answer is gone, the
"Sources" button reads them back (`fact_ids_from_footer`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import discord

from knowledge.answers import Answer, cite, phrase
from knowledge.dates import format_date
from knowledge.models import LANGUAGES, Language, Source
from knowledge.newsroom import Brief, Digest, SourcesOf, digest_sections, newsroom_phrase, paginate
from knowledge.phrases import phrases

from .safety import (
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_FOOTER_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    clip,
    fit_embed,
    quote_user_text,
)
from .shared import language_name

log = logging.getLogger(__name__)

ANSWERED_COLOUR = discord.Colour.blurple()
UNKNOWN_COLOUR = discord.Colour.light_grey()
NEWS_COLOUR = discord.Colour.dark_teal()


label = phrases.area("render")


# ---------------------------------------------------------------------------------------------
# Small text helpers
# ---------------------------------------------------------------------------------------------

_SAFE_URL = re.compile(r"^https?://[^\s<>\"'()\[\]]+$", re.IGNORECASE)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL that cannot break out of a markdown link, or None."""
    if not url:
        return None
    url = url.strip().replace("(", "%28").replace(")", "%29")
    return url if _SAFE_URL.match(url) and len(url) <= 500 else None


def curated(text: str) -> str:
    """Moderator-written text: kept as written, but never able to look like a mention."""
    return discord.utils.escape_mentions(text)


def link(text: str, url: str | None) -> str:
    """`[text](url)` when the URL is safe, else the text; brackets in the text cannot close the link."""
    text = curated(text)
    target = safe_url(url)
    if not target:
        return text
    return f"[{text.replace('[', '(').replace(']', ')')}]({target})"


def _fill(lines: Sequence[str], limit: int, more: str) -> str:
    """As many lines as fit in `limit`, then `more` (with the count) for the rest."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        candidate = "\n".join([*kept, line])
        if len(candidate) > limit:
            rest = more.format(count=len(lines) - index)
            while kept and len("\n".join([*kept, rest])) > limit:
                kept.pop()
                rest = more.format(count=len(lines) - len(kept))
            return clip("\n".join([*kept, rest]), limit)
        kept.append(line)
    return "\n".join(kept)


# ---------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------


def citation_lines(sources: Sequence[Source], language: Language) -> list[str]:
    """One bullet per source, linked when it has a URL."""
    return [f"• {link(cite(source, language), source.url)}" for source in sources]


def answer_footer(answer: Answer) -> str:
    language = answer.language
    if not answer.answered:
        return label("unknown_footer", language)
    parts = [label("curated", language)]
    if answer.question_id is not None:
        parts.insert(0, label("answer", language, qid=answer.question_id))
    ids = ", ".join(m.fact.id for m in answer.facts)
    if ids:
        parts.append(f"{label('facts', language)}{phrase('colon', language)}{ids}")
    return " · ".join(parts)


def fact_ids_from_footer(footer: str | None) -> list[str]:
    """The fact ids written by `answer_footer`, in order; [] if there are none."""
    if not footer or " · " not in footer:
        return []
    last = footer.rsplit(" · ", 1)[1]
    for language in LANGUAGES:
        prefix = label("facts", language) + phrase("colon", language)
        if last.startswith(prefix):
            ids = [part.strip() for part in last[len(prefix) :].split(",")]
            return [i for i in ids if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i)]
    return []


def answer_embed(answer: Answer) -> discord.Embed:
    """The answer: the best fact in the description, other matched facts as fields, then sources.

    The citations are never the part that gets cut: when everything cannot fit in 6,000
    characters, the fact texts are shortened instead. An abstention shows "I don't know"
    and the suggestions (also offered as buttons).
    """
    language = answer.language
    embed = discord.Embed(
        title=clip(quote_user_text(answer.question, 240), EMBED_TITLE_LIMIT) or None,
        colour=ANSWERED_COLOUR if answer.answered else UNKNOWN_COLOUR,
    )
    footer = clip(answer_footer(answer), EMBED_FOOTER_LIMIT)
    if answer.answered and answer.paragraphs:
        main, *related = (curated(p) for p in answer.paragraphs)
        related_name = label("related", language)
        sources_name = label("sources", language)
        sources_value = ""
        if answer.sources:
            more = phrases.entries["render.more_sources"][language]
            sources_value = _fill(citation_lines(answer.sources, language), EMBED_FIELD_VALUE_LIMIT, more)
        budget = EMBED_TOTAL_LIMIT - len(embed.title or "") - len(footer) - len(related_name) * len(related)
        budget -= len(sources_name) + len(sources_value) if sources_value else 0
        wanted = sum(min(len(p), EMBED_FIELD_VALUE_LIMIT) for p in related)
        embed.description = clip(main, min(EMBED_DESCRIPTION_LIMIT, max(budget - wanted, budget // 2)))
        budget -= len(embed.description)
        for index, paragraph in enumerate(related):
            share = min(EMBED_FIELD_VALUE_LIMIT, budget // (len(related) - index))
            value = clip(paragraph, max(share, 1))
            budget -= len(value)
            embed.add_field(name=related_name, value=value, inline=False)
        if sources_value:
            embed.add_field(name=sources_name, value=sources_value, inline=False)
    else:
        lines = [curated(answer.headline)]
        if answer.suggestions:
            lines += ["", phrase("suggest", language), *(f"• {curated(s)}" for s in answer.suggestions)]
        embed.description = clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT)
    embed.set_footer(text=footer)
    return fit_embed(embed)


def sources_embed(sources: Sequence[Source], language: Language) -> discord.Embed:
    """Every source in full: title, publisher, date, link; one field each."""
    embed = discord.Embed(title=label("sources_title", language), colour=ANSWERED_COLOUR)
    if not sources:
        embed.description = label("no_sources", language)
    for source in sources[:EMBED_FIELDS_LIMIT]:
        url = safe_url(source.url)
        details = [
            f"{label('publisher', language)}{phrase('colon', language)}{curated(source.publisher)}",
            f"{label('date', language)}{phrase('colon', language)}{format_date(source.date, language) or '—'}",
            label("in_language", language, language=language_name(source.language, language)),
            f"{label('link', language)}{phrase('colon', language)}"
            + (f"[{urlsplit(url).netloc or url}]({url})" if url else label("no_link", language)),
        ]
        embed.add_field(name=clip(curated(source.title), 256), value="\n".join(details), inline=False)
    return fit_embed(embed)


def answer_sources_embed(answer: Answer) -> discord.Embed:
    return sources_embed(answer.sources, answer.language)


def plain_text(answer: Answer) -> str:
    """The answer as one message's content, for channels where the bot may not embed."""
    parts = [f"> {quote_user_text(answer.question, 300)}", curated(answer.text)]
    links = [f"<{url}>" for url in (safe_url(s.url) for s in answer.sources) if url]
    if links:
        parts.append(" ".join(links))
    return clip("\n\n".join(parts), CONTENT_LIMIT)


# ---------------------------------------------------------------------------------------------
# Newsroom: summary, timeline, digest
# ---------------------------------------------------------------------------------------------

MAX_PAGES = 10  # ten messages at most for one command or one digest; the rest is counted


def page_embeds(
    title: str, blocks: Sequence[str], language: Language, footer: str = ""
) -> list[discord.Embed]:
    """Blocks of text as one embed per page (one page per message: the 6,000 limit is per message)."""
    pages = paginate(blocks, EMBED_DESCRIPTION_LIMIT - 96, max_pages=MAX_PAGES, language=language) or ["—"]
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(title=title if number == 1 else None, description=page, colour=NEWS_COLOUR)
        notes = [footer] if footer else []
        if len(pages) > 1:
            notes.append(label("page", language, page=number, pages=len(pages)))
        if notes:
            embed.set_footer(text=" · ".join(notes))
        embeds.append(fit_embed(embed))
    return embeds


def brief_embeds(brief: Brief) -> list[discord.Embed]:
    blocks: list[str] = []
    if brief.intro:
        blocks += [curated(brief.intro), ""]
    if brief.heading:
        blocks.append(f"**{curated(brief.heading)}**")
    language = brief.language
    for entry in brief.entries:
        line = f"• **{entry.when}** — {curated(entry.text)}"
        if entry.sources:
            label_key = "sources" if len(entry.sources) > 1 else "source"
            cited = phrase("semicolon", language).join(link(cite(s, language), s.url) for s in entry.sources)
            line += f"\n  {phrase(label_key, language)}{phrase('colon', language)}{cited}"
        blocks.append(line)
    return page_embeds(curated(brief.title), blocks, brief.language)


def digest_embeds(digest: Digest, sources_of: SourcesOf | None = None) -> list[discord.Embed]:
    """Nothing when nothing changed: an empty digest is never posted."""
    if digest.is_empty:
        return []
    blocks: list[str] = []
    for section in digest_sections(digest, sources_of):
        if blocks:
            blocks.append("")
        blocks.append(f"**{curated(section.heading)}**")
        blocks += [curated(line) for line in section.lines]
    return page_embeds(newsroom_phrase("digest_title", digest.language), blocks, digest.language)
