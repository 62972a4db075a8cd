"""Arrival slips: what the slip of a reservation says, the QR code that the desk scans back,
the arrivals of a day, and sending a PDF to the printer (the page itself: ``slip_pdf``).

The QR code carries ``CRD1:<reference>:<check>``: the reservation reference and a check code,
the first 8 hex digits of an HMAC-SHA256 of ``CRD1:<reference>`` under a secret kept in the
database (generated on first need), so every desk sharing the file accepts the codes of every
other, and a mistyped or forged code is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

import platformdirs
from peewee import JOIN

from crous_desk.arrivals.appointments import Slot, appointment_slot
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.rules.hours import Closure as DeskClosure
from crous_desk.rules.hours import DeskCalendar
from crous_desk.rules.reference import CrousOffice, crous_directory
from crous_desk.rules.rental_file import DocumentFacts, missing_documents
from crous_desk.store.models import (
    Appointment,
    Document,
    Reservation,
    Residence,
    Room,
    Setting,
    Student,
    db,
)

if TYPE_CHECKING:
    from crous_desk.desk.context import Desk

PAYLOAD_PREFIX = "CRD1"
SECRET_KEY = "slip_secret"
EXAMPLE_PAYLOAD = "CRD1:K7Q2MX:3F9A2C1B"
_PAYLOAD_START = re.compile(r"CRD\d+:", re.IGNORECASE)
_PAYLOAD = re.compile(r"CRD1:([A-Z0-9]{6}):([0-9A-F]{8})")


# -- the payload --------------------------------------------------------------------------------


def installation_secret() -> bytes:
    """The installation's secret, created the first time a slip needs it. Concurrent desks
    agree: the insert is ignored if another desk wrote it first, and everyone reads it back."""
    row = Setting.get_or_none(Setting.key == SECRET_KEY)
    if row is None:
        with db.atomic():
            Setting.insert(
                key=SECRET_KEY, value=secrets.token_hex(32)
            ).on_conflict_ignore().execute()
        row = Setting.get(Setting.key == SECRET_KEY)
    return bytes.fromhex(row.value)


def check_code(reference: str, secret: bytes) -> str:
    message = f"{PAYLOAD_PREFIX}:{reference}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:8].upper()


def make_payload(reference: str, secret: bytes | None = None) -> str:
    """``CRD1:K7Q2MX:3F9A2C1B``: QR alphanumeric characters only, so it fits a version-1 code."""
    secret = installation_secret() if secret is None else secret
    return f"{PAYLOAD_PREFIX}:{reference}:{check_code(reference, secret)}"


def find_payload(text: str) -> str | None:
    """The slip code in what was typed, or None when it holds none. A scanner types after
    whatever was already in the box, so the code is read from its last "CRDn:" on."""
    starts = list(_PAYLOAD_START.finditer(text))
    return text[starts[-1].start() :] if starts else None


def read_payload(text: str, secret: bytes | None = None) -> str:
    """The reservation reference of a scanned slip code; Refused when it is not a complete
    code or its check code does not match (a mistyped, damaged or forged code)."""
    candidate = "".join(text.split()).upper()
    shown = repr(candidate[:30])
    version = re.match(r"CRD(\d+):", candidate)
    if version is None:
        raise Refused(_("{text} is not a slip code").format(text=shown))
    if version.group(1) != "1":
        raise Refused(
            _("{text}: slip format CRD{v} is unknown to this version of crous-desk").format(
                text=shown, v=version.group(1)
            )
        )
    match = _PAYLOAD.fullmatch(candidate)
    if match is None:
        raise Refused(
            _("{text} is not a complete slip code (expected e.g. {example})").format(
                text=shown, example=EXAMPLE_PAYLOAD
            )
        )
    reference, check = match.groups()
    secret = installation_secret() if secret is None else secret
    if not hmac.compare_digest(check_code(reference, secret), check):
        raise Refused(
            _("slip code for {ref} refused: its check code is wrong (mistyped or forged)").format(
                ref=reference
            )
        )
    return reference


# -- the QR code --------------------------------------------------------------------------------

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def qr_matrix(payload: str) -> list[list[bool]]:
    """The modules of the QR code (True = dark), quiet zone included."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


_HALF_BLOCKS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def qr_half_blocks(payload: str) -> list[str]:
    """The QR code as text, two module rows per line; a dark module is the foreground colour.
    A version-1 code with its quiet zone is 29 columns by 15 lines."""
    matrix = qr_matrix(payload)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    return [
        "".join(_HALF_BLOCKS[(t, b)] for t, b in zip(top, bottom, strict=True))
        for top, bottom in zip(matrix[0::2], matrix[1::2], strict=True)
    ]


# -- what a slip says ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingDocument:
    code: str
    why: str  # "missing" | "unverified" (received, not checked) | "not_valid" (does not count)


@dataclass(frozen=True)
class Slip:
    reference: str
    payload: str
    student_name: str
    ine: str
    room: str
    residence_name: str
    residence_address: str
    desk_phone: str
    opening: time
    tz: ZoneInfo
    crous: CrousOffice | None
    lease_start: date
    lease_end: date
    appointment: Slot | None
    arrival_day: date
    missing: tuple[MissingDocument, ...]
    closures: tuple[DeskClosure, ...]  # declared closures from the arrival day on


def _calendar(residence: Residence) -> DeskCalendar:
    from crous_desk.desk.context import residence_calendar

    return residence_calendar(residence)


def desk_slips(desk: Desk, reservation_ids: Sequence[int]) -> list[Slip]:
    """The slips a staff member prints from the app: residence staff, their own residences."""
    from crous_desk.desk import permissions

    permissions.require(desk.actor, "slip.print")
    for reservation_id in reservation_ids:
        permissions.require(desk.actor, "slip.print", desk.reservation(reservation_id))
    return slips_for(reservation_ids, desk.now())


def slips_for(reservation_ids: Sequence[int], now: datetime) -> list[Slip]:
    """The slips of these reservations, in this order, read with a handful of queries."""
    if not reservation_ids:
        return []
    rows = {
        r.id: r
        for r in Reservation.select(Reservation, Student, Room, Residence)
        .join(Student)
        .switch(Reservation)
        .join(Room, JOIN.LEFT_OUTER)
        .join(Residence, JOIN.LEFT_OUTER)
        .where(Reservation.id.in_(list(reservation_ids)))
    }
    facts: dict[int, dict[str, DocumentFacts]] = {}
    for doc in Document.select().where(Document.reservation.in_(list(reservation_ids))):
        facts.setdefault(doc.reservation_id, {})[doc.kind] = DocumentFacts(
            kind=doc.kind,
            received=doc.received_at is not None,
            verified=doc.verified_at is not None,
            covers_from=doc.covers_from,
            covers_until=doc.covers_until,
            guarantor_kind=doc.guarantor_kind,
            id_expires=doc.id_expires,
        )
    appointments = {
        a.reservation_id: a
        for a in Appointment.select().where(Appointment.reservation.in_(list(reservation_ids)))
    }
    secret = installation_secret()
    calendars: dict[int, DeskCalendar] = {}
    slips = []
    for rid in reservation_ids:
        reservation = rows.get(rid)
        if reservation is None:
            raise Refused(_("no reservation #{id}").format(id=rid))
        room = reservation.room
        if room is None:
            raise Refused(
                _("reservation {ref} has no room yet: there is no slip to print").format(
                    ref=reservation.reference
                )
            )
        residence = room.residence
        if residence.id not in calendars:
            calendars[residence.id] = _calendar(residence)
        calendar = calendars[residence.id]
        appointment = appointments.get(rid)
        slot = appointment_slot(appointment, calendar) if appointment else None
        today = now.astimezone(calendar.tz).date()
        if slot:
            arrival = slot.start.date()
        else:  # the first working day of the desk from the lease start (or today)
            arrival = calendar.first_open_day(max(reservation.lease_start, today))
        docs = facts.get(rid, {})
        student = reservation.student
        slips.append(
            Slip(
                reference=reservation.reference,
                payload=make_payload(reservation.reference, secret),
                student_name=student.full_name,
                ine=student.ine or "—",
                room=room.number,
                residence_name=residence.name,
                residence_address=residence.address,
                desk_phone=residence.desk_phone,
                opening=calendar.opening,
                tz=calendar.tz,
                crous=crous_directory().get(residence.crous_code),
                lease_start=reservation.lease_start,
                lease_end=reservation.lease_end,
                appointment=slot,
                arrival_day=arrival,
                missing=tuple(
                    _missing(code, docs.get(code))
                    for code in missing_documents(
                        docs, reservation.lease_start, reservation.lease_end, arrival
                    )
                ),
                closures=tuple(
                    sorted(
                        (c for c in calendar.closures if c.last >= arrival), key=lambda c: c.first
                    )
                )[:3],
            )
        )
    return slips


def _missing(code: str, facts: DocumentFacts | None) -> MissingDocument:
    if facts is None or not facts.received:
        return MissingDocument(code, "missing")
    if not facts.verified:
        return MissingDocument(code, "unverified")
    return MissingDocument(code, "not_valid")


@dataclass(frozen=True)
class Arrival:
    reservation_id: int
    reference: str
    by: str  # "appointment" | "lease_start"


def arrivals_on(day: date, residence_id: int | None = None) -> list[Arrival]:
    """The arrivals of ``day`` (in each residence's zone): accepted reservations with an
    appointment that day, in time order, then those whose lease starts that day and who
    have no appointment at all, by name."""
    arrivals: list[Arrival] = []
    window = (
        Appointment.select(Appointment, Reservation, Residence)
        .join(Reservation)
        .switch(Appointment)
        .join(Residence)
        .where(
            Appointment.starts_at
            >= datetime.combine(day - timedelta(days=1), time(), ZoneInfo("UTC")),
            Appointment.starts_at
            < datetime.combine(day + timedelta(days=2), time(), ZoneInfo("UTC")),
            Reservation.status == "accepted",
        )
        .order_by(Appointment.starts_at, Reservation.reference)
    )
    if residence_id is not None:
        window = window.where(Appointment.residence == residence_id)
    for appointment in window:
        if appointment.starts_at.astimezone(ZoneInfo(appointment.residence.timezone)).date() == day:
            r = appointment.reservation
            arrivals.append(Arrival(r.id, r.reference, "appointment"))
    by_lease = (
        Reservation.select(Reservation.id, Reservation.reference)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .switch(Reservation)
        .join(Appointment, JOIN.LEFT_OUTER, on=(Appointment.reservation == Reservation.id))
        .where(
            Reservation.status == "accepted",
            Reservation.lease_start == day,
            Appointment.id.is_null(),
        )
        .order_by(Student.last_name, Student.first_name, Reservation.reference)
    )
    if residence_id is not None:
        by_lease = by_lease.where(Room.residence == residence_id)
    arrivals.extend(Arrival(r.id, r.reference, "lease_start") for r in by_lease)
    return arrivals


# -- saving and printing ------------------------------------------------------------------------


def default_slip_dir() -> Path:
    """Where the desk saves slips: ``crous-desk`` in the user's documents folder."""
    return Path(platformdirs.user_documents_dir()) / "crous-desk"


def _umask() -> int:
    mask = os.umask(0o022)  # read once, at import, while nothing runs in another thread
    os.umask(mask)
    return mask


_UMASK = _umask()


@contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only once it is complete; nothing is left
    behind on failure. Refused when the place is not writable."""
    if path.is_dir():
        raise Refused(_("{path} is a directory: name the PDF file").format(path=path))
    try:
        handle = tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
        )
    except OSError as error:
        raise Refused(
            _("cannot write {path}: {error}").format(path=path, error=error.strerror or error)
        ) from None
    try:
        with handle:
            yield handle
        os.chmod(handle.name, 0o666 & ~_UMASK)  # as an ordinary file, not the temp file's 0600
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def print_pdf(path: Path, printer: str | None) -> str:
    """Send the PDF to CUPS (``lp -d PRINTER``); returns what lp said. Refused with a clear
    reason when no printer is configured, lp is missing, or lp fails."""
    if not printer:
        raise Refused(
            _(
                'no printer is configured (printer = "NAME" in the configuration, or '
                "CROUS_DESK_PRINTER); the PDF is at {path}"
            ).format(path=path)
        )
    lp = shutil.which("lp")
    if lp is None:
        raise Refused(
            _(
                "the lp command (CUPS) is not installed on this machine; the PDF is at {path}"
            ).format(path=path)
        )
    try:
        done = subprocess.run(
            [lp, "-d", printer, str(Path(path).resolve())],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Refused(
            _("printing on {printer} failed ({error}); the PDF is at {path}").format(
                printer=printer, error=error, path=path
            )
        ) from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise Refused(
            _("printing on {printer} failed ({error}); the PDF is at {path}").format(
                printer=printer, error=said[-1] if said else f"lp exit {done.returncode}", path=path
            )
        )
    return done.stdout.strip()
