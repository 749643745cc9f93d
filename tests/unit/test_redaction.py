"""The token redactor alone: records, streams and exception text (the whole process is in e2e)."""

from __future__ import annotations

import io
import logging
import sys

from config.redaction import (
    REDACTED,
    RedactingStream,
    Redactor,
    redact_record,
    redact_url_passwords,
    url_password,
)

TOKEN = "MTAxMjM0NTY3ODkw.GaBcDe.abcdefghijklmnopqrstuvwxyz0123"
SIGNATURE = TOKEN.rsplit(".", 1)[1]


def test_the_token_and_its_signature_alone_are_redacted() -> None:
    redactor = Redactor([TOKEN])
    text = redactor(f"Authorization: Bot {TOKEN}; then only {SIGNATURE}.")
    assert TOKEN not in text and SIGNATURE not in text
    assert text == f"Authorization: Bot {REDACTED}; then only {REDACTED}."


def test_short_or_empty_secrets_redact_nothing() -> None:
    assert not Redactor(["", "  ", "abc"])
    assert Redactor(["abc"])("abc def") == "abc def"


def test_a_record_is_redacted_in_its_message_arguments_and_exception() -> None:
    redactor = Redactor([TOKEN])
    try:
        raise RuntimeError(f"server said {TOKEN}")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "body %s", (TOKEN,), sys.exc_info())
    redact_record(record, redactor)
    formatted = logging.Formatter("%(message)s").format(record)
    assert TOKEN not in formatted and SIGNATURE not in formatted
    assert "body [REDACTED]" in formatted and "RuntimeError: server said [REDACTED]" in formatted


def test_a_stream_redacts_what_is_written_through_it() -> None:
    sink = io.StringIO()
    stream = RedactingStream(sink, Redactor([TOKEN]))
    stream.write(f"token={TOKEN}\n")
    stream.writelines([f"{SIGNATURE}\n"])
    stream.flush()
    assert sink.getvalue() == f"token={REDACTED}\n{REDACTED}\n"


def test_a_database_urls_password_is_redacted_wherever_a_url_appears() -> None:
    url = "postgresql://bot:s3cr%40t-pw@db.example:5432/story"
    assert url_password(url) == "s3cr@t-pw"
    assert url_password("postgresql://bot@db.example/story") == ""
    text = Redactor([])(f"cannot connect to {url} (retrying)")
    assert (
        "s3cr%40t-pw" not in text
        and text == f"cannot connect to postgresql://bot:{REDACTED}@db.example:5432/story (retrying)"
    )
    assert (
        redact_url_passwords("postgres://u:pw@h/d and http://h/x:y")
        == f"postgres://u:{REDACTED}@h/d and http://h/x:y"
    )
    # Installed as a secret, the password is redacted even outside a URL.
    assert Redactor([url_password(url)])("the password s3cr@t-pw leaked") == f"the password {REDACTED} leaked"
