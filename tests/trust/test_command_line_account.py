"""Issue 13, point 3: the command line acts as the account mapped to the operating-system login,
like the desk does — writing the database file is not a door. An ordinary OS user (``nobody``,
who here may even write the file, as the old shared-group deployment let them) cannot make
themselves an administrator; mapped to a receptionist, they are a receptionist."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.trust.helpers import other_user_env, other_user_python, other_users_cannot_run, run

GROUP = 47_320


@pytest.fixture
def shared_db() -> Iterator[Path]:
    reason = other_users_cannot_run()
    if reason:
        if os.environ.get("CI"):  # CI runs as root with a 'nobody' user: missing is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user on this machine")
    top = Path(tempfile.mkdtemp(prefix="crous-desk-cli-"))
    os.chmod(top, 0o755)
    folder = top / "srv"
    folder.mkdir()
    os.chown(folder, 0, GROUP)
    os.chmod(folder, 0o2770)
    path = folder / "desk.db"
    done = subprocess.run(
        [*other_user_python(), "-m", "crous_desk.cli.main", "staff", "add", "chef",
         "--role", "administrator", "--passphrase-stdin", "--db", str(path)],
        input="correct horse battery\n", capture_output=True, text=True, timeout=60,
        env=other_user_env(), cwd="/",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    try:
        yield path
    finally:
        shutil.rmtree(top)


def as_nobody(path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*other_user_python(), "-m", "crous_desk.cli.main", *argv, "--db", str(path)],
        user="nobody",
        group=GROUP,
        extra_groups=[GROUP],
        input="correct horse battery\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=other_user_env(),
        cwd="/",
    )


def usernames(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {name for (name,) in connection.execute("SELECT username FROM staff")}
    finally:
        connection.close()


def test_an_unmapped_login_is_refused_even_with_the_file_writable(shared_db: Path) -> None:
    done = as_nobody(
        shared_db, "staff", "add", "evil", "--role", "administrator", "--passphrase-stdin"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the login nobody is mapped to no active staff account" in done.stderr
    assert "Traceback" not in done.stderr
    assert "evil" not in usernames(shared_db) and "os:nobody" not in usernames(shared_db)


def test_a_login_mapped_to_a_receptionist_acts_as_that_receptionist(shared_db: Path) -> None:
    assert (
        run(
            "staff",
            "add",
            "b.roux",
            "--role",
            "receptionist",
            "--residence",
            "*",
            "--os-user",
            "nobody",
            "--db",
            shared_db,
        )
        == 0
    )
    done = as_nobody(
        shared_db, "staff", "add", "evil", "--role", "administrator", "--passphrase-stdin"
    )
    assert done.returncode == 1
    assert "a receptionist cannot manage staff accounts" in done.stderr
    assert "evil" not in usernames(shared_db)
