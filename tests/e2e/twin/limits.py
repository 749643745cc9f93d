"""Checks of outgoing message payloads against Discord's limits and our mention policy.

Discord rejects oversized content and embeds with 400 (the REST twin does
too, using :func:`hard_limit_problems`); on top of that the project requires
every message a bot creates to carry a restrictive ``allowed_mentions`` so
that text taken from users or articles can never ping anyone. Run
:func:`check_requests` over a twin's recorded requests to lint a whole run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .records import RecordedRequest

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_NAME_MAX = 256
EMBED_TOTAL_MAX = 6000

# Route templates (relative to /api/v10) whose body is a message payload.
MESSAGE_CREATE_ROUTES = {
    ("POST", "/channels/{channel_id}/messages"),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"),
}
MESSAGE_EDIT_ROUTES = {
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
}
CALLBACK_ROUTE = ("POST", "/interactions/{interaction_id}/{interaction_token}/callback")
CALLBACK_MESSAGE_TYPES = {4, 7}


@dataclass(frozen=True)
class Violation:
    """One broken rule in one request."""

    rule: str
    detail: str
    request_seq: int | None = None
    route: str | None = None

    def __str__(self) -> str:
        where = f"#{self.request_seq} {self.route}: " if self.request_seq is not None else ""
        return f"{where}{self.rule}: {self.detail}"


def _len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def hard_limit_problems(payload: Mapping[str, Any]) -> list[Violation]:
    """Violations Discord itself answers with 400 Invalid Form Body."""
    problems: list[Violation] = []
    content = payload.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        problems.append(
            Violation("content_length", f"content has {len(content)} characters (max {CONTENT_MAX})")
        )
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        problems.append(Violation("embed_count", f"{len(embeds)} embeds (max {EMBEDS_MAX})"))
    total = 0
    for index, embed in enumerate(embeds):
        if not isinstance(embed, Mapping):
            continue
        prefix = f"embeds[{index}]"
        title, desc = embed.get("title"), embed.get("description")
        if _len(title) > EMBED_TITLE_MAX:
            problems.append(
                Violation("embed_title", f"{prefix}.title has {_len(title)} (max {EMBED_TITLE_MAX})")
            )
        if _len(desc) > EMBED_DESCRIPTION_MAX:
            problems.append(
                Violation(
                    "embed_description",
                    f"{prefix}.description has {_len(desc)} (max {EMBED_DESCRIPTION_MAX})",
                )
            )
        total += _len(title) + _len(desc)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            problems.append(
                Violation("embed_field_count", f"{prefix} has {len(fields)} fields (max {EMBED_FIELDS_MAX})")
            )
        for f_index, fld in enumerate(fields):
            name, value = fld.get("name"), fld.get("value")
            if _len(name) > EMBED_FIELD_NAME_MAX:
                problems.append(
                    Violation(
                        "embed_field_name", f"{prefix}.fields[{f_index}].name has {_len(name)} (max 256)"
                    )
                )
            if _len(value) > EMBED_FIELD_VALUE_MAX:
                problems.append(
                    Violation(
                        "embed_field_value", f"{prefix}.fields[{f_index}].value has {_len(value)} (max 1024)"
                    )
                )
            total += _len(name) + _len(value)
        footer = (embed.get("footer") or {}).get("text")
        if _len(footer) > EMBED_FOOTER_MAX:
            problems.append(Violation("embed_footer", f"{prefix}.footer.text has {_len(footer)} (max 2048)"))
        author = (embed.get("author") or {}).get("name")
        if _len(author) > EMBED_AUTHOR_NAME_MAX:
            problems.append(Violation("embed_author", f"{prefix}.author.name has {_len(author)} (max 256)"))
        total += _len(footer) + _len(author)
    if total > EMBED_TOTAL_MAX:
        problems.append(
            Violation("embed_total", f"embeds have {total} characters in total (max {EMBED_TOTAL_MAX})")
        )
    return problems


def allowed_mentions_problems(payload: Mapping[str, Any], *, required: bool) -> list[Violation]:
    """Our policy: allowed_mentions present and permitting no pings at all."""
    am = payload.get("allowed_mentions")
    if am is None:
        return (
            [Violation("allowed_mentions_missing", "message payload has no allowed_mentions")]
            if required
            else []
        )
    problems: list[Violation] = []
    parse = am.get("parse")
    if parse:
        problems.append(
            Violation("allowed_mentions_parse", f"allowed_mentions.parse is {parse!r} (must be empty)")
        )
    for key in ("users", "roles"):
        if am.get(key):
            problems.append(Violation(f"allowed_mentions_{key}", f"allowed_mentions.{key} is {am[key]!r}"))
    if am.get("replied_user") is True:
        problems.append(Violation("allowed_mentions_replied_user", "allowed_mentions.replied_user is true"))
    return problems


def check_message_payload(payload: Mapping[str, Any], *, is_edit: bool = False) -> list[Violation]:
    """All violations of one message payload.

    Creates must always carry allowed_mentions; edits only when they set
    ``content`` (an edit that only swaps components cannot ping anyone).
    """
    required = not is_edit or "content" in payload
    return hard_limit_problems(payload) + allowed_mentions_problems(payload, required=required)


def message_payload_of(request: RecordedRequest) -> tuple[Mapping[str, Any], bool] | None:
    """(message payload, is_edit) carried by ``request``, or None if it carries none."""
    body = request.json
    if not isinstance(body, Mapping):
        return None
    key = (request.method, request.route)
    if key in MESSAGE_CREATE_ROUTES:
        return body, False
    if key in MESSAGE_EDIT_ROUTES:
        return body, True
    if key == CALLBACK_ROUTE and body.get("type") in CALLBACK_MESSAGE_TYPES:
        data = body.get("data") or {}
        return data, body.get("type") == 7
    return None


def check_request(request: RecordedRequest) -> list[Violation]:
    found = message_payload_of(request)
    if found is None:
        return []
    payload, is_edit = found
    return [
        Violation(v.rule, v.detail, request_seq=request.seq, route=request.route_key)
        for v in check_message_payload(payload, is_edit=is_edit)
    ]


def check_requests(requests: Iterable[RecordedRequest]) -> list[Violation]:
    out: list[Violation] = []
    for request in requests:
        out.extend(check_request(request))
    return out
