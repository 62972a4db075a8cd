"""A mobility manager reaches crous-desk over SSH: a real sshd (Debian's openssh-server) on a
loopback port with its own host key and configuration, the shipped wrapper
(deploy/crous-desk-ssh) as ForceCommand, a key login through a pseudo-terminal of 80×24,
the operating-system login trusted and mapped to the manager's account. The tests read the
manager's workspace from the other end — the counts of their students — and quit.

Two deployments: the simple one, where the login is root itself (keys only), and the README's
recommended one, where an ordinary login who cannot read the database file reaches the desk
only through the wrapper, which sudo runs as the service account owning the file. They need
root; without openssh-server or sudo they are skipped on a developer machine and fail under CI
(CI=true), where .ci/run installs them.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
from tests.trust.helpers import other_user_env, other_user_python, other_users_cannot_run

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


def make_keys(folder: Path) -> tuple[Path, Path]:
    """A host key and a client key in ``folder``; the client's public key authorised."""
    host_key, client_key = folder / "host_key", folder / "client_key"
    for key in (host_key, client_key):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
            check=True,
            timeout=TIMEOUT,
        )
    (folder / "authorized_keys").write_text(
        (client_key.with_suffix(".pub")).read_text(), encoding="ascii"
    )
    return host_key, client_key


@contextmanager
def running_sshd(folder: Path, port: int, host_key: Path, settings: list[str]) -> Iterator[None]:
    """A real sshd on a loopback port, configured in ``folder``, until the block ends."""
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
    config = folder / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {host_key}",
                f"PidFile {folder / 'sshd.pid'}",
                f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                "StrictModes no",  # the test's folders' parents are not root-only
                "UsePAM no",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitTTY yes",
                "AllowTcpForwarding no",
                "X11Forwarding no",
                "LogLevel VERBOSE",
                "AcceptEnv LANG LC_*",  # Debian's default: the client's locale comes along
                *settings,
                "",
            ]
        ),
        encoding="ascii",
    )
    log_path = folder / "sshd.log"
    log = log_path.open("wb")
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
                    pytest.fail("sshd did not start:\n" + log_path.read_text())
                time.sleep(0.05)
        yield
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        log.close()


def require_sshd() -> None:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):  # .ci/run installs openssh-server: missing there is a failure
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def sshd(tmp_path: Path, manager_db: tuple[Path, dict[str, int]]) -> Iterator[tuple[int, Path]]:
    require_sshd()
    db_path, _counts = manager_db
    port = free_port()
    host_key, client_key = make_keys(tmp_path)
    crous_desk = shutil.which("crous-desk", path=str(Path(sys.executable).parent))
    settings = [
        "PermitRootLogin prohibit-password",
        f"SetEnv CROUS_DESK_BIN={crous_desk} CROUS_DESK_DB={db_path} "
        f"CROUS_DESK_CONFIG={tmp_path / 'no-config.toml'}",
        # as in the README, for the managers' group; this sshd serves only this test
        f"ForceCommand {WRAPPER}",
    ]
    with running_sshd(tmp_path, port, host_key, settings):
        yield port, client_key


def ssh_argv(port: int, key: Path, login: str, *command: str) -> list[str]:
    return [
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
        f"{login}@127.0.0.1",
        *command,
    ]


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
        # whatever the client asks, ForceCommand opens the desk
        ssh_argv(port, key, current_os_user(), "rm -rf /"),
        lang=lang,
    )
    try:
        shown = terminal.wait_for(title, "Sophie Laurent", *steps.values())
        assert "Traceback" not in shown
        terminal.send(b"\x11")  # Ctrl+Q
        assert terminal.process.wait(timeout=TIMEOUT) == 0
    finally:
        terminal.close()


# -- the deployment where the file is not the door (README) ----------------------------------------
# Two operating-system accounts, made once on the machine when missing (a throw-away CI machine;
# they are kept for the next run): the service account that owns the database, and an ordinary
# login, a mobility manager, who reaches the desk only through the wrapper run by sudo as the
# service account. The test writes its sudoers rule in /etc/sudoers.d (checked by visudo first,
# removed at the end) for a wrapper in a root-owned temporary folder, its defaults edited as the
# README says.

SERVICE = "crous-desk-svc"
MANAGER = "crous-desk-mgr"


def _ensure_account(name: str, shell: str) -> None:
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
         "/nonexistent", "--shell", shell, name],
        check=True, timeout=TIMEOUT,
    )  # fmt: skip
    # '*': no passphrase can open it, but the account is not locked ('!'), so sshd lets a key in
    subprocess.run(["usermod", "-p", "*", name], check=True, timeout=TIMEOUT)


def _as(login: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv),
        user=login,
        group=pwd.getpwnam(login).pw_gid,
        extra_groups=[],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=other_user_env(),
        cwd="/",
    )


@pytest.fixture
def service_deployment() -> Iterator[dict[str, object]]:
    """The README's recommended deployment, in a temporary folder: the desk's folder private to
    the service account, the manager mapped to a staff account, the wrapper and its sudoers
    rule."""
    require_sshd()
    reason = other_users_cannot_run()
    for tool in ("sudo", "visudo", "useradd", "usermod"):
        if not shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin:/bin"):
            reason = reason or f"{tool} is not installed"
    if reason:
        if os.environ.get("CI"):  # .ci/run installs sudo: missing there is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    _ensure_account(SERVICE, "/usr/sbin/nologin")
    _ensure_account(MANAGER, "/bin/sh")
    service = pwd.getpwnam(SERVICE)

    top = Path(tempfile.mkdtemp(prefix="crous-desk-ssh-"))
    os.chmod(top, 0o755)  # root's; others may pass through, not write
    rule = Path("/etc/sudoers.d") / f"crous-desk-test-{secrets.token_hex(6)}"
    try:
        bin_dir, ssh_dir, srv = top / "bin", top / "ssh", top / "srv"
        for folder in (bin_dir, ssh_dir, srv):
            folder.mkdir(mode=0o755)
        # the desk's command (the installed entry point), as the service account can run it
        launcher = bin_dir / "crous-desk"
        environment = other_user_env()
        launcher.write_text(
            "#!/bin/sh\n"
            f"PYTHONPATH={shlex.quote(environment['PYTHONPATH'])} "
            f"exec {' '.join(map(shlex.quote, other_user_python()))} "
            "-c 'import sys; from screens.entry import main; sys.exit(main())' \"$@\"\n",
            encoding="utf-8",
        )
        launcher.chmod(0o755)
        # the wrapper, its three defaults edited as the README says
        db_path = srv / "desk.db"
        wrapper = bin_dir / "crous-desk-ssh"
        text = WRAPPER.read_text(encoding="utf-8")
        for variable, value in (
            ("CROUS_DESK_BIN", str(launcher)),
            ("CROUS_DESK_DB", str(db_path)),
            ("CROUS_DESK_SERVICE_USER", SERVICE),
        ):
            line = re.compile(rf'^{variable}="\$\{{{variable}:-[^}}]*\}}"$', re.MULTILINE)
            text, count = line.subn(f'{variable}="${{{variable}:-{value}}}"', text)
            assert count == 1, f"the wrapper no longer sets {variable} by default"
        wrapper.write_text(text, encoding="utf-8")
        wrapper.chmod(0o755)
        # the desk's data, made and then handed to the service account, private to it
        database = connect(db_path)
        try:
            seed_demo(SystemClock())
            manager = Staff.get(Staff.username == "s.laurent")
            Staff.update(os_user=MANAGER).where(Staff.id == manager.id).execute()
            desk = Desk(Staff.get_by_id(manager.id), SystemClock(), None)
            counts = pipeline(desk, year=default_year(desk)).counts
        finally:
            database.close()
            proxy.initialize(None)
        for path in [srv, *srv.iterdir()]:
            os.chown(path, service.pw_uid, service.pw_gid)
            path.chmod(0o700 if path.is_dir() else 0o600)
        # the rule: the managers may run this wrapper as the service account, and nothing else
        draft = top / "sudoers"
        draft.write_text(f"{MANAGER} ALL=({SERVICE}) NOPASSWD: {wrapper}\n", encoding="ascii")
        draft.chmod(0o440)
        subprocess.run(["visudo", "-cqf", str(draft)], check=True, timeout=TIMEOUT)
        shutil.copy2(draft, rule)
        host_key, client_key = make_keys(ssh_dir)
        (ssh_dir / "authorized_keys").chmod(0o644)  # sshd reads it as the manager
        port = free_port()
        settings = [
            f"AllowUsers {MANAGER}",
            "PermitRootLogin no",
            f"ForceCommand {wrapper}",
        ]
        with running_sshd(ssh_dir, port, host_key, settings):
            yield {"port": port, "key": client_key, "db": db_path, "counts": counts}
    finally:
        rule.unlink(missing_ok=True)
        shutil.rmtree(top)


def test_an_ordinary_login_reaches_the_desk_only_through_the_wrapper(
    service_deployment: dict[str, object],
) -> None:
    """The manager, an ordinary OS user, logs in over SSH and works at their own desk (sudo ran
    the wrapper as the service account and passed the login it authenticated); the same login
    cannot read the file, nor make sudo run anything else."""
    port, key = service_deployment["port"], service_deployment["key"]
    db_path, counts = service_deployment["db"], service_deployment["counts"]
    assert isinstance(port, int) and isinstance(key, Path) and isinstance(db_path, Path)
    assert isinstance(counts, dict)
    steps = [f"{step_short(step)} {counts[step]}" for step in ("form", "arrived", "proposed")]

    # the file is not the door: the manager's login reads nothing of it directly
    for argv in (
        ["cat", str(db_path)],
        ["sqlite3", str(db_path), "SELECT count(*) FROM student"],
        [*other_user_python(), "-m", "crous_desk.cli.main", "staff", "list", "--db", str(db_path)],
        ["sudo", "-n", "-u", SERVICE, "cat", str(db_path)],
    ):
        if not shutil.which(argv[0], path="/usr/bin:/bin") and not Path(argv[0]).is_file():
            continue  # sqlite3's shell may be absent; the others are always there
        done = _as(MANAGER, *argv)
        assert done.returncode != 0, (argv, done.stdout)
        assert "Sophie" not in done.stdout and "SQLite format" not in done.stdout

    terminal = Terminal(ssh_argv(port, key, MANAGER, "sqlite3 " + str(db_path)))
    try:
        shown = terminal.wait_for("Students", "Sophie Laurent", *steps)
        assert "Traceback" not in shown
        terminal.send(b"\x11")  # Ctrl+Q
        assert terminal.process.wait(timeout=TIMEOUT) == 0
    finally:
        terminal.close()

    # the desk ran as the service account, as the staff account mapped to the manager's login
    service = pwd.getpwnam(SERVICE)
    for path in db_path.parent.iterdir():
        status = path.stat()
        assert (status.st_uid, status.st_mode & 0o077) == (service.pw_uid, 0), path
    connection = sqlite3.connect(db_path)
    try:
        (signed_in,) = connection.execute(
            "SELECT last_sign_in_at FROM staff WHERE username = 's.laurent'"
        ).fetchone()
    finally:
        connection.close()
    assert signed_in is not None
