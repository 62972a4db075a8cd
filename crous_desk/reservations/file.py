"""What the desk does: every action checks its rule, changes rows in one transaction, and
records the acting staff member in the audit log. Screens and the CLI call these; they own no rule.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from peewee import JOIN

from crous_desk.base.clock import Clock, SystemClock
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.rules.handover import HandoverFacts, handover_blockers
from crous_desk.rules.hours import DeskCalendar, DeskStatus, closures_from, desk_status
from crous_desk.rules.proposal import (
    ADVANCE_CENTS,
    Advance,
    acceptance_problems,
    effective_status,
    format_instant,
    proposal_deadline,
    status_label,
    time_left,
)
from crous_desk.rules.reference import document_kinds, inspection_states, room_kinds
from crous_desk.rules.rental_file import DocumentFacts, file_problems, verification_problems
from crous_desk.store import audit
from crous_desk.store import search_index as search
from crous_desk.store.models import (
    AuditLog,
    Closure,
    Document,
    Inspection,
    InspectionItem,
    KeyLog,
    KeySet,
    Reservation,
    Residence,
    Room,
    Staff,
    StaffScope,
    Student,
    db,
    snapshot,
)

_DOC_FIELDS = (
    "received_at",
    "verified_by",
    "verified_at",
    "covers_from",
    "covers_until",
    "guarantor_kind",
    "id_expires",
)


@dataclass(frozen=True)
class SearchRow:
    reservation_id: int
    reference: str
    name: str
    room: str
    status: str
    lease_start: date


@dataclass
class DocumentRow:
    kind: str
    label: str
    required: bool
    received_at: datetime | None
    verified_by: str | None
    verified_at: datetime | None
    facts: DocumentFacts
    problem: str | None


@dataclass
class ReservationFile:
    """Everything the reservation screen shows, read in one go."""

    reservation: Reservation
    student: Student
    room: Room | None
    residence: Residence | None
    status: str
    deadline: datetime | None
    time_left: object | None
    documents: list[DocumentRow]
    file_problems: list[str]
    inspections: list[Inspection]
    key_sets: list[KeySet]
    history: list[AuditLog]
    blockers: list[str] = field(default_factory=list)


def residence_calendar(residence: Residence | None) -> DeskCalendar:
    if residence is None:
        return DeskCalendar()
    hh, mm = (int(x) for x in residence.opening.split(":"))
    rows = Closure.select().where(Closure.residence == residence)
    return DeskCalendar(
        tz=ZoneInfo(residence.timezone),
        opening=time(hh, mm),
        closures=closures_from((c.first, c.last, c.reason) for c in rows),
    )


def ensure_staff(username: str, clock: Clock | None = None) -> Staff:
    """The staff row for ``username``, created the first time (until sign-in exists)."""
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None:
        now = (clock or SystemClock()).now()
        with db.atomic():
            staff = Staff.create(username=username, display_name=username, created_at=now)
            # the desk account of a desk without sign-in works at every residence, as before
            StaffScope.create(staff=staff, kind="residence", value=permissions.EVERY)
            audit.record(
                username,
                now,
                "staff.create",
                "staff",
                staff.id,
                after=snapshot(staff, "username", "role"),
            )
    return staff


class Desk:
    """The desk of one residence, operated by one staff member, reading one clock."""

    def __init__(self, actor: Staff, clock: Clock, residence: Residence | None = None) -> None:
        self.actor = actor
        self.clock = clock
        self.residence = residence

    # -- time -------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def calendar(self, residence: Residence | None = None) -> DeskCalendar:
        return residence_calendar(residence or self.residence)

    def today(self, residence: Residence | None = None) -> date:
        return self.now().astimezone(self.calendar(residence).tz).date()

    def desk_status(self, residence: Residence | None = None) -> DeskStatus:
        return desk_status(self.now(), self.calendar(residence))

    # -- finding ----------------------------------------------------------------------------

    def search(self, text: str, limit: int = search.MAX_RESULTS) -> list[SearchRow]:
        """What ``text`` finds among the reservations this actor may see."""
        residence_id = self.residence.id if self.residence else None
        ids = search.search(text, residence_id, limit * 4)
        if not ids:
            return []
        rows = (
            Reservation.select(Reservation, Student, Room)
            .join(Student)
            .switch(Reservation)
            .join(Room, JOIN.LEFT_OUTER)
            .where(Reservation.id.in_(ids))
        )
        by_id = {r.id: r for r in permissions.visible(self.actor, list(rows))}
        ids = [i for i in ids if i in by_id][:limit]
        now = self.now()
        return [
            SearchRow(
                reservation_id=r.id,
                reference=r.reference,
                name=r.student.full_name,
                room=r.room.number if r.room else "",
                status=effective_status(r.status, r.proposal_sent_at, now),
                lease_start=r.lease_start,
            )
            for r in (by_id[i] for i in ids if i in by_id)
        ]

    def find_reference(self, text: str) -> Reservation | None:
        found = search.find_reference(text, self.residence.id if self.residence else None)
        if found is None or not permissions.allowed(self.actor, "reservation.view", found):
            return None
        return found

    def reservation(self, reservation_id: int) -> Reservation:
        """The reservation, if this actor may see it (their residences, or their students)."""
        reservation = Reservation.get_or_none(Reservation.id == reservation_id)
        if reservation is None:
            raise Refused(_("no reservation #{id}").format(id=reservation_id))
        permissions.require(self.actor, "reservation.view", reservation)
        return reservation

    # -- the reservation file ---------------------------------------------------------------

    def document_facts(self, reservation: Reservation) -> dict[str, DocumentFacts]:
        return {d.kind: _facts(d) for d in reservation.documents}

    def file_view(self, reservation_id: int) -> ReservationFile:
        reservation = self.reservation(reservation_id)
        room = reservation.room
        residence = room.residence if room else None
        now = self.now()
        today = self.today(residence)
        status = effective_status(reservation.status, reservation.proposal_sent_at, now)
        docs = {
            d.kind: d
            for d in Document.select(Document, Staff)
            .join(Staff, JOIN.LEFT_OUTER)
            .where(Document.reservation == reservation)
        }
        facts = {k: _facts(d) for k, d in docs.items()}
        rows = []
        from crous_desk.rules.rental_file import document_problem

        for kind in document_kinds().values():
            d = docs.get(kind.code)
            f = facts.get(kind.code, DocumentFacts(kind=kind.code))
            rows.append(
                DocumentRow(
                    kind=kind.code,
                    label=kind.short,
                    required=kind.required,
                    received_at=d.received_at if d else None,
                    verified_by=d.verified_by.display_name if d and d.verified_by else None,
                    verified_at=d.verified_at if d else None,
                    facts=f,
                    problem=document_problem(
                        f, kind.code, reservation.lease_start, reservation.lease_end, today
                    )
                    if kind.required
                    else None,
                )
            )
        return ReservationFile(
            reservation=reservation,
            student=reservation.student,
            room=room,
            residence=residence,
            status=status,
            deadline=proposal_deadline(reservation.proposal_sent_at)
            if reservation.proposal_sent_at
            else None,
            time_left=time_left(reservation.proposal_sent_at, now)
            if status == "proposed" and reservation.proposal_sent_at
            else None,
            documents=rows,
            file_problems=file_problems(
                facts, reservation.lease_start, reservation.lease_end, today
            ),
            inspections=list(reservation.inspections.order_by(Inspection.started_at)),
            key_sets=list(KeySet.select().where(KeySet.room == room).order_by(KeySet.label))
            if room
            else [],
            history=audit.history(reservation.id),
            blockers=self._handover_blockers(reservation, now)
            if status in ("accepted", "proposed")
            else [],
        )

    # -- documents --------------------------------------------------------------------------

    def verify_document(
        self,
        reservation_id: int,
        kind: str,
        *,
        covers_from: date | None = None,
        covers_until: date | None = None,
        guarantor_kind: str | None = None,
        id_expires: date | None = None,
    ) -> Document:
        """Tick a document as received and verified (desk hours do not apply)."""
        permissions.require(self.actor, "document.verify")
        if kind not in document_kinds():
            raise Refused(_("unknown document kind {kind!r}").format(kind=kind))
        facts = DocumentFacts(
            kind=kind,
            received=True,
            verified=True,
            covers_from=covers_from,
            covers_until=covers_until,
            guarantor_kind=guarantor_kind,
            id_expires=id_expires,
        )
        problems = verification_problems(facts)
        if problems:
            raise Refused(*problems)
        now = self.now()
        with db.atomic():
            reservation = self.reservation(reservation_id)
            permissions.require(self.actor, "document.verify", reservation)
            doc, _created = Document.get_or_create(reservation=reservation, kind=kind)
            before = snapshot(doc, *_DOC_FIELDS)
            doc.received_at = doc.received_at or now
            doc.verified_by = self.actor
            doc.verified_at = now
            doc.covers_from, doc.covers_until = covers_from, covers_until
            doc.guarantor_kind, doc.id_expires = guarantor_kind, id_expires
            doc.save()
            audit.record(
                self.actor.username,
                now,
                "document.verify",
                "document",
                doc.id,
                reservation=reservation,
                before={"kind": kind, **before},
                after={"kind": kind, **snapshot(doc, *_DOC_FIELDS)},
            )
        return doc

    def unverify_document(self, reservation_id: int, kind: str) -> None:
        """Untick a document (it stays received); refused once the keys are handed over."""
        permissions.require(self.actor, "document.verify")
        now = self.now()
        with db.atomic():
            reservation = self.reservation(reservation_id)
            permissions.require(self.actor, "document.verify", reservation)
            if reservation.status == "checked_in":
                raise Refused(_("the keys are handed over: the rental file is closed"))
            doc = Document.get_or_none(reservation=reservation, kind=kind)
            if doc is None or doc.verified_at is None:
                raise Refused(_("this document is not ticked"))
            before = snapshot(doc, *_DOC_FIELDS)
            doc.verified_by = None
            doc.verified_at = None
            doc.save()
            audit.record(
                self.actor.username,
                now,
                "document.unverify",
                "document",
                doc.id,
                reservation=reservation,
                before={"kind": kind, **before},
                after={"kind": kind, **snapshot(doc, *_DOC_FIELDS)},
            )

    # -- proposal ---------------------------------------------------------------------------

    def accept(
        self,
        reservation_id: int,
        payer_kind: str,
        payer_name: str = "",
        amount_cents: int = ADVANCE_CENTS,
    ) -> Reservation:
        """Record the 100 € advance and the acceptance, if the proposal is still open."""
        permissions.require(self.actor, "proposal.answer")
        now = self.now()
        payer_name = clean_text(payer_name, _("the payer's name"))
        advance = Advance(amount_cents, payer_kind, payer_name)
        with db.atomic():
            reservation = self.reservation(reservation_id)
            permissions.require(self.actor, "proposal.answer", reservation)
            problems = acceptance_problems(
                reservation.status, reservation.proposal_sent_at, now, advance
            )
            if problems:
                raise Refused(*problems)
            fields = (
                "status",
                "answered_at",
                "advance_cents",
                "advance_paid_at",
                "paid_by_kind",
                "paid_by_name",
            )
            before = snapshot(reservation, *fields)
            reservation.status = "accepted"
            reservation.answered_at = now
            reservation.advance_cents = amount_cents
            reservation.advance_paid_at = now
            reservation.paid_by_kind = payer_kind
            reservation.paid_by_name = (
                payer_name.strip() if payer_kind == "third_party" else reservation.student.full_name
            )
            reservation.save()
            if reservation.room_id:
                Room.update(status="reserved").where(Room.id == reservation.room_id).execute()
            audit.record(
                self.actor.username,
                now,
                "reservation.accept",
                "reservation",
                reservation.id,
                reservation=reservation,
                before=before,
                after=snapshot(reservation, *fields),
            )
        return reservation

    def send_proposal(
        self, reservation_id: int, room_number: str, sent_at: datetime | None = None
    ) -> Reservation:
        """Record the CROUS proposal: a room of this residence is offered to a request, and the
        120-hour answer window starts at ``sent_at`` (now when not given). First come, first
        served: a room already promised over the same days (beyond what it holds) is refused."""
        permissions.require(self.actor, "proposal.send", self.residence)
        now = self.now()
        sent = sent_at or now
        with db.atomic():
            reservation = self.reservation(reservation_id)
            problems: list[str] = []
            if self.residence is None:
                problems.append(_("open the desk of a residence to offer one of its rooms"))
            if reservation.status != "requested":
                problems.append(
                    _("a proposal is sent for a request only (status: {status})").format(
                        status=status_label(
                            effective_status(reservation.status, reservation.proposal_sent_at, now)
                        )
                    )
                )
            if sent > now:
                problems.append(_("a proposal cannot be sent in the future"))
            room = None
            if self.residence is not None:
                room = Room.get_or_none(
                    Room.residence == self.residence,
                    Room.number == "".join(room_number.split()).upper(),
                )
                if room is None:
                    problems.append(
                        _("no room {room!r} at this residence").format(room=room_number[:20])
                    )
                elif room.status == "out_of_service":
                    problems.append(_("room {room} is out of service").format(room=room.number))
                else:
                    problems.extend(self._room_taken(room, reservation, now))
            if problems:
                raise Refused(*problems)
            assert room is not None
            fields = ("room", "status", "proposal_sent_at")
            before = snapshot(reservation, *fields)
            changed = (
                Reservation.update(room=room, status="proposed", proposal_sent_at=sent)
                .where(Reservation.id == reservation.id, Reservation.status == "requested")
                .execute()
            )
            if changed != 1:
                raise Refused(_("another desk changed this reservation just now; look again"))
            reservation = Reservation.get_by_id(reservation.id)
            audit.record(
                self.actor.username,
                now,
                "proposal.send",
                "reservation",
                reservation.id,
                reservation=reservation,
                before=before,
                after=snapshot(reservation, *fields),
            )
            search.index_reservation(reservation)
        return reservation

    def _room_taken(self, room: Room, reservation: Reservation, now: datetime) -> list[str]:
        """Why ``room`` cannot be promised for ``reservation``'s days (empty when it can)."""
        places = 2 if room_kinds()[room.kind].couples else 1
        holders = [
            r
            for r in Reservation.select().where(
                Reservation.room == room,
                Reservation.id != reservation.id,
                Reservation.status.in_(("proposed", "accepted", "checked_in")),
                Reservation.lease_start <= reservation.lease_end,
                Reservation.lease_end >= reservation.lease_start,
            )
            if effective_status(r.status, r.proposal_sent_at, now) != "expired"
        ]
        if len(holders) < places:
            return []
        first = holders[0]
        return [
            _("room {room} is already promised from {start} to {end} ({ref})").format(
                room=room.number,
                start=first.lease_start.strftime("%d/%m/%Y"),
                end=first.lease_end.strftime("%d/%m/%Y"),
                ref=first.reference,
            )
        ]

    def refuse(self, reservation_id: int) -> Reservation:
        """Record that the student refused the proposal: the reservation ends there (the
        student must find housing in the city). Only an open proposal can be refused."""
        permissions.require(self.actor, "proposal.answer")
        now = self.now()
        with db.atomic():
            reservation = self.reservation(reservation_id)
            permissions.require(self.actor, "proposal.answer", reservation)
            current = effective_status(reservation.status, reservation.proposal_sent_at, now)
            if current == "expired":
                assert reservation.proposal_sent_at is not None
                raise Refused(
                    _("the proposal expired on {when}: there is nothing left to refuse").format(
                        when=format_instant(proposal_deadline(reservation.proposal_sent_at))
                    )
                )
            if current != "proposed":
                raise Refused(
                    _("there is no open proposal (status: {status})").format(
                        status=status_label(current)
                    )
                )
            before = snapshot(reservation, "status", "answered_at")
            changed = (
                Reservation.update(status="refused", answered_at=now)
                .where(Reservation.id == reservation.id, Reservation.status == "proposed")
                .execute()
            )
            if changed != 1:
                raise Refused(_("another desk changed this reservation just now; look again"))
            reservation = Reservation.get_by_id(reservation.id)
            audit.record(
                self.actor.username,
                now,
                "reservation.refuse",
                "reservation",
                reservation.id,
                reservation=reservation,
                before=before,
                after=snapshot(reservation, "status", "answered_at"),
            )
        return reservation

    # -- inspections ------------------------------------------------------------------------

    def open_inspection(self, reservation_id: int, kind: str = "check_in") -> Inspection:
        """The open inspection of that kind, or a new one with the room kind's checklist."""
        permissions.require(self.actor, "inspection.record")
        now = self.now()
        with db.atomic():
            reservation = self.reservation(reservation_id)
            permissions.require(self.actor, "inspection.record", reservation)
            if reservation.room_id is None:
                raise Refused(_("this reservation has no room yet"))
            existing = (
                Inspection.select()
                .where(Inspection.reservation == reservation, Inspection.kind == kind)
                .order_by(Inspection.id.desc())
                .first()
            )
            if existing is not None:
                return existing
            status = effective_status(reservation.status, reservation.proposal_sent_at, now)
            if kind == "check_in" and status not in ("accepted", "checked_in"):
                raise Refused(_("the check-in inspection needs an accepted reservation"))
            room = reservation.room
            assert room is not None
            checklist = room_kinds()[room.kind].checklist
            inspection = Inspection.create(
                reservation=reservation, room=room, kind=kind, started_at=now, started_by=self.actor
            )
            InspectionItem.insert_many(
                [
                    {"inspection": inspection.id, "position": i, "label": label}
                    for i, label in enumerate(checklist)
                ]
            ).execute()
            audit.record(
                self.actor.username,
                now,
                "inspection.open",
                "inspection",
                inspection.id,
                reservation=reservation,
                after={"kind": kind, "room": room.number, "items": len(checklist)},
            )
        return inspection

    def set_item(
        self, item_id: int, state: str | None = None, remark: str | None = None
    ) -> InspectionItem:
        permissions.require(self.actor, "inspection.record")
        if state is not None and state not in inspection_states():
            raise Refused(
                _("unknown state {state!r}: choose one of {states}").format(
                    state=state, states=", ".join(inspection_states())
                )
            )
        now = self.now()
        with db.atomic():
            item = InspectionItem.get_or_none(InspectionItem.id == item_id)
            if item is None:
                raise Refused(_("no such inspection item"))
            inspection = item.inspection
            permissions.require(self.actor, "inspection.record", inspection.reservation)
            if inspection.locked:
                raise Refused(_("this inspection is acknowledged by the tenant and locked"))
            before = snapshot(item, "state", "remark")
            if state is not None:
                item.state = state
            if remark is not None:
                item.remark = clean_text(remark, _("a remark"))
            item.save()
            audit.record(
                self.actor.username,
                now,
                "inspection.item",
                "inspection_item",
                item.id,
                reservation=inspection.reservation_id,
                before={"label": item.label, **before},
                after={"label": item.label, **snapshot(item, "state", "remark")},
            )
        return item

    def acknowledge_inspection(self, inspection_id: int) -> Inspection:
        """The tenant acknowledges the inspection; from then on it is locked."""
        permissions.require(self.actor, "inspection.record")
        now = self.now()
        with db.atomic():
            inspection = Inspection.get_or_none(Inspection.id == inspection_id)
            if inspection is None:
                raise Refused(_("no such inspection"))
            permissions.require(self.actor, "inspection.record", inspection.reservation)
            if inspection.locked:
                raise Refused(_("this inspection is already acknowledged"))
            unset = [
                i.label
                for i in inspection.items.order_by(InspectionItem.position)
                if i.state is None
            ]
            if unset:
                shown = ", ".join(unset[:3]) + ("…" if len(unset) > 3 else "")
                raise Refused(
                    _("{n} item(s) have no state yet: {items}").format(n=len(unset), items=shown)
                )
            inspection.acknowledged_at = now
            inspection.acknowledged_by = self.actor
            inspection.tenant_name = inspection.reservation.student.full_name
            inspection.save()
            audit.record(
                self.actor.username,
                now,
                "inspection.acknowledge",
                "inspection",
                inspection.id,
                reservation=inspection.reservation_id,
                after={"kind": inspection.kind, "tenant": inspection.tenant_name},
            )
        return inspection

    # -- keys -------------------------------------------------------------------------------

    def _handover_blockers(self, reservation: Reservation, now: datetime) -> list[str]:
        room = reservation.room
        residence = room.residence if room else self.residence
        today = self.today(residence)
        checked_in = (
            Inspection.select()
            .where(
                Inspection.reservation == reservation,
                Inspection.kind == "check_in",
                Inspection.acknowledged_at.is_null(False),
            )
            .exists()
        )
        at_desk = (
            room is not None
            and KeySet.select().where(KeySet.room == room, KeySet.state == "desk").exists()
        )
        facts = HandoverFacts(
            desk=desk_status(now, self.calendar(residence)),
            status=effective_status(reservation.status, reservation.proposal_sent_at, now),
            advance_paid=(reservation.advance_cents or 0) >= ADVANCE_CENTS,
            file_problems=file_problems(
                self.document_facts(reservation),
                reservation.lease_start,
                reservation.lease_end,
                today,
            ),
            lease_start=reservation.lease_start,
            lease_end=reservation.lease_end,
            today=today,
            check_in_acknowledged=checked_in,
            key_set_at_desk=at_desk,
        )
        return handover_blockers(facts)

    def handover_blockers(self, reservation_id: int) -> list[str]:
        return self._handover_blockers(self.reservation(reservation_id), self.now())

    def hand_over_keys(self, reservation_id: int) -> KeySet:
        """Hand a key set of the room to the tenant, or refuse with every unmet condition.

        The transaction takes the write lock at BEGIN, and the key set moves only if it is
        still at the desk (a conditional update), so two desks can never hand out one set.
        """
        permissions.require(self.actor, "keys.handover")
        now = self.now()
        with db.atomic() as transaction:
            reservation = self.reservation(reservation_id)
            permissions.require(self.actor, "keys.handover", reservation)
            blockers = self._handover_blockers(reservation, now)
            if blockers:
                raise Refused(*blockers)
            key_set = (
                KeySet.select()
                .where(KeySet.room == reservation.room_id, KeySet.state == "desk")
                .order_by(KeySet.label)
                .first()
            )
            moved = (
                KeySet.update(state="out", holder=reservation)
                .where(KeySet.id == key_set.id, KeySet.state == "desk")
                .execute()
            )
            handed = (
                Reservation.update(status="checked_in", keys_handed_at=now)
                .where(Reservation.id == reservation.id, Reservation.status == "accepted")
                .execute()
            )
            if moved != 1 or handed != 1:
                transaction.rollback()
                raise Refused(
                    _("another desk changed this key set or reservation just now; look again")
                )
            Room.update(status="occupied").where(Room.id == reservation.room_id).execute()
            KeyLog.create(
                key_set=key_set,
                reservation=reservation,
                action="handover",
                at=now,
                staff=self.actor,
            )
            audit.record(
                self.actor.username,
                now,
                "keys.handover",
                "key_set",
                key_set.id,
                reservation=reservation,
                before={"state": "desk", "holder": None, "reservation_status": "accepted"},
                after={
                    "state": "out",
                    "holder": reservation.reference,
                    "reservation_status": "checked_in",
                },
            )
            key_set = KeySet.get_by_id(key_set.id)
        return key_set


MAX_TEXT = 500  # a remark, a reason, a name: a few lines, never a document


def clean_text(text: str, what: str) -> str:
    """Free text as data: trimmed, and refused if it holds control characters (escapes)."""
    if any(ord(c) < 32 or 127 <= ord(c) < 160 or unicodedata.category(c) == "Cf" for c in text):
        raise Refused(
            _("{what} cannot contain control or invisible formatting characters").format(what=what)
        )
    if len(text.strip()) > MAX_TEXT:
        raise Refused(
            _("{what} is too long: {max} characters at most").format(what=what, max=MAX_TEXT)
        )
    return text.strip()


def _facts(doc: Document) -> DocumentFacts:
    return DocumentFacts(
        kind=doc.kind,
        received=doc.received_at is not None,
        verified=doc.verified_at is not None,
        covers_from=doc.covers_from,
        covers_until=doc.covers_until,
        guarantor_kind=doc.guarantor_kind,
        id_expires=doc.id_expires,
    )
