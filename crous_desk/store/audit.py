"""The append-only audit log: who changed what, when, with the values before and after.

Each entry is chained to the one before it: ``hash`` is the SHA-256 of the entry's stored
values and of ``prev_hash``, the hash of the entry before (``GENESIS`` for the first). An entry
edited or deleted in the file (by someone who dropped the triggers that forbid it) no longer
matches its hash or breaks the next entry's link: :func:`verify_chain` finds the first one.
Rewriting every later hash as well is not detected by the chain alone: keep the head hash that
``crous-desk audit verify`` prints somewhere else (a daily log) to catch that too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crous_desk.store import locks
from crous_desk.store.fields import instant_text
from crous_desk.store.models import AuditLog, Reservation, db

GENESIS = "0" * 64
_CHAINED = (
    "SELECT id, at, actor, action, entity, entity_id, reservation_id, before, after, "
    "prev_hash, hash FROM audit_log"
)


def entry_hash(row: tuple[Any, ...], prev_hash: str) -> str:
    """The hash of one entry as stored: (id, at, actor, action, entity, entity_id,
    reservation_id, before, after), then ``prev_hash``. A frozen copy lives in migration 0005."""
    canonical = json.dumps([*row, prev_hash], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    actor: str,
    at: datetime,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    reservation: Reservation | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one entry; call it inside the transaction that makes the change.

    The last entry is read under the chain's lock — on SQLite the write lock the transaction
    took when it began IMMEDIATE, on PostgreSQL an advisory lock held until the transaction
    ends — so two writers can never chain to the same entry; the id is the last one plus one,
    so a writer that somehow raced would fail on the primary key instead of forking the chain.
    """
    reservation_id = reservation.id if isinstance(reservation, Reservation) else reservation
    with db.atomic():
        locks.hold("audit-chain")
        last = db.execute_sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        entry_id = (last[0] if last else 0) + 1
        prev_hash = (last[1] or GENESIS) if last else GENESIS
        stored = (
            entry_id,
            instant_text(at),
            actor,
            action,
            entity,
            entity_id,
            reservation_id,
            _dump(before),
            _dump(after),
        )
        return AuditLog.create(
            id=entry_id,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            reservation_id=reservation_id,
            before=stored[7],
            after=stored[8],
            prev_hash=prev_hash,
            hash=entry_hash(stored, prev_hash),
        )


def _dump(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def history(reservation_id: int, limit: int = 200) -> list[AuditLog]:
    return list(
        AuditLog.select()
        .where(AuditLog.reservation_id == reservation_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )


# -- verifying the chain ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    entries: int  # how many entries were checked
    head: str  # the hash of the last entry (GENESIS for an empty log)
    broken_id: int | None = None  # the first entry that does not verify
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify_chain(progress: Any = None) -> ChainReport:
    """Walk the log oldest first; the first entry whose hash or link does not verify."""
    from crous_desk.base.i18n import _

    expected_prev = GENESIS
    previous_id: int | None = None
    count = 0
    total = AuditLog.select().count() if progress else 0
    for row in _rows():
        entry_id, prev_hash, stored_hash = row[0], row[9], row[10]
        count += 1
        if previous_id is not None and entry_id != previous_id + 1:
            return ChainReport(
                count,
                expected_prev,
                entry_id,
                _("entries #{first} to #{last} are missing (deleted)").format(
                    first=previous_id + 1, last=entry_id - 1
                ),
            )
        if previous_id is None and entry_id != 1:
            return ChainReport(
                count,
                expected_prev,
                entry_id,
                _("entries #1 to #{last} are missing (deleted)").format(last=entry_id - 1),
            )
        if prev_hash != expected_prev:
            return ChainReport(
                count,
                expected_prev,
                entry_id,
                _("entry #{id} does not follow the entry before it (changed or deleted)").format(
                    id=entry_id
                )
                if previous_id is not None
                else _("entry #{id} does not start the chain").format(id=entry_id),
            )
        if entry_hash(tuple(row[:9]), prev_hash) != stored_hash:
            return ChainReport(
                count,
                expected_prev,
                entry_id,
                _("entry #{id} was changed after it was written").format(id=entry_id),
            )
        expected_prev = stored_hash
        previous_id = entry_id
        if progress and count % 500 == 0:
            progress(count, total)
    if progress and total:
        progress(total, total)
    return ChainReport(count, expected_prev)


def _rows() -> Iterator[tuple[Any, ...]]:
    cursor = db.execute_sql(_CHAINED + " ORDER BY id")
    while True:
        batch = cursor.fetchmany(1000)
        if not batch:
            return
        for row in batch:  # a timestamptz column gives a datetime: hashed as its stored text
            yield (row[0], instant_text(row[1]), *row[2:])
