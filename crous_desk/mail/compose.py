"""Each outbox message made into a letter when its turn comes, from what its change said (the
deadline, the slot) and the rows as they are now (the slip shows what is still missing).

A message that is no longer true when its turn comes (the proposal answered before its
reminder went, the appointment moved again, every key back) is dropped with the reason, and
the later message, if any, tells the truth.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from crous_desk.arrivals.appointments import current_appointment
from crous_desk.arrivals.slip_pdf import write_slips
from crous_desk.arrivals.slips import Slip, slips_for
from crous_desk.base.clock import PARIS
from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk, residence_calendar
from crous_desk.keys import closing_check
from crous_desk.mail import ics, staff_texts, student_texts
from crous_desk.mail.letter import Attachment, Block, Letter, Part
from crous_desk.mail.words import LANGUAGES, Contact, zone_of
from crous_desk.rules.proposal import effective_status, proposal_deadline
from crous_desk.rules.reference import crous_directory
from crous_desk.rules.status import ReservationStatus
from crous_desk.store import audit
from crous_desk.store.models import Reservation, Residence, Room, Staff, Student
from crous_desk.store.outbox import MailKind, OutboxMessage

DEADLINE_HORIZON = timedelta(hours=24)
_HEADINGS = {"fr": "Français", "en": "English"}


class Dropped(Exception):
    """The message is no longer true: it is not sent (the reason is recorded)."""


DeskFor = Callable[[Residence | None, datetime], Desk]


def letter(
    languages: tuple[str, ...], text: Callable[[str], tuple[str, tuple[Block, ...]]]
) -> tuple[str, tuple[Part, ...]]:
    """One language, or French and English side by side (the subject of each, joined)."""
    written = [(lang, *text(lang)) for lang in languages]
    subject = " / ".join(subject for _lang, subject, _blocks in written)
    two = len(written) > 1
    parts = tuple(
        Part(blocks, heading=_HEADINGS[lang] if two else "", lang=lang)
        for lang, _subject, blocks in written
    )
    return subject, parts


def languages_of(message: OutboxMessage) -> tuple[str, ...]:
    return (message.language,) if message.language in LANGUAGES else LANGUAGES


def contact_of(residence: Residence) -> Contact:
    return Contact(
        residence=residence.name,
        address=residence.address,
        phone=residence.desk_phone,
        email=residence.email or "",
        opening=time.fromisoformat(residence.opening),
        crous=crous_directory().get(residence.crous_code),
    )


def _stay(reservation: Reservation) -> student_texts.Stay:
    room: Room | None = reservation.room
    if room is None:
        raise Dropped(Problem("no_room", _("the reservation has no room any more")))
    student: Student = reservation.student
    return student_texts.Stay(
        name=student.full_name,
        reference=reservation.reference,
        room=room.number,
        room_kind=room.kind,
        surface_m2=room.surface_m2,
        rent_cents=room.rent_cents,
        lease_start=reservation.lease_start,
        lease_end=reservation.lease_end,
        contact=contact_of(room.residence),
        zone=zone_of(student.timezone),
    )


def _slip(reservation: Reservation, now: datetime) -> tuple[Slip, bytes]:
    slip = slips_for([reservation.id], now)[0]
    out = io.BytesIO()
    write_slips([slip], out)
    return slip, out.getvalue()


def _missing(slip: Slip) -> student_texts.Missing:
    return tuple((m.code, m.why) for m in slip.missing)


def _reservation(message: OutboxMessage) -> Reservation:
    reservation = Reservation.get_or_none(Reservation.id == message.reservation_id)
    if reservation is None:
        raise Dropped(Problem("gone", _("the reservation is no longer there")))
    return reservation


def compose(
    message: OutboxMessage, now: datetime, desk_for: DeskFor, organizer: str
) -> tuple[Letter, Residence | None]:
    """The letter of ``message``, and the residence it speaks for (its Reply-To); raises
    :class:`Dropped` when the message is no longer true. ``organizer``: the address an
    invitation comes from when the residence has none."""
    facts: dict[str, Any] = json.loads(message.facts or "{}")
    langs = languages_of(message)
    kind = message.kind
    if kind == MailKind.CLOSING:
        residence = Residence.get_by_id(message.residence_id)
        return _closing(residence, date.fromisoformat(facts["day"]), langs, desk_for), residence
    if kind == MailKind.DEADLINES:
        return _deadlines(message, datetime.fromisoformat(facts["at"]), langs, now), None
    reservation = _reservation(message)
    stay = _stay(reservation)
    residence = reservation.room.residence  # type: ignore[union-attr]  # _stay said there is one
    attachments: tuple[Attachment, ...] = ()
    if kind in (MailKind.PROPOSAL, MailKind.REMINDER):
        deadline = datetime.fromisoformat(facts["deadline"])
        # answered (or expired) before its turn came: the letter would ask for what is done
        status = effective_status(reservation.status, reservation.proposal_sent_at, now)
        sent = reservation.proposal_sent_at
        if (
            sent is None
            or status != ReservationStatus.PROPOSED
            or proposal_deadline(sent) != deadline
        ):
            raise Dropped(
                Problem(
                    "answered",
                    _("the proposal is no longer open ({status})").format(status=status),
                )
            )
        write = student_texts.proposal if kind == MailKind.PROPOSAL else student_texts.reminder
        subject, parts = letter(langs, lambda lang: write(lang, stay, deadline))
    elif kind == MailKind.APPOINTMENT:
        subject, parts, attachments = _appointment(
            message, reservation, stay, facts, now, organizer
        )
    elif kind == MailKind.DOCUMENTS:
        slip, _pdf = _slip(reservation, now)
        missing = _missing(slip)
        if not missing or reservation.status != ReservationStatus.ACCEPTED:
            raise Dropped(Problem("complete", _("the rental file is complete now")))
        subject, parts = letter(langs, lambda lang: student_texts.documents(lang, stay, missing))
    else:
        raise Dropped(
            Problem("unknown_kind", _("unknown kind of message {kind!r}").format(kind=kind))
        )
    return Letter(subject, parts, attachments), residence


def _appointment(
    message: OutboxMessage,
    reservation: Reservation,
    stay: student_texts.Stay,
    facts: dict[str, Any],
    now: datetime,
    organizer: str,
) -> tuple[str, tuple[Part, ...], tuple[Attachment, ...]]:
    current = current_appointment(reservation.id)
    start = datetime.fromisoformat(facts["starts_at"])
    end = datetime.fromisoformat(facts["ends_at"])
    if current is None:
        raise Dropped(Problem("cancelled", _("the appointment was cancelled")))
    if current.starts_at != start or current.ends_at != end:
        raise Dropped(Problem("moved", _("the appointment was moved again: a later message tells")))
    residence: Residence = reservation.room.residence  # type: ignore[union-attr]  # _stay
    tz = residence_calendar(residence).tz
    start, end = start.astimezone(tz), end.astimezone(tz)
    slip, pdf = _slip(reservation, now)
    missing = _missing(slip)
    moved = bool(facts.get("moved"))
    subject, parts = letter(
        languages_of(message),
        lambda lang: student_texts.appointment(lang, stay, start, end, moved, missing),
    )
    invitation = ics.invitation(
        uid=f"arrival-{reservation.reference}-{message.student_id}@crous-desk",
        sequence=int(facts.get("sequence", 0)),
        stamp=now,
        start=start,
        end=end,
        summary=f"Arrivée / Arrival — {residence.name}",
        location=f"{residence.name}, {residence.address}",
        description=f"{reservation.reference} — {stay.room}\n{residence.desk_phone}",
        organizer=(residence.name, residence.email or organizer),
        attendee=(message.recipient_name, message.recipient),
    )
    return (
        subject,
        parts,
        (
            Attachment(f"slip-{reservation.reference}.pdf", "application", "pdf", pdf),
            Attachment(
                "invitation.ics",
                "text",
                "calendar",
                invitation,
                {"method": "REQUEST", "charset": "utf-8"},
            ),
        ),
    )


def _closing(residence: Residence, day: date, langs: tuple[str, ...], desk_for: DeskFor) -> Letter:
    calendar = residence_calendar(residence)
    desk = desk_for(residence, calendar.closes_at(day))
    lines = tuple(
        staff_texts.KeyLine(k.label, k.room, k.holder, k.reason, k.due_at)
        for k in closing_check(desk)
    )
    if not lines:
        raise Dropped(Problem("all_back", _("every key set is back")))
    _report, anchored = audit.anchor_now(desk.now())  # also appended to the anchor log
    subject, parts = letter(
        langs, lambda lang: staff_texts.closing(lang, residence.name, day, lines, anchored or "")
    )
    return Letter(subject, parts)


def deadline_lines(
    staff: Staff, at: datetime, now: datetime
) -> tuple[staff_texts.DeadlineLine, ...]:
    """The manager's students whose open proposal expires within 24 hours of ``at`` (and is
    still open ``now``), soonest first."""
    earliest = at - timedelta(hours=120)
    query = (
        Reservation.select(Reservation, Student)
        .join(Student)
        .where(
            Reservation.status == ReservationStatus.PROPOSED,
            Reservation.proposal_sent_at > earliest,
            Reservation.proposal_sent_at <= earliest + DEADLINE_HORIZON,
        )
        .order_by(Reservation.proposal_sent_at, Reservation.id)
    )
    condition = permissions.student_filter(staff)
    if condition is not None:
        query = query.where(condition)
    lines = []
    for r in query:
        if (
            effective_status(r.status, r.proposal_sent_at, max(now, at))
            != ReservationStatus.PROPOSED
        ):
            continue
        room = r.room
        where = f"{room.residence.name} {room.number}" if room is not None else ""
        lines.append(
            staff_texts.DeadlineLine(
                r.student.full_name, r.reference, where, proposal_deadline(r.proposal_sent_at)
            )
        )
    return tuple(lines)


def _deadlines(
    message: OutboxMessage, at: datetime, langs: tuple[str, ...], now: datetime
) -> Letter:
    staff = Staff.get_or_none(Staff.id == message.staff_id)
    if staff is None or not staff.active:
        raise Dropped(
            Problem("no_manager", _("the mobility manager's account is gone or disabled"))
        )
    lines = deadline_lines(staff, at, now)
    if not lines:
        raise Dropped(Problem("nothing_due", _("every deadline was met or passed")))
    day = at.astimezone(PARIS).date()
    subject, parts = letter(
        langs, lambda lang: staff_texts.deadlines(lang, staff.display_name, day, lines)
    )
    return Letter(subject, parts)
