"""Dates and times as people read them, in English or French, formatted by Babel (CLDR data).

English uses the en_GB patterns: day before month and a 24-hour clock, as the bot has always
written its dates ("13 November 2017"); French uses fr ("13 novembre 2017"). Fact and source
dates may be partial (YYYY or YYYY-MM), and stay partial when shown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date as babel_date
from babel.dates import format_skeleton, format_time, get_datetime_format, get_month_names

from .models import Language

LOCALES: dict[Language, str] = {"en": "en_GB", "fr": "fr"}


def format_date(value: str | None, language: Language) -> str:
    """'2017-11-13' -> '13 November 2017' / '13 novembre 2017'; '2017-11' -> 'November 2017'."""
    if not value:
        return ""
    parts = [int(part) for part in value.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return format_skeleton("yMMMM", date(parts[0], parts[1], 1), locale=LOCALES[language])
    return babel_date(date(parts[0], parts[1], parts[2]), "long", locale=LOCALES[language])


def format_day(day: date, language: Language) -> str:
    """A calendar day in a listing: '7 Dec 2026' / '7 déc. 2026'."""
    return babel_date(day, "medium", locale=LOCALES[language])


def format_moment(moment: datetime, language: Language) -> str:
    """A moment in UTC, to the minute: '7 Dec 2026, 16:20 UTC' / '7 déc. 2026, 16:20 UTC'."""
    locale = LOCALES[language]
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    day = babel_date(moment.date(), "medium", locale=locale)
    clock = format_time(moment, "short", tzinfo=UTC, locale=locale)
    joined = str(get_datetime_format("medium", locale=locale)).replace("{1}", day).replace("{0}", clock)
    return f"{joined} UTC"


def month_names(language: Language) -> tuple[str, ...]:
    """The twelve month names, January first, as dates spell them in `language`."""
    names = get_month_names("wide", locale=LOCALES[language])
    return tuple(names[month] for month in range(1, 13))
