"""Issue 13, point 4: the database, its WAL, shared memory and start-up lock are private to
their owner (or, in a directory shared by a group, to that group), whatever the umask; and a
shared-group deployment lets every member in, not only the first. The group test runs real
processes as other users (numeric uids: no account is created on the machine)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from crous_desk.store.db import connect
from crous_desk.store.models import Setting
from crous_desk.store.models import db as proxy
from tests.trust.helpers import other_user_env, other_user_python, other_users_cannot_run

GROUP, FIRST, SECOND, OUTSIDER = 47_310, 47_311, 47_312, 47_313


def modes(path: Path) -> dict[str, int]:
    return {
        side: stat.S_IMODE(os.stat(f"{path}{side}").st_mode)
        for side in ("", "-wal", "-shm", ".migrate-lock")
        if os.path.exists(f"{path}{side}")
    }


def test_the_database_and_its_side_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    mask = os.umask(0o000)  # the loosest umask: files would be 0666
    try:
        database = connect(path)
        Setting.create(key="probe", value="x")
        found = modes(path)  # while open: the WAL and shared memory are there
        database.close()
    finally:
        os.umask(mask)
        proxy.initialize(None)
    assert set(found) == {"", "-wal", "-shm", ".migrate-lock"}
    assert all(mode == 0o600 for mode in found.values()), found


def test_an_old_world_readable_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    connect(path).close()
    proxy.initialize(None)
    os.chmod(path, 0o644)
    database: Database = connect(path)
    database.close()
    proxy.initialize(None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # others read nothing any more


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder shared by a group (2770), reachable by other users (under /tmp, not tmp_path
    whose parents are root's only)."""
    reason = other_users_cannot_run()
    if reason:
        if os.environ.get("CI"):  # CI runs as root with a 'nobody' user: missing is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    top = Path(tempfile.mkdtemp(prefix="crous-desk-group-"))
    os.chmod(top, 0o755)
    folder = top / "srv"
    folder.mkdir()
    os.chown(folder, 0, GROUP)
    os.chmod(folder, 0o2770)
    try:
        yield folder
    finally:
        shutil.rmtree(top)


def as_user(uid: int, groups: list[int], code: str, path: Path) -> subprocess.CompletedProcess[str]:
    script = (
        "import sys\n"
        "from crous_desk.store.db import connect\n"
        "from crous_desk.store.models import Setting\n"
        "database = connect(sys.argv[1])\n" + code + "\ndatabase.close()\n"
    )
    return subprocess.run(
        [*other_user_python(), "-c", script, str(path)],
        user=uid,
        group=groups[0],
        extra_groups=groups,
        umask=0o022,
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
        env=other_user_env(),
    )


def test_a_shared_group_deployment_lets_every_member_in(shared_dir: Path) -> None:
    path = shared_dir / "desk.db"
    first = as_user(FIRST, [GROUP], "Setting.create(key='first', value='1')", path)
    assert first.returncode == 0, first.stderr
    second = as_user(SECOND, [GROUP], "Setting.create(key='second', value='2')", path)
    assert second.returncode == 0, second.stderr  # was: Permission denied: …migrate-lock
    assert {m for m in modes(path).values()} == {0o660}
    outsider = as_user(OUTSIDER, [OUTSIDER], "print(Setting.select().count())", path)
    assert outsider.returncode != 0
    assert "Permission denied" in outsider.stderr or "unable to open" in outsider.stderr
