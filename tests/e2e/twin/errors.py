"""Discord-shaped API errors raised by twin handlers and turned into JSON answers.

discord.py maps status codes to exceptions (403 Forbidden, 404 NotFound, ...)
and shows ``code``/``message``; using Discord's codes keeps a bot's error
handling honest under test.
"""

from __future__ import annotations

from typing import Any


class DiscordError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


def unknown(kind: str, code: int) -> DiscordError:
    return DiscordError(404, code, f"Unknown {kind}")


UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_WEBHOOK = 10015
UNKNOWN_APPLICATION_COMMAND = 10063
UNKNOWN_INTERACTION = 10062
CANNOT_EDIT_OTHERS_MESSAGE = 50005
EMPTY_MESSAGE = 50006
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
INVALID_FORM_BODY = 50035
ALREADY_ACKNOWLEDGED = 40060


def invalid_form_body(problems: list[str]) -> DiscordError:
    return DiscordError(
        400,
        INVALID_FORM_BODY,
        "Invalid Form Body",
        {"_errors": [{"code": "BASE_TYPE_INVALID", "message": p} for p in problems]},
    )
