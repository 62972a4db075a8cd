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
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from crous_desk.store import anchor, locks
from crous_desk.store.fields import instant_text
from crous_desk.store.models import AuditLog, Reservation, db

GENESIS = "0" * 64
_CHAINED = (
    "SELECT id, at, actor, action, entity, entity_id, reservation_id, before, after, "
    "prev_hash, hash, mac FROM audit_log"
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
    if not db.in_transaction():
        with db.atomic():
            return _append(actor, at, action, entity, entity_id, reservation_id, before, after)
    # inside the change's transaction (under its write lock): two raw statements, the head
    # read and the entry written; a failure rolls the whole change back
    return _append(actor, at, action, entity, entity_id, reservation_id, before, after)


_INSERT = (
    "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, reservation_id, before, "
    "after, prev_hash, hash, mac) VALUES ({params})"
)


def _append(
    actor: str,
    at: datetime,
    action: str,
    entity: str,
    entity_id: int | None,
    reservation_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditLog:
    locks.hold("audit-chain")
    last = db.execute_sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    entry_id = (last[0] if last else 0) + 1
    prev_hash = (last[1] or GENESIS) if last else GENESIS
    key = _key(entry_id - 1, prev_hash, at)
    stored = (
        entry_id,
        instant_text(at),
        actor,
        action,
        entity,
        entity_id,
        reservation_id,
        _dump(redact(before, key)),
        _dump(redact(after, key)),
    )
    this_hash = entry_hash(stored, prev_hash)
    mac = anchor.entry_mac(key, this_hash) if key is not None else None
    db.execute_sql(
        _INSERT.format(params=", ".join([db.param] * 12)),
        (*stored, prev_hash, this_hash, mac),
    )
    entry = AuditLog(
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
        hash=this_hash,
        mac=mac,
    )
    entry._dirty.clear()  # type: ignore[attr-defined]  # as stored: saving it again would change nothing
    return entry


class Entry(NamedTuple):
    """One entry of :func:`record_many`."""

    action: str
    entity: str
    entity_id: int | None
    reservation_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


_APPEND = (
    "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, reservation_id, before, "
    "after, prev_hash, hash, mac) VALUES ({})"
)


def record_many(actor: str, at: datetime, entries: Sequence[Entry]) -> int:
    """Append ``entries`` in order, as many calls of :func:`record` would (the same ids,
    hashes and MACs), with the last entry read once under the chain's lock and every entry
    written by one statement: an import of thousands of rows. Returns how many."""
    if not entries:
        return 0
    with db.atomic():
        locks.hold("audit-chain")
        last = db.execute_sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        entry_id = last[0] if last else 0
        prev_hash = (last[1] or GENESIS) if last else GENESIS
        key = _key(entry_id, prev_hash, at)
        when = instant_text(at)
        rows = []
        for entry in entries:
            entry_id += 1
            stored = (
                entry_id,
                when,
                actor,
                entry.action,
                entry.entity,
                entry.entity_id,
                entry.reservation_id,
                _dump(redact(entry.before, key)),
                _dump(redact(entry.after, key)),
            )
            this_hash = entry_hash(stored, prev_hash)
            mac = anchor.entry_mac(key, this_hash) if key is not None else None
            rows.append((*stored, prev_hash, this_hash, mac))
            prev_hash = this_hash
        db.cursor().executemany(_APPEND.format(", ".join([db.param] * 12)), rows)
    return len(rows)


def _key(entries: int, head: str, at: datetime) -> bytes | None:
    """The installation's key; the first time, made, and the log anchored where it stands:
    every entry after that anchor carries a MAC."""
    key = anchor.load_key()
    if key is None and anchor.key_path() is not None:
        key = anchor.load_key(create=True)
        if key is not None:
            anchor.append_anchor(anchor.anchor_line(entries, head, at, key))
    return key


# A person's identifying values never enter the append-only log: it refers to people by
# identifiers (the entity and its id), and records that such a value was set or changed as a
# keyed digest (equal values, equal digests; nothing to read back once the person is
# anonymised). Retention can then anonymise a person without touching the chain.
PERSONAL = frozenset(
    {
        "first_name", "last_name", "email", "phone", "ine", "student_number", "paid_by_name",
        "tenant_name", "tenant", "borrower",
    }
)  # fmt: skip


def redact(values: dict[str, Any] | None, key: bytes | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        k: _digest(v, key) if k in PERSONAL and isinstance(v, str) and v else v
        for k, v in values.items()
    }


def _digest(value: Any, key: bytes | None) -> str:
    if key is None:
        return "•••"
    return "h:" + anchor.mac(key, f"personal:{value}")[:12]


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
    anchors: int = 0  # how many anchors the log was held against
    signed: bool = False  # whether the entries' MACs were checked with the key

    @property
    def intact(self) -> bool:
        return self.broken_id is None and not self.reason


def verify_chain(progress: Any = None, *, anchors: Path | None = None) -> ChainReport:
    """Walk the log oldest first: the first entry whose hash, link or MAC does not verify, or
    the first anchor (``anchors``, else the installation's anchor log) it falls short of."""
    from crous_desk.base.i18n import _

    key = anchor.load_key()
    path = anchors or anchor.anchors_path()
    held = anchor.read_anchors(path) if path is not None and path.is_file() else []
    if anchors is not None and not held:
        return ChainReport(0, GENESIS, None, _("{path} holds no anchor").format(path=anchors))
    if key is not None and not held:
        return ChainReport(
            0,
            GENESIS,
            None,
            _("the audit key exists but the anchor log {path} is missing or empty").format(
                path=path
            ),
        )
    for forged in (a for a in held if key is not None and not a.authentic(key)):
        return ChainReport(
            0,
            GENESIS,
            None,
            _("line {n} of {path} is not an anchor of this installation").format(
                n=forged.line, path=path
            ),
        )
    signed_from = held[0].entries + 1 if held and key is not None else None
    heads = {a.entries: a for a in held}
    expected_prev = GENESIS
    previous_id: int | None = None
    count = 0
    total = AuditLog.select().count() if progress else 0
    for row in _rows():
        entry_id, prev_hash, stored_hash, stored_mac = row[0], row[9], row[10], row[11]
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
        if (
            key is not None
            and signed_from is not None
            and entry_id >= signed_from
            and not (
                stored_mac and hmac.compare_digest(stored_mac, anchor.entry_mac(key, stored_hash))
            )
        ):
            return ChainReport(
                count,
                expected_prev,
                entry_id,
                _(
                    "entry #{id} is not signed with this installation's key (rewritten, or "
                    "written by someone else)"
                ).format(id=entry_id),
            )
        held_here = heads.get(entry_id)
        if held_here is not None and held_here.head != stored_hash:
            return ChainReport(
                count,
                expected_prev,
                entry_id,
                _("entry #{id} is not the one anchored on {at} (the chain was rewritten)").format(
                    id=entry_id, at=held_here.at
                ),
            )
        expected_prev = stored_hash
        previous_id = entry_id
        if progress and count % 500 == 0:
            progress(count, total)
    if progress and total:
        progress(total, total)
    furthest = max(held, key=lambda a: a.entries, default=None)
    if furthest is not None and furthest.entries > count:
        return ChainReport(
            count,
            expected_prev,
            count + 1,
            _("the log has {n} entries but {m} were anchored on {at}: entries were deleted").format(
                n=count, m=furthest.entries, at=furthest.at
            ),
            len(held),
        )
    return ChainReport(count, expected_prev, anchors=len(held), signed=signed_from is not None)


def anchor_daily(now: datetime, tz: Any, closing: Any) -> str | None:
    """Once a day, at or after the desk's closing (``closing``, a local time in ``tz``): the
    head anchored, unless an anchor was made since today's closing. Returns the line appended
    (None: not yet time, already done, or a broken log — which ``audit verify`` reports)."""
    local = now.astimezone(tz)
    closed = datetime.combine(local.date(), closing, tzinfo=tz)
    if local < closed:
        return None
    last = anchor.last_anchor()
    if last is not None:
        try:
            made = datetime.strptime(last.at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            made = None
        if made is not None and made >= closed:
            return None
    return anchor_now(now)[1]


def anchor_now(at: datetime) -> tuple[ChainReport, str | None]:
    """Verify the log, then append its head to the anchor log; returns the report and the
    line appended (None when the log is broken, or there is no key yet: nothing appended)."""
    report = verify_chain()
    if not report.intact:
        return report, None
    key = anchor.load_key()
    if key is None:  # the first anchor makes the key: every later entry is signed
        with db.atomic():
            key = _key(report.entries, report.head, at)
        return report, anchor.anchor_line(report.entries, report.head, at, key) if key else None
    line = anchor.anchor_line(report.entries, report.head, at, key)
    anchor.append_anchor(line)
    return report, line


def _rows() -> Iterator[tuple[Any, ...]]:
    cursor = db.execute_sql(_CHAINED + " ORDER BY id")
    while True:
        batch = cursor.fetchmany(1000)
        if not batch:
            return
        for row in batch:  # a timestamptz column gives a datetime: hashed as its stored text
            yield (row[0], instant_text(row[1]), *row[2:])
