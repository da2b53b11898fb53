"""A PostgreSQL server of a test's own, which the test may stop, crash and start again.

The machine's shared server (TEST_DATABASE_URL) is never touched: this one is made with
initdb in a temporary directory and listens on 127.0.0.1 with trust authentication. initdb refuses to run as root, so under root every server command runs as
the `postgres` OS user (Debian's PostgreSQL package creates it).
"""
from __future__ import annotations

import os
import pwd
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.live_app import file_tail

INSTALL_ROOT = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"
PORT_TRIES = 5
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def unassigned_port() -> int:
    """A port just below the kernel's ephemeral range.

    PostgreSQL must be told its port: it cannot bind port 0 and say which it got. The system
    never hands out a port below that range, to a server binding port 0 nor to an outgoing
    connection, so no server of this suite can take it, even while a test has PostgreSQL
    stopped; another program may hold it, and then start() tries another (PORT_TRIES times).
    """
    low = int(EPHEMERAL_RANGE.read_text().split()[0]) if EPHEMERAL_RANGE.exists() else 32768
    return random.randrange(max(1024, low - 10_000), low)


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL bin directory that has initdb and pg_ctl, if any."""
    found = [
        path for path in INSTALL_ROOT.glob("*/bin")
        if (path / "initdb").exists() and (path / "pg_ctl").exists()
    ]
    version = lambda path: [int(part) for part in re.findall(r"\d+", path.parent.name)]
    return max(found, key=version, default=None)


class PrivatePostgres:
    """One throwaway cluster: init() and start() it, stop() and start() it at will, remove() it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = unassigned_port()
        self._started = False  # once started, the port is the server's: restarts keep it
        self.root = Path(tempfile.mkdtemp(prefix="campaign-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._owner = pwd.getpwnam(SERVER_USER) if os.geteuid() == 0 else None
        if self._owner is not None:
            os.chown(self.root, self._owner.pw_uid, self._owner.pw_gid)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        # No fsync: a test's data need not survive the machine, only the server's restarts.
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")

    def start(self) -> None:
        """Start the server: the first time on another port while its port is taken."""
        for _ in range(1 if self._started else PORT_TRIES):
            if not self._started:  # a new log, so that only this try's words count
                self.log.unlink(missing_ok=True)
            options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
                       "-c fsync=off -c full_page_writes=off -c max_connections=50")
            result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                               "-w", "-t", "60", "start", check=False)
            if result.returncode == 0:
                self._started = True
                return
            if self._started or "Address already in use" not in self.log_tail():
                break
            self.port = unassigned_port()
        raise RuntimeError(f"pg_ctl start failed ({result.returncode}):\n{result.stdout}\n"
                           f"{result.stderr}\n{self.log_tail()}")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" ends sessions cleanly, "immediate" is a crash (recovery on start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def create_database(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def remove(self) -> None:
        """Stop the server if it runs and delete its files."""
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        return file_tail(self.log)

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / program), *args]
        if self._owner is not None:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=90,
                                cwd=self.root, stdin=subprocess.DEVNULL, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}):\n{result.stdout}\n"
                               f"{result.stderr}\n{self.log_tail()}")
        return result
