"""Ticking the rental file's documents: received and verified, with the facts read off the
paper (insurance cover, guarantor kind, identity expiry). Desk hours do not apply."""

from __future__ import annotations

from datetime import date

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.rules.reference import document_kinds
from crous_desk.rules.rental_file import DocumentFacts, verification_problems
from crous_desk.rules.status import ReservationStatus
from crous_desk.store.models import Document, Reservation, snapshot

FIELDS = (
    "received_at",
    "verified_by",
    "verified_at",
    "covers_from",
    "covers_until",
    "guarantor_kind",
    "id_expires",
)


@action("document.verify", target=Reservation)
def verify_document(
    act: Act,
    reservation: Reservation,
    kind: str,
    *,
    covers_from: date | None = None,
    covers_until: date | None = None,
    guarantor_kind: str | None = None,
    id_expires: date | None = None,
) -> Document:
    """Tick a document as received and verified, with the facts read off it."""
    if kind not in document_kinds():
        act.refuse(
            Problem("unknown_document", _("unknown document kind {kind!r}").format(kind=kind))
        )
    facts = DocumentFacts(
        kind=kind,
        received=True,
        verified=True,
        covers_from=covers_from,
        covers_until=covers_until,
        guarantor_kind=guarantor_kind,
        id_expires=id_expires,
    )
    act.check(verification_problems(facts))
    with act.change():
        doc, _created = Document.get_or_create(reservation=reservation, kind=kind)
        before = snapshot(doc, *FIELDS)
        doc.received_at = doc.received_at or act.now
        doc.verified_by, doc.verified_at = act.actor, act.now
        doc.covers_from, doc.covers_until = covers_from, covers_until
        doc.guarantor_kind, doc.id_expires = guarantor_kind, id_expires
        doc.save()
        act.audit(
            "document",
            doc.id,
            reservation=reservation,
            before={"kind": kind, **before},
            after={"kind": kind, **snapshot(doc, *FIELDS)},
        )
    return doc


@action("document.unverify", needs="document.verify", target=Reservation)
def unverify_document(act: Act, reservation: Reservation, kind: str) -> None:
    """Untick a document: back to what it was before the tick — received, or missing when
    the tick itself recorded it received; refused once the keys are handed over."""
    if reservation.status == ReservationStatus.CHECKED_IN:
        act.check(Problem("file_closed", _("the keys are handed over: the rental file is closed")))
    doc = Document.get_or_none(reservation=reservation, kind=kind)
    if doc is None or doc.verified_at is None:
        act.check(Problem("not_ticked", _("this document is not ticked")))
    with act.change():
        assert doc is not None
        before = snapshot(doc, *FIELDS)
        undone: dict[str, object] = {"verified_by": None, "verified_at": None}
        if doc.received_at is not None and doc.received_at == doc.verified_at:
            undone["received_at"] = None  # received by the tick itself: missing again
        changed = (
            Document.update(**undone)
            .where(Document.id == doc.id, Document.verified_at.is_null(False))
            .execute()
        )
        act.confirm(changed, _("this document"))
        act.audit(
            "document",
            doc.id,
            reservation=reservation,
            before={"kind": kind, **before},
            after={"kind": kind, **before, **undone},
        )
