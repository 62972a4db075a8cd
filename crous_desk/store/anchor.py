"""What authenticates the audit log from outside the database: a key and an anchor log.

- **The key** (32 random bytes, hexadecimal, in a file of its own: ``CROUS_DESK_AUDIT_KEY``,
  else ``DATABASE.audit-key`` beside the database file, made on first need, 0600) signs each
  entry's hash with HMAC-SHA256 (``audit_log.mac``). Whoever edits the database file alone —
  a copy, a restored backup, a connection to it — cannot make an entry this installation
  accepts: a rewritten entry with every later hash recomputed fails on its MAC.
- **The anchor log** (``CROUS_DESK_AUDIT_ANCHORS``, else ``DATABASE.audit-anchors``) gets one
  line per anchor: the time, the number of entries and the head hash, and their MAC. It is
  only ever appended to (``O_APPEND``); make it append-only for the database's writer too
  (``chattr +a``, or a copy mailed or logged elsewhere: the 17:00 list prints the anchor).
  A deleted tail or an emptied log then falls short of the last anchor; a re-hashed chain no
  longer has the anchored head at the anchored position.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from peewee import SqliteDatabase

from crous_desk.store.models import db

KEY_BYTES = 32


def _database_file() -> Path | None:
    bound = db.obj
    path = getattr(bound, "database", None)
    if isinstance(bound, SqliteDatabase) and isinstance(path, str) and path != ":memory:":
        return Path(path)
    return None


def key_path() -> Path | None:
    """Where the key is (None: no file database and no CROUS_DESK_AUDIT_KEY: no key)."""
    configured = os.environ.get("CROUS_DESK_AUDIT_KEY")
    if configured:
        return Path(configured)
    database = _database_file()
    return Path(f"{database}.audit-key") if database else None


def anchors_path() -> Path | None:
    configured = os.environ.get("CROUS_DESK_AUDIT_ANCHORS")
    if configured:
        return Path(configured)
    database = _database_file()
    return Path(f"{database}.audit-anchors") if database else None


_cache: dict[str, bytes] = {}


def _mode(path: Path) -> int:
    from crous_desk.store.db import file_mode  # the database's own: 0600, or 0660 shared

    return file_mode(path.parent)


def load_key(*, create: bool = False) -> bytes | None:
    """This installation's audit key (None: no place for one, or not made yet and not
    ``create``). Made by :func:`crous_desk.store.audit.record` on first need."""
    path = key_path()
    if path is None:
        return None
    cached = _cache.get(str(path))
    if cached is not None:
        return cached
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        if not create:
            return None
        key = _make_key(path)
    _cache[str(path)] = key
    return key


def _make_key(path: Path) -> bytes:
    from crous_desk.base.files import protect

    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:  # another desk made it meanwhile: theirs is the key
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    try:
        os.fchmod(fd, _mode(path))
        os.write(fd, (key.hex() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    protect(path)
    return key


def forget_cached_keys() -> None:
    _cache.clear()


def mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def entry_mac(key: bytes, entry_hash: str) -> str:
    return mac(key, f"entry:{entry_hash}")


# -- the anchor log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    at: str
    entries: int
    head: str
    mac: str
    line: int

    def authentic(self, key: bytes | None) -> bool:
        return key is not None and hmac.compare_digest(
            self.mac, mac(key, f"anchor:{self.entries}:{self.head}")
        )

    def __str__(self) -> str:
        return f"{self.at} entries={self.entries} head={self.head} mac={self.mac}"


def anchor_line(entries: int, head: str, at: datetime, key: bytes) -> str:
    return str(
        Anchor(
            at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            entries,
            head,
            mac(key, f"anchor:{entries}:{head}"),
            0,
        )
    )


def append_anchor(line: str, path: Path | None = None) -> Path | None:
    """Append one line to the anchor log (never rewritten: O_APPEND)."""
    path = path or anchors_path()
    if path is None:
        return None
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        if os.fstat(fd).st_size == 0:
            os.fchmod(fd, _mode(path))
        os.write(fd, (line + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def read_anchors(path: Path) -> list[Anchor]:
    """The anchors of the log at ``path`` (lines that are not one are skipped)."""
    anchors = []
    for number, text in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        parts = text.split()
        try:
            fields = dict(p.split("=", 1) for p in parts[1:])
            anchors.append(
                Anchor(parts[0], int(fields["entries"]), fields["head"], fields["mac"], number)
            )
        except (IndexError, KeyError, ValueError):
            continue
    return anchors


def last_anchor(path: Path | None = None) -> Anchor | None:
    """The latest anchor of the installation's anchor log (None: none yet)."""
    path = path or anchors_path()
    if path is None or not path.is_file():
        return None
    anchors = read_anchors(path)
    return anchors[-1] if anchors else None
