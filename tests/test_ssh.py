"""A mobility manager reaches crous-desk over SSH: a real sshd (Debian's openssh-server) on a
loopback port with its own host key and configuration in tmp_path, the shipped wrapper
(deploy/crous-desk-ssh) as ForceCommand, a key login through a pseudo-terminal of 80×24,
the operating-system login trusted and mapped to the manager's account. The test reads the
manager's workspace from the other end — the counts of their students — and quits.

It runs as root (sshd must switch to the logged-in user; here it is root itself, which the
configuration allows for keys only). Without openssh-server it is skipped on a developer
machine and fails under CI (CI=true), where .ci/run installs it (openssh-server).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crous_desk.base.clock import SystemClock
from crous_desk.base.i18n import set_language
from crous_desk.office.demo import seed_demo
from crous_desk.office.pipeline import default_year, pipeline, step_short
from crous_desk.people.auth import current_os_user
from crous_desk.services import Desk
from crous_desk.store.db import connect
from crous_desk.store.models import Staff
from crous_desk.store.models import db as proxy

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
WRAPPER = ROOT / "deploy" / "crous-desk-ssh"
SSHD = "/usr/sbin/sshd"
TIMEOUT = 30  # seconds for each wait; a hung session fails the test instead of hanging it
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "sshd must run as root to log a user in"
    if not Path(SSHD).exists() or not shutil.which("ssh") or not shutil.which("ssh-keygen"):
        return "openssh-server / openssh-client not installed"
    if not shutil.which("crous-desk", path=str(Path(sys.executable).parent)):
        return "the crous-desk command is not installed next to this Python"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def manager_db(tmp_path: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    """The demo data at today's date, the manager mapped to this OS login; the counts the
    workspace must show."""
    path = tmp_path / "desk.db"
    database = connect(path)
    try:
        seed_demo(SystemClock())
        manager = Staff.get(Staff.username == "s.laurent")
        Staff.update(os_user=current_os_user()).where(Staff.id == manager.id).execute()
        desk = Desk(Staff.get_by_id(manager.id), SystemClock(), None)
        counts = pipeline(desk, year=default_year(desk)).counts
    finally:
        database.close()
        proxy.initialize(None)
    yield path, counts


@pytest.fixture
def sshd(tmp_path: Path, manager_db: tuple[Path, dict[str, int]]) -> Iterator[tuple[int, Path]]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):  # .ci/run installs openssh-server: missing there is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    db_path, _counts = manager_db
    port = free_port()
    host_key, client_key = tmp_path / "host_key", tmp_path / "client_key"
    for key in (host_key, client_key):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
            check=True,
            timeout=TIMEOUT,
        )
    (tmp_path / "authorized_keys").write_text(
        (client_key.with_suffix(".pub")).read_text(), encoding="ascii"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
    crous_desk = shutil.which("crous-desk", path=str(Path(sys.executable).parent))
    config = tmp_path / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {host_key}",
                f"PidFile {tmp_path / 'sshd.pid'}",
                f"AuthorizedKeysFile {tmp_path / 'authorized_keys'}",
                "StrictModes no",  # tmp_path's parents are not root-only
                "UsePAM no",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "PermitTTY yes",
                "AllowTcpForwarding no",
                "X11Forwarding no",
                "LogLevel VERBOSE",
                "AcceptEnv LANG LC_*",  # Debian's default: the client's locale comes along
                f"SetEnv CROUS_DESK_BIN={crous_desk} CROUS_DESK_DB={db_path} "
                f"CROUS_DESK_CONFIG={tmp_path / 'no-config.toml'}",
                # as in the README, for the managers' group; this sshd serves only this test
                f"ForceCommand {WRAPPER}",
                "",
            ]
        ),
        encoding="ascii",
    )
    log = (tmp_path / "sshd.log").open("wb")
    server = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("sshd did not start:\n" + (tmp_path / "sshd.log").read_text())
                time.sleep(0.05)
        yield port, client_key
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        log.close()


class Terminal:
    """The client side: ssh in a pseudo-terminal of 80×24, its output read by a thread."""

    def __init__(self, argv: list[str], lang: str = "C.UTF-8") -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "LANG": lang}
        env.pop("LC_ALL", None)
        env.pop("LC_MESSAGES", None)
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.output.extend(chunk)

    def text(self) -> str:
        with self.lock:
            raw = bytes(self.output)
        return ANSI.sub("", raw.decode("utf-8", "replace"))

    def wait_for(self, *needles: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            seen = self.text()
            if all(n in seen for n in needles):
                return seen
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        missing = [n for n in needles if n not in self.text()]
        raise AssertionError(f"never shown: {missing}\n--- screen ---\n{self.text()[-3000:]}")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        os.close(self.master)


@pytest.mark.parametrize(
    ("lang", "language", "title"),
    [("C.UTF-8", "en", "Students"), ("fr_FR.UTF-8", "fr", "Étudiants")],
)
def test_a_manager_over_ssh_sees_their_students(
    sshd: tuple[int, Path],
    manager_db: tuple[Path, dict[str, int]],
    lang: str,
    language: str,
    title: str,
) -> None:
    """The client's locale crosses SSH: a French terminal gets the French desk, although the
    wrapper runs the desk in C.UTF-8 (the server may have no French locale at all)."""
    port, key = sshd
    _db, counts = manager_db
    set_language(language)
    steps = {step: f"{step_short(step)} {counts[step]}" for step in ("form", "arrived", "proposed")}
    set_language(None)
    terminal = Terminal(
        [
            "ssh",
            "-tt",
            "-o",
            "SendEnv=LANG",
            "-p",
            str(port),
            "-i",
            str(key),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            f"{current_os_user()}@127.0.0.1",
            "rm -rf /",  # whatever the client asks, ForceCommand opens the desk
        ],
        lang=lang,
    )
    try:
        shown = terminal.wait_for(title, "Sophie Laurent", *steps.values())
        assert "Traceback" not in shown
        terminal.send(b"\x11")  # Ctrl+Q
        assert terminal.process.wait(timeout=TIMEOUT) == 0
    finally:
        terminal.close()
