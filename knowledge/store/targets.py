"""Where the command line may write a file: never over the live database, never over a device.

Paths are compared as files, not strings: `data/../data/knowledge.db`, a symlink and a hard
link all name the database, and so do its `-wal`, `-shm` and `-journal` companions (writing
JSON there corrupts it as surely). Only a regular file or a path that does not exist yet
may be written; a device, a FIFO, a socket or a folder is refused, so nothing is ever
renamed over one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import StoreError

DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def database_files(database: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it (whether they exist yet or not)."""
    return [database.with_name(database.name + suffix) for suffix in DATABASE_COMPANIONS]


def check_writable_target(target: Path, database: Path, what: str) -> None:
    """Refuse a target that is the database (or a companion file) or not a regular file.

    `what` names the command in the message ("export", "backup").
    """
    resolved = Path(os.path.realpath(target))
    for protected in database_files(database):
        if resolved == Path(os.path.realpath(protected)) or _same_file(target, protected):
            raise StoreError(
                f"Refusing to {what} to {target}: it is the live database file {protected}. "
                "Choose another path."
            )
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"Cannot {what} to {target}: {error.strerror}.") from None
    if not stat.S_ISREG(mode):
        raise StoreError(
            f"Refusing to {what} to {target}: it exists and is not a regular file "
            "(a folder, device, pipe or socket). Choose a new path or a regular file."
        )


@contextlib.contextmanager
def replacing(target: Path, what: str) -> Iterator[Path]:
    """A new temporary file beside `target`, renamed over it when the block succeeds.

    A failed write never leaves half a file at `target`, and a temporary name chosen by
    `mkstemp` cannot be a link planted in advance. OSErrors become one-line StoreErrors.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        os.close(handle)
    except OSError as error:
        raise StoreError(f"Cannot {what} to {target}: {error.strerror}.") from None
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    except OSError as error:
        raise StoreError(f"Cannot {what} to {target}: {error.strerror or error}.") from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
