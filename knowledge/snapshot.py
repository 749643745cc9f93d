"""The built index, saved next to the database so a start does not rebuild it.

Building the index costs about a millisecond per fact (tokenising, stemming, typo buckets),
so a fact base of 100,000 facts would take minutes at every start. Instead the built
structures are written to `<database>.index` and read back at the next start, then brought
up to date with the revisions recorded since (see `KnowledgeService.open`).

The file is pickle, with a header: a magic line, then one JSON line naming the versions it
was built with and the sha256 and length of the payload. Pickle is acceptable here because
the file is our own, written by this bot next to its own database, with the same
permissions: whoever can replace it can replace the database too. It is still never
trusted blindly: a file whose header, length or checksum does not match, or that does not
unpickle into a snapshot, is logged and ignored, and the index is rebuilt from the store.
A snapshot built by another matcher version (`MATCHER_VERSION`), another schema, or from
other source code of the index's modules (a hash of them is in the header) is ignored the
same way, since its structures may mean something else or be laid out differently.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .matcher import MATCHER_VERSION, FactIndex
from .migrations import LATEST_VERSION
from .models import Fact, Language
from .schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

MAGIC = b"wikibot-index-snapshot\n"
SUFFIX = ".index"
_MAX_HEADER = 4096


@dataclass(slots=True)
class IndexSnapshot:
    """What answering needs that is costly to rebuild, as of the store's change `change_id`.

    `change_fact` names the fact and revision of that change, so a snapshot laid beside
    another database (a restored backup) with the same counter is not mistaken for its own.
    """

    change_id: int
    change_fact: tuple[str, int] | None
    synonyms: tuple[tuple[str, ...], ...]
    facts: dict[str, Fact]
    index: FactIndex
    own_words: dict[Language, frozenset[str]]


def snapshot_path(database_path: Path | str) -> Path:
    path = Path(database_path)
    return path.with_name(path.name + SUFFIX)


def _versions() -> dict[str, int | str]:
    return {
        "matcher": MATCHER_VERSION,
        "store_schema": LATEST_VERSION,
        "document_schema": SCHEMA_VERSION,
        "code": code_fingerprint(),
    }


# The modules whose code decides what the pickled structures hold and how they are laid out.
_INDEX_MODULES = ("matcher.py", "typos.py", "text.py", "roles.py", "models.py", "answering.py")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the index's own source files: a snapshot never outlives a change to them, even
    one made without bumping MATCHER_VERSION (a rebuild too many costs one slow start)."""
    digest = hashlib.sha256()
    for name in _INDEX_MODULES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def save(path: Path, snapshot: IndexSnapshot) -> None:
    """Write atomically (a temporary file in the same folder, then os.replace): a crash
    mid-write leaves the previous snapshot or none, never half of one."""
    payload = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
    header = _versions() | {"length": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    descriptor, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(MAGIC)
            stream.write(json.dumps(header).encode("ascii") + b"\n")
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path) -> IndexSnapshot | None:
    """The snapshot at `path`, or None (logged) if it is missing, stale by version, or damaged."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("index snapshot %s cannot be read (%s); rebuilding the index", path, error)
        return None
    problem, snapshot = _parse(data)
    if snapshot is None:
        log.warning("index snapshot %s %s; rebuilding the index", path, problem)
    return snapshot


def _parse(data: bytes) -> tuple[str, IndexSnapshot | None]:
    if not data.startswith(MAGIC):
        return "is not an index snapshot", None
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    if end < 0:
        return "has no readable header", None
    try:
        header = json.loads(data[len(MAGIC) : end])
    except ValueError:
        return "has a damaged header", None
    if not isinstance(header, dict):
        return "has a damaged header", None
    versions = {key: header.get(key) for key in _versions()}
    if versions != _versions():
        return f"was built by another version ({versions}, now {_versions()})", None
    payload = data[end + 1 :]
    if len(payload) != header.get("length"):
        return f"is truncated ({len(payload)} of {header.get('length')} bytes)", None
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        return "is damaged (checksum mismatch)", None
    try:
        snapshot = pickle.loads(payload)
    except Exception as error:  # checksum passed, so this is a bug or a foreign file: never fatal
        return f"cannot be read ({type(error).__name__})", None
    if not isinstance(snapshot, IndexSnapshot):
        return "holds something other than an index snapshot", None
    return "", snapshot
