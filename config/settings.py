"""Typed, validated settings.

Precedence, highest first: the process environment, then `.env` (python-dotenv never
overrides a variable already set), then the JSON file named by `SETTINGS_FILE`, then the
defaults below. A bad value stops start-up with a message naming the setting, the value
and what was expected, because a bot that starts with a half-understood configuration
fails later and further from the cause.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

DISCORD_API_DEFAULT = "https://discord.com/api/v10"


class SettingsError(ValueError):
    """A setting with a value the bot cannot use."""


class Secret:
    """A string that never shows itself in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _ids(name: str, raw: str) -> tuple[int, ...]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not all(p.isdigit() and len(p) <= 20 for p in parts):
        raise SettingsError(
            f"{name}={raw!r} is not valid: expected comma-separated Discord ids, like 123,456"
        )
    return tuple(int(p) for p in parts)


def _number(kind: type, low: float, high: float) -> Callable[[str, str], Any]:
    def parse(name: str, raw: str) -> Any:
        try:
            value = kind(raw)
        except ValueError:
            raise SettingsError(
                f"{name}={raw!r} is not valid: expected a number from {low} to {high}"
            ) from None
        if not low <= value <= high:
            raise SettingsError(f"{name}={raw!r} is not valid: expected a number from {low} to {high}")
        return value

    return parse


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().lower() if raw.strip().lower() in allowed else raw.strip()
        if value not in allowed:
            raise SettingsError(f"{name}={raw!r} is not valid: expected one of {', '.join(allowed)}")
        return value

    return parse


def _url(name: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise SettingsError(
            f"{name}={raw!r} is not valid: expected an http(s) URL such as {DISCORD_API_DEFAULT}"
        )
    return value


def _optional_int(name: str, raw: str) -> int | None:
    return None if not raw.strip() else _number(int, 1, 10_000)(name, raw)


def _text(name: str, raw: str) -> str:
    return raw.strip()


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting the bot reads; the metadata key `env` is the environment variable's name."""

    discord_token: Secret = field(default_factory=lambda: Secret(""), metadata={"env": "DISCORD_TOKEN"})
    database_path: Path = field(default=Path("data/knowledge.db"), metadata={"env": "DATABASE_PATH"})
    discord_api_base: str = field(
        default=DISCORD_API_DEFAULT, metadata={"env": "DISCORD_API_BASE", "parse": _url}
    )
    dev_guild_ids: tuple[int, ...] = field(default=(), metadata={"env": "DEV_GUILD_IDS", "parse": _ids})
    moderator_role_ids: tuple[int, ...] = field(
        default=(), metadata={"env": "MODERATOR_ROLE_IDS", "parse": _ids}
    )
    qa_channel_ids: tuple[int, ...] = field(default=(), metadata={"env": "QA_CHANNEL_IDS", "parse": _ids})
    default_language: str = field(
        default="en", metadata={"env": "DEFAULT_LANGUAGE", "parse": _choice("en", "fr")}
    )
    answer_threshold: float = field(
        default=0.36, metadata={"env": "ANSWER_THRESHOLD", "parse": _number(float, 0.05, 1.0)}
    )
    user_cooldown_seconds: float = field(
        default=5.0, metadata={"env": "USER_COOLDOWN_SECONDS", "parse": _number(float, 0, 3600)}
    )
    channel_cooldown_seconds: float = field(
        default=20.0, metadata={"env": "CHANNEL_COOLDOWN_SECONDS", "parse": _number(float, 0, 3600)}
    )
    digest_check_seconds: float = field(
        default=60.0, metadata={"env": "DIGEST_CHECK_SECONDS", "parse": _number(float, 0.2, 3600)}
    )
    shard_count: int | None = field(default=None, metadata={"env": "SHARD_COUNT", "parse": _optional_int})
    shard_ids: tuple[int, ...] = field(default=(), metadata={"env": "SHARD_IDS", "parse": _ids})
    log_level: str = field(
        default="INFO", metadata={"env": "LOG_LEVEL", "parse": _choice("DEBUG", "INFO", "WARNING", "ERROR")}
    )
    log_file: str = field(default="", metadata={"env": "LOG_FILE", "parse": _text})
    # For tests and drills: a file holding an ISO-8601 UTC time that the digest schedule uses as "now".
    clock_file: str = field(default="", metadata={"env": "CLOCK_FILE", "parse": _text})

    @property
    def has_token(self) -> bool:
        return bool(self.discord_token)

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    def validate(self) -> Settings:
        if self.shard_ids and self.shard_count is None:
            raise SettingsError("SHARD_IDS is set but SHARD_COUNT is not: set both, or neither")
        if self.shard_count is not None and any(i >= self.shard_count for i in self.shard_ids):
            raise SettingsError(
                f"SHARD_IDS={self.shard_ids} is not valid: every id must be below {self.shard_count}"
            )
        return self


def _parse(field_name: str, raw: Any) -> Any:
    spec = next(f for f in fields(Settings) if f.name == field_name)
    name = spec.metadata["env"]
    text = str(raw) if not isinstance(raw, list) else ",".join(map(str, raw))
    if field_name == "discord_token":
        return Secret(text.strip())
    if field_name == "database_path":
        if not text.strip():
            raise SettingsError(f"{name}='' is not valid: expected a file path")
        return Path(text.strip())
    return spec.metadata["parse"](name, text)


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Build Settings from the layered sources; raises SettingsError on any bad value."""
    environ = dict(os.environ if environ is None else environ)
    layers: list[Mapping[str, Any]] = []
    settings_file = environ.get("SETTINGS_FILE")
    if env_file is not None and env_file.is_file():
        dotenv = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        settings_file = settings_file or dotenv.get("SETTINGS_FILE")
        layers.append(dotenv)
    if settings_file:
        layers.append(_read_settings_file(Path(settings_file)))
    layers.insert(0, environ)

    values: dict[str, Any] = {}
    for spec in fields(Settings):
        name = spec.metadata["env"]
        for layer in layers:
            if name in layer and str(layer[name]).strip() != "":
                values[spec.name] = _parse(spec.name, layer[name])
                break
    return Settings(**values).validate()


def _read_settings_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"SETTINGS_FILE={str(path)!r} cannot be read: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise SettingsError(
            f"SETTINGS_FILE={str(path)!r} is not valid JSON: {error.msg} (line {error.lineno})"
        ) from None
    if not isinstance(data, dict):
        raise SettingsError(f"SETTINGS_FILE={str(path)!r} must hold a JSON object of SETTING: value")
    known = {f.metadata["env"] for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"SETTINGS_FILE={str(path)!r} has unknown settings: {', '.join(unknown)}")
    return data
