"""Fixtures every tier shares: a real PostgreSQL server for the session, a fresh database per test,
and `store_target`, which runs a store test once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import postgres

BACKENDS = ("sqlite", "postgresql")
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    """Started on first use only, so a run with no PostgreSQL test starts no server."""
    with postgres.running() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: postgres.PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database of its own, dropped after the test."""
    name = f"test_{next(_databases)}"
    postgres.run_client(postgres_server, "createdb", "-T", "template0", name)
    yield postgres_server.url(name)
    postgres.run_client(postgres_server, "dropdb", "--force", "--if-exists", name)


@pytest.fixture(params=BACKENDS)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a store test keeps its data: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "nested" / "store.db"
    return str(request.getfixturevalue("postgres_url"))
