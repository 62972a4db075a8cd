"""Every file crous-desk writes (exports, slips, rejected rows, crash logs, key logs): whole or
not at all, private to its owner, and never over a file nobody asked to replace.

- **Never clobber.** An existing file is refused unless the caller was told to replace it
  (``--replace`` on the command line); even then a link, a device, a pipe or a directory is
  refused, and so are the database's own files (the database, its ``-wal``, ``-shm`` and
  ``-journal`` files, its start-up lock), registered by :func:`protect` when the database
  opens.
- **Atomic.** The bytes go to a temporary ``.NAME.PID.XXXX.part`` file beside the target, which
  becomes the target only once complete (a hard link when nothing may be replaced, so that a
  file that appeared meanwhile is not overwritten either; a rename otherwise). A ``.part`` file
  left by a process that was killed is removed by the next write to the same place.
- **Private.** Files are created 0640 at most (0600 for what only their owner reads), whatever
  the umask allows: nobody but the owner (and their group) reads students' data.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _

OUTPUT_MODE = 0o640  # exports and slips: the owner, and their group when the umask allows
PRIVATE_MODE = 0o600  # crash logs, keys: the owner only
DATABASE_SIDES = ("", "-wal", "-shm", "-journal", ".migrate-lock")

_protected: set[str] = set()


def _umask() -> int:
    mask = os.umask(0o022)  # read once, at import, while nothing runs in another thread
    os.umask(mask)
    return mask


_UMASK = _umask()


def protect(*paths: str | os.PathLike[str]) -> None:
    """Never write over these files (the database and what SQLite keeps beside it, a key)."""
    for path in paths:
        for side in DATABASE_SIDES:
            _protected.add(os.path.realpath(f"{os.fspath(path)}{side}"))


def is_protected(path: str | os.PathLike[str]) -> bool:
    return os.path.realpath(path) in _protected


def output_problem(path: Path, *, replace: bool = False) -> Problem | None:
    """Why crous-desk may not write ``path`` (None: it may)."""
    if is_protected(path):
        return Problem(
            "output_is_database",
            _("{path} is one of the database's own files: name another file").format(path=path),
        )
    try:
        found = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as error:
        return _not_writable(path, error)
    if stat.S_ISDIR(found.st_mode):
        return Problem(
            "is_a_directory", _("{path} is a directory: name the file to write").format(path=path)
        )
    if not stat.S_ISREG(found.st_mode):
        return Problem(
            "special_file",
            _(
                "{path} is not an ordinary file (a link, a device or a pipe): crous-desk does "
                "not write there"
            ).format(path=path),
        )
    if not replace:
        return Problem(
            "file_exists",
            _("{path} exists already: name another file, or say to replace it").format(path=path),
        )
    return None


def _not_writable(path: Path, error: OSError) -> Problem:
    return Problem(
        "not_writable",
        _("cannot write {path}: {error}").format(path=path, error=error.strerror or error),
    )


def remove_stale_parts(path: Path) -> int:
    """Remove the ``.part`` files a killed process left for ``path``; returns how many."""
    removed = 0
    try:
        leftovers = list(path.parent.glob(f".{path.name}.*.part"))
    except OSError:
        return 0
    for part in leftovers:
        pid_text = part.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue  # still being written by a running process
        try:
            part.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


@contextmanager
def safe_output(
    path: Path, *, replace: bool = False, mode: int = OUTPUT_MODE
) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` whole, or not at all; refused (nothing written)
    when ``path`` may not be written (see the module's rules)."""
    path = Path(path)
    problem = output_problem(path, replace=replace)
    if problem:
        raise Refused(problem)
    remove_stale_parts(path)
    try:
        fd, temp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".part"
        )
    except OSError as error:
        raise Refused(_not_writable(path, error)) from None
    try:
        os.fchmod(fd, mode & ~_UMASK)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _put_in_place(Path(temp), path, replace=replace)
    finally:
        Path(temp).unlink(missing_ok=True)


def _put_in_place(temp: Path, path: Path, *, replace: bool) -> None:
    problem = output_problem(path, replace=replace)  # what appeared while it was written
    if problem:
        raise Refused(problem)
    if replace:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)  # fails if a file appeared meanwhile: never over it
    except FileExistsError:
        raise Refused(output_problem(path) or _not_writable(path, OSError())) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        os.replace(temp, path)  # a file system without hard links: checked just above


def write_bytes(path: Path, data: bytes, *, replace: bool = False, mode: int = OUTPUT_MODE) -> Path:
    with safe_output(path, replace=replace, mode=mode) as handle:
        handle.write(data)
    return path


def free_name(path: Path) -> Path:
    """``path``, or ``NAME-2.EXT``, ``NAME-3.EXT``… the first that does not exist yet (for a
    file the desk names itself, in its own folder)."""
    candidate, n = path, 1
    while os.path.lexists(candidate):
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate
