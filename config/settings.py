"""Typed, validated settings, on pydantic-settings.

Precedence, highest first: the process environment, then `.env` (a variable already set
in the environment is never overridden), then the JSON file named by `SETTINGS_FILE`, then
the defaults below. Each of the three is a settings source; an empty value means "unset".
A bad value stops start-up with one line naming the setting, the value and what was
expected, because a bot that starts with a half-understood configuration fails later and
further from the cause. Files that cannot be read (not UTF-8, not JSON, nested without
end, too large) are refused the same way, never with a traceback.

`Settings()` alone is the defaults; `load_settings()` reads the layers.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import AliasGenerator, BeforeValidator, Field, SecretStr, ValidationError, ValidationInfo
from pydantic import model_validator as _model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from knowledge.jsondoc import JsonDocumentError, TooLarge, decode_utf8, loads_strict, read_bounded

DISCORD_API_DEFAULT = "https://discord.com/api/v10"
MAX_SETTINGS_FILE_BYTES = 1024 * 1024
MAX_SETTINGS_DEPTH = 4

_ASCII_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)
_ASCII_ID = re.compile(r"[0-9]{1,20}", re.ASCII)


class SettingsError(ValueError):
    """A setting with a value the bot cannot use."""


class Secret(SecretStr):
    """The token: shown as '**********' in reprs, logs and tracebacks; `reveal()` hands it to discord.py."""

    def reveal(self) -> str:
        return self.get_secret_value()


# -- one parser per kind of value; each takes the raw text and names the setting when it refuses --


def _raw_text(raw: object) -> str:
    """A value as text: environment and .env values are strings; a JSON file may hold numbers or lists."""
    if isinstance(raw, list | tuple):
        return ",".join(map(str, raw))
    return str(raw)


def _invalid(info: ValidationInfo, raw: object, expected: str) -> PydanticCustomError:
    name = (info.field_name or "").upper()
    return PydanticCustomError(
        "setting", "{message}", {"message": f"{name}={raw!r} is not valid: {expected}"}
    )


def _ids(raw: object, info: ValidationInfo) -> tuple[int, ...]:
    parts = [p.strip() for p in _raw_text(raw).split(",") if p.strip()]
    if not all(_ASCII_ID.fullmatch(p) for p in parts):
        raise _invalid(info, raw, "expected comma-separated Discord ids, like 123,456")
    return tuple(int(p) for p in parts)


def _bounded(low: float, high: float, pattern: re.Pattern[str]) -> BeforeValidator:
    def parse(raw: object, info: ValidationInfo) -> float:
        text = _raw_text(raw).strip()
        if isinstance(raw, bool) or not pattern.fullmatch(text) or not low <= float(text) <= high:
            raise _invalid(info, raw, f"expected a number from {low:g} to {high:g}")
        return float(text)

    return BeforeValidator(parse)


def _optional_count(raw: object, info: ValidationInfo) -> int | None:
    text = _raw_text(raw).strip()
    if not text or raw is None:
        return None
    if isinstance(raw, bool) or not _ASCII_INT.fullmatch(text) or not 1 <= int(text) <= 10_000:
        raise _invalid(info, raw, "expected a number from 1 to 10000")
    return int(text)


def _choice(*allowed: str) -> BeforeValidator:
    def parse(raw: object, info: ValidationInfo) -> str:
        text = _raw_text(raw).strip()
        for value in allowed:
            if text.lower() == value.lower():
                return value
        raise _invalid(info, raw, f"expected one of {', '.join(allowed)}")

    return BeforeValidator(parse)


def _url(raw: object, info: ValidationInfo) -> str:
    value = _raw_text(raw).strip().rstrip("/")
    if not value.startswith(("http://", "https://")) or not value.isprintable():
        raise _invalid(info, raw, f"expected an http(s) URL such as {DISCORD_API_DEFAULT}")
    return value


def _path(raw: object, info: ValidationInfo) -> Path:
    text = raw if isinstance(raw, Path) else Path(_raw_text(raw).strip())
    if not str(text).strip() or "\x00" in str(text):
        raise _invalid(info, raw, "expected a file path")
    return text


def _stripped(raw: object) -> str:
    return _raw_text(raw).strip()


def _secret(raw: object) -> str:
    return raw.get_secret_value().strip() if isinstance(raw, SecretStr) else _raw_text(raw).strip()


def _database_url(raw: object) -> str:
    """A PostgreSQL URL; a refusal never echoes the value, which may hold a password."""
    value = _secret(raw)
    if value and (not value.lower().startswith(("postgresql://", "postgres://")) or not value.isprintable()):
        raise PydanticCustomError(
            "setting",
            "DATABASE_URL is not valid: expected postgresql://user:password@host:5432/database "
            "(the value is not shown: it may hold a password)",
        )
    return value


Ids = Annotated[tuple[int, ...], BeforeValidator(_ids)]
Seconds = Annotated[float, _bounded(0, 3600, _ASCII_NUMBER)]


# -- sources --------------------------------------------------------------------------------------

_LAYERS: ContextVar[tuple[Mapping[str, object], ...]] = ContextVar("settings_layers", default=())


class MappingSource(PydanticBaseSettingsSource):
    """One layer of SETTING: value pairs: the environment, `.env` or the SETTINGS_FILE.

    Only names of settings are read from it, and an empty value counts as unset, so an
    empty `DISCORD_TOKEN=` in the environment lets `.env` provide the token.
    """

    def __init__(self, settings_cls: type[BaseSettings], values: Mapping[str, object]) -> None:
        super().__init__(settings_cls)
        names = {name.upper() for name in settings_cls.model_fields}
        self._values = {
            name: value for name, value in values.items() if name in names and _raw_text(value).strip() != ""
        }

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        name = field_name.upper()
        return self._values.get(name), name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


class Settings(BaseSettings):
    """Every setting the bot reads; the environment variable is the field name in capitals."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=AliasGenerator(validation_alias=str.upper),
        validate_by_name=True,
        validate_by_alias=True,
        hide_input_in_errors=True,
    )

    discord_token: Annotated[Secret, BeforeValidator(_secret)] = Field(default_factory=lambda: Secret(""))
    database_path: Annotated[Path, BeforeValidator(_path)] = Path("data/knowledge.db")
    # PostgreSQL instead of the SQLite file, for several bot processes sharing one database.
    database_url: Annotated[Secret, BeforeValidator(_database_url)] = Field(
        default_factory=lambda: Secret("")
    )
    discord_api_base: Annotated[str, BeforeValidator(_url)] = DISCORD_API_DEFAULT
    dev_guild_ids: Ids = ()
    moderator_role_ids: Ids = ()
    qa_channel_ids: Ids = ()
    default_language: Annotated[Literal["en", "fr"], _choice("en", "fr")] = "en"
    answer_threshold: Annotated[float, _bounded(0.05, 1.0, _ASCII_NUMBER)] = 0.36
    user_cooldown_seconds: Seconds = 5.0
    channel_cooldown_seconds: Seconds = 20.0
    digest_check_seconds: Annotated[float, _bounded(0.2, 3600, _ASCII_NUMBER)] = 60.0
    shard_count: Annotated[int | None, BeforeValidator(_optional_count)] = None
    shard_ids: Ids = ()
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR"], _choice("DEBUG", "INFO", "WARNING", "ERROR")
    ] = "INFO"
    log_file: Annotated[str, BeforeValidator(_stripped)] = ""
    # For tests and drills: a file holding an ISO-8601 UTC time that the digest schedule uses as "now".
    clock_file: Annotated[str, BeforeValidator(_stripped)] = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments, then the layers `load_settings` read (none for a bare `Settings()`)."""
        return (init_settings, *(MappingSource(settings_cls, layer) for layer in _LAYERS.get()))

    @_model_validator(mode="after")
    def _shards_agree(self) -> Settings:
        if self.shard_ids and self.shard_count is None:
            raise PydanticCustomError(
                "setting", "SHARD_IDS is set but SHARD_COUNT is not: set both, or neither"
            )
        if self.shard_count is not None and any(i >= self.shard_count for i in self.shard_ids):
            raise PydanticCustomError(
                "setting",
                "{message}",
                {
                    "message": f"SHARD_IDS={self.shard_ids} is not valid: every id must be below {self.shard_count}"
                },
            )
        return self

    @_model_validator(mode="after")
    def _one_database(self) -> Settings:
        if self.database_url.get_secret_value() and "database_path" in self.model_fields_set:
            raise PydanticCustomError(
                "setting",
                "DATABASE_PATH and DATABASE_URL are both set: set DATABASE_PATH for a SQLite file, "
                "or DATABASE_URL for PostgreSQL, not both",
            )
        return self

    @property
    def database(self) -> Path | str:
        """Where the store lives: the PostgreSQL URL when DATABASE_URL is set, else the SQLite file."""
        return self.database_url.reveal() or self.database_path

    @property
    def has_token(self) -> bool:
        return bool(self.discord_token.get_secret_value())

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None


@contextmanager
def _layers(layers: tuple[Mapping[str, object], ...]) -> Iterator[None]:
    token = _LAYERS.set(layers)
    try:
        yield
    finally:
        _LAYERS.reset(token)


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Build Settings from the layered sources; raises SettingsError on any bad value or file."""
    environ = dict(os.environ if environ is None else environ)
    layers: list[Mapping[str, object]] = [environ]
    settings_file = environ.get("SETTINGS_FILE", "").strip()
    if env_file is not None and env_file.is_file():
        dotenv = _read_dotenv(env_file)
        settings_file = settings_file or str(dotenv.get("SETTINGS_FILE", "")).strip()
        layers.append(dotenv)
    if settings_file:
        layers.append(_read_settings_file(Path(settings_file)))
    try:
        with _layers(tuple(layers)):
            return Settings()
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    """The first problem, as one line naming the setting (pydantic's own messages get the name added)."""
    first = error.errors(include_url=False, include_input=False)[0]
    if first["type"] == "setting":
        return first["msg"]
    name = ".".join(str(part) for part in first["loc"]).upper() or "settings"
    return f"{name} is not valid: {first['msg']}"


def _read_dotenv(path: Path) -> dict[str, str]:
    try:
        text = decode_utf8(read_bounded(path, MAX_SETTINGS_FILE_BYTES))
    except OSError as error:
        raise SettingsError(f"{path} cannot be read: {error.strerror}") from None
    except (TooLarge, JsonDocumentError) as error:
        raise SettingsError(f"{path} {error}") from None
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def _read_settings_file(path: Path) -> dict[str, Any]:
    where = f"SETTINGS_FILE={str(path)!r}"
    try:
        data = loads_strict(decode_utf8(read_bounded(path, MAX_SETTINGS_FILE_BYTES)), MAX_SETTINGS_DEPTH)
    except OSError as error:
        raise SettingsError(f"{where} cannot be read: {error.strerror}") from None
    except (TooLarge, JsonDocumentError) as error:
        raise SettingsError(f"{where} {error}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{where} must hold a JSON object of SETTING: value")
    known = {name.upper() for name in Settings.model_fields}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"{where} has unknown settings: {', '.join(unknown)}")
    return data
