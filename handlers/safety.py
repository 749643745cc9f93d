"""Making every outgoing message safe to send: no pings, escaped user text, within limits.

Discord rejects (400) a message over its limits, and a message that repeats user text
could ping @everyone or inject markdown. Every send goes through these helpers, so the
rules live in one place.
"""

from __future__ import annotations

import discord

NO_PINGS = discord.AllowedMentions.none()

CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FIELDS_LIMIT = 25
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
BUTTON_LABEL_LIMIT = 80
SELECT_OPTION_LABEL_LIMIT = 100
MODAL_TITLE_LIMIT = 45


def clip(text: str, limit: int) -> str:
    """Cut text to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def escape(text: str) -> str:
    """User-supplied text, shown literally: markdown and mentions neutralised.

    AllowedMentions.none() already stops pings; escaping also stops `@everyone` from
    *looking* like a ping and keeps code fences and links from being injected.
    """
    text = discord.utils.escape_markdown(text, as_needed=False)
    text = discord.utils.escape_mentions(text)
    return text.replace("](", "]\u200b(").replace("://", ":\u200b//")


def quote_user_text(text: str, limit: int = 300) -> str:
    """A user's words clipped then escaped, for repeating them back."""
    return escape(clip(" ".join(text.split()), limit))


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Clip every part of an embed to Discord's limits, dropping trailing fields if needed."""
    if embed.title:
        embed.title = clip(embed.title, EMBED_TITLE_LIMIT)
    if embed.description:
        embed.description = clip(embed.description, EMBED_DESCRIPTION_LIMIT)
    fields = embed.fields[:EMBED_FIELDS_LIMIT]
    embed.clear_fields()
    for field in fields:
        embed.add_field(
            name=clip(field.name or "\u200b", EMBED_FIELD_NAME_LIMIT),
            value=clip(field.value or "\u200b", EMBED_FIELD_VALUE_LIMIT),
            inline=field.inline,
        )
    if embed.footer and embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, EMBED_FOOTER_LIMIT), icon_url=embed.footer.icon_url)
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > EMBED_TOTAL_LIMIT and embed.description:
        excess = len(embed) - EMBED_TOTAL_LIMIT
        embed.description = clip(embed.description, len(embed.description) - excess)
    return embed
