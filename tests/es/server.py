"""A real, throw-away Elasticsearch for the tests and the benchmark.

The server is the stripped ``integ-test-zip`` distribution, fetched once with Maven into
``.cache/elasticsearch/`` (git-ignored) and unpacked there. Each ``EsServer`` gets its own
directory (configuration, data, logs, temporary files), runs as a dedicated unprivileged
user when the tests run as root (Elasticsearch refuses to run as root), listens on
127.0.0.1 on free ports, and is stopped by process id, never by name.

The distribution has no JDK and only a few modules (no analysis-common, no ILM, no data
streams); it runs on the machine's Java 17.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

ES_VERSION = "8.19.3"
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache" / "elasticsearch"
ES_USER = "traceur-es"
START_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0


class EsHarnessError(RuntimeError):
    """The test Elasticsearch could not be fetched, unpacked, started or stopped."""


# -- the distribution ------------------------------------------------------------------


def fetch_distribution(cache_dir: Path = CACHE_DIR) -> Path:
    """The distribution zip in ``cache_dir``, fetched with Maven when it is not there yet."""
    target = cache_dir / f"elasticsearch-{ES_VERSION}.zip"
    if target.is_file() and zipfile.is_zipfile(target):
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise EsHarnessError(
            "Maven (mvn) is needed to fetch the test Elasticsearch; "
            "install it (apt-get install maven)"
            " or point the tests at a running cluster with TRACEUR_TEST_ES_URL=http://host:9200"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Maven runs in an empty directory so a pom.xml nearby can never change what it does.
    with tempfile.TemporaryDirectory(prefix="traceur-mvn-") as workdir:
        command = [
            mvn,
            "-q",
            "-B",
            "dependency:copy",
            f"-Dartifact={ARTIFACT}",
            f"-DoutputDirectory={cache_dir}",
        ]
        done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900)
    if done.returncode != 0 or not target.is_file():
        raise EsHarnessError(
            f"`{' '.join(command)}` failed (exit {done.returncode}):\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return target


def unpack_distribution(archive: Path, into: Path) -> Path:
    """Unpack ``archive`` under ``into`` once; return the Elasticsearch home directory."""
    home = into / f"elasticsearch-{ES_VERSION}"
    if (home / "bin" / "elasticsearch").is_file():
        return home
    into.mkdir(parents=True, exist_ok=True)
    # Unpack beside the target and rename at the end: an interrupted run leaves no half copy.
    partial = Path(tempfile.mkdtemp(prefix=".unpack-", dir=into))
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                path = Path(zipped.extract(member, partial))
                # zipfile drops Unix modes; the launch scripts need their execute bits back.
                mode = (member.external_attr >> 16) & 0o777
                if mode and not member.is_dir():
                    path.chmod(mode)
        unpacked = partial / f"elasticsearch-{ES_VERSION}"
        for path in [unpacked, *unpacked.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        unpacked.rename(home)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return home


def java_home() -> Path:
    """The JDK the server runs on: ``JAVA_HOME``, or the one the ``java`` on PATH belongs to."""
    if os.environ.get("JAVA_HOME"):
        return Path(os.environ["JAVA_HOME"])
    java = shutil.which("java")
    if java is None:
        raise EsHarnessError(
            "Java 17 or later is needed to run the test Elasticsearch; "
            "install a JDK (apt-get install openjdk-17-jre-headless)"
        )
    return Path(java).resolve().parent.parent


def server_account() -> tuple[int, int] | None:
    """(uid, gid) to run Elasticsearch as, creating the system user if needed; None when
    not root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(ES_USER)
    except KeyError:
        done = subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                ES_USER,
            ],
            capture_output=True,
            text=True,
        )
        try:
            # Another test session may have created it meanwhile.
            entry = pwd.getpwnam(ES_USER)
        except KeyError:
            raise EsHarnessError(
                f"cannot create the system user {ES_USER!r} "
                f"Elasticsearch runs as: {done.stderr.strip()}"
            ) from None
    return entry.pw_uid, entry.pw_gid


def _reachable(path: Path, uid: int, gid: int) -> bool:
    """Whether ``uid`` can traverse every directory down to ``path`` (read-only use)."""
    for directory in [*reversed(path.parents), path]:
        info = directory.stat()
        if info.st_uid == uid:
            needed = stat.S_IXUSR
        elif info.st_gid == gid:
            needed = stat.S_IXGRP
        else:
            needed = stat.S_IXOTH
        if not info.st_mode & needed:
            return False
    return True


def prepare_home(account: tuple[int, int] | None, cache_dir: Path = CACHE_DIR) -> Path:
    """Fetch and unpack the distribution (once; test sessions running side by side take
    turns); return a home directory the server account can read."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        home = cache_dir / f"elasticsearch-{ES_VERSION}"
        if not (home / "bin" / "elasticsearch").is_file():
            home = unpack_distribution(fetch_distribution(cache_dir), cache_dir)
        if account is not None and not _reachable(home, *account):
            # A checkout under a private directory (/root/...): give the server its own copy.
            shared = Path(tempfile.gettempdir()) / "traceur-es-dist"
            shared.mkdir(mode=0o755, exist_ok=True)
            shared.chmod(0o755)
            home = unpack_distribution(fetch_distribution(cache_dir), shared)
    return home


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- one server ------------------------------------------------------------------------


class EsServer:
    """One single-node Elasticsearch with its own data; ``stop()`` then ``start()`` keeps the data.

    ``extra_settings`` go into ``elasticsearch.yml`` (for example a tiny write thread pool).
    """

    def __init__(
        self,
        home: Path,
        account: tuple[int, int] | None,
        extra_settings: dict[str, Any] | None = None,
        heap: str = "256m",
    ) -> None:
        self.home = home
        self.account = account
        self.extra_settings = dict(extra_settings or {})
        self.heap = heap
        # In the system temporary directory, not pytest's: pytest's is private to root and the
        # server account could not enter it.
        self.workdir = Path(tempfile.mkdtemp(prefix="traceur-es-"))
        self.http_port = 0
        self.transport_port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.server_pid: int | None = None
        self._prepare_workdir()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "console.log"

    def _prepare_workdir(self) -> None:
        conf = self.workdir / "config"
        shutil.copytree(self.home / "config", conf)
        for name in ("data", "logs", "tmp"):
            (self.workdir / name).mkdir()
        if self.account is not None:
            for path in [self.workdir, *self.workdir.rglob("*")]:
                os.chown(path, *self.account)

    def config_settings(self) -> dict[str, Any]:
        """What goes into ``elasticsearch.yml`` (a cluster node replaces the discovery part)."""
        return {
            "cluster.name": "traceur-test",
            "node.name": "traceur-test-node",
            "network.host": "127.0.0.1",
            "http.port": self.http_port,
            "transport.port": self.transport_port,
            "discovery.type": "single-node",
            "xpack.security.enabled": False,
            # The test machine's disk may be nearly full; shards must still be allocated.
            "cluster.routing.allocation.disk.threshold_enabled": False,
            "path.data": str(self.workdir / "data"),
            "path.logs": str(self.workdir / "logs"),
            # Lets the tests delete their indices by pattern.
            "action.destructive_requires_name": False,
            **self.extra_settings,
        }

    def _write_config(self) -> None:
        settings = self.config_settings()
        lines = [f"{key}: {json.dumps(value)}" for key, value in settings.items()]
        path = self.workdir / "config" / "elasticsearch.yml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if self.account is not None:
            os.chown(path, *self.account)

    def _ports_free(self) -> bool:
        for port in (self.http_port, self.transport_port):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    return False
        return True

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server (on the ports it had before when they are still free) and wait
        until healthy."""
        self.launch()
        self.wait_healthy(timeout)

    def launch(self) -> None:
        """Start the server process without waiting for it (the nodes of a cluster elect a
        master only once enough of them run)."""
        if self.process is not None:
            raise EsHarnessError("the server is already running")
        if not self.http_port or not self._ports_free():
            self.http_port = free_port()
            self.transport_port = free_port()
            while self.transport_port == self.http_port:
                self.transport_port = free_port()
        self._write_config()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "ES_JAVA_HOME": str(java_home()),
            "ES_PATH_CONF": str(self.workdir / "config"),
            "ES_TMPDIR": str(self.workdir / "tmp"),
            "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}",
        }
        pidfile = self.workdir / "server.pid"
        pidfile.unlink(missing_ok=True)
        log = self.log_path.open("ab")
        extra: dict[str, Any] = {}
        if self.account is not None:
            extra = {"user": self.account[0], "group": self.account[1], "extra_groups": []}
        try:
            self.process = subprocess.Popen(
                [str(self.home / "bin" / "elasticsearch"), "-p", str(pidfile)],
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: a Ctrl-C in the terminal reaches pytest, which stops the
                # server itself.
                start_new_session=True,
                **extra,
            )
        finally:
            log.close()

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until the server answers healthy; stop it and raise if it does not in time."""
        if self.process is None:
            raise EsHarnessError("the server is not running")
        pidfile = self.workdir / "server.pid"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise EsHarnessError(
                    f"Elasticsearch exited with code {code} while starting:\n{self.log_tail()}"
                )
            if self.server_pid is None and pidfile.is_file():
                text = pidfile.read_text().strip()
                self.server_pid = int(text) if text.isdigit() else None
            if self._healthy():
                return
            time.sleep(0.5)
        self.stop()
        raise EsHarnessError(
            f"Elasticsearch was not healthy after {timeout:.0f}s:\n{self.log_tail()}"
        )

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=5
            ) as response:
                body = json.load(response)
        except (OSError, ValueError):
            return False
        return body.get("status") in ("yellow", "green")

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the server by its process id (SIGTERM, then SIGKILL if it does not exit)."""
        if self.process is None:
            return
        pids = [pid for pid in (self.server_pid, self.process.pid) if pid]
        for pid in pids:
            _signal(pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for pid in pids:
                _signal(pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
        # The launcher may exit a moment before the server JVM it started.
        if self.server_pid:
            deadline = time.monotonic() + timeout
            while _alive(self.server_pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(self.server_pid):
                _signal(self.server_pid, signal.SIGKILL)
        self.process = None
        self.server_pid = None

    def destroy(self) -> None:
        """Stop the server and delete its data."""
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def start_server(extra_settings: dict[str, Any] | None = None, heap: str = "256m") -> EsServer:
    """Fetch, unpack and start a server; the caller stops it with ``destroy()``."""
    account = server_account()
    server = EsServer(prepare_home(account), account, extra_settings, heap)
    # Should the caller never get to destroy() (an interrupted run), stop it on the way out.
    atexit.register(server.destroy)
    try:
        server.start()
    except BaseException:
        server.destroy()
        raise
    return server
