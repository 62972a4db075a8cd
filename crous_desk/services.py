"""The Python API of earlier versions, kept for scripts and integrations: ``Desk`` with its
methods, which now call the desk actions of each package (``crous_desk.reservations``,
``crous_desk.inspections``, ``crous_desk.keys``). New code calls those actions directly."""

from __future__ import annotations

from datetime import date, datetime

from crous_desk.base.text import MAX_TEXT, clean_text
from crous_desk.desk.context import Desk as _Desk
from crous_desk.desk.context import residence_calendar
from crous_desk.inspections import record as _inspections
from crous_desk.keys.handover import hand_over_keys as _hand_over_keys
from crous_desk.people.staff import ensure_staff
from crous_desk.reservations import documents as _documents
from crous_desk.reservations import proposal as _proposal
from crous_desk.reservations import search as _search
from crous_desk.reservations.file import (
    DocumentRow,
    ReservationFile,
    document_facts,
    file_view,
    handover_blockers,
)
from crous_desk.reservations.search import SearchRow
from crous_desk.rules.proposal import ADVANCE_CENTS
from crous_desk.rules.rental_file import DocumentFacts
from crous_desk.rules.status import InspectionKind
from crous_desk.store.models import Document, Inspection, InspectionItem, KeySet, Reservation

__all__ = [
    "MAX_TEXT",
    "Desk",
    "DocumentRow",
    "ReservationFile",
    "SearchRow",
    "clean_text",
    "ensure_staff",
    "residence_calendar",
]


class Desk(_Desk):
    """A desk with the methods of earlier versions; each calls the action of the same name."""

    def search(self, text: str, limit: int = _search.MAX_RESULTS) -> list[SearchRow]:
        return _search.search(self, text, limit)

    def find_reference(self, text: str) -> Reservation | None:
        return _search.find_reference(self, text)

    def document_facts(self, reservation: Reservation) -> dict[str, DocumentFacts]:
        return document_facts(reservation)

    def file_view(self, reservation_id: int) -> ReservationFile:
        return file_view(self, reservation_id)

    def handover_blockers(self, reservation_id: int) -> list[str]:
        return handover_blockers(self, self.reservation(reservation_id))

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
        return _documents.verify_document(
            self,
            reservation_id,
            kind,
            covers_from=covers_from,
            covers_until=covers_until,
            guarantor_kind=guarantor_kind,
            id_expires=id_expires,
        )

    def unverify_document(self, reservation_id: int, kind: str) -> None:
        _documents.unverify_document(self, reservation_id, kind)

    def accept(
        self,
        reservation_id: int,
        payer_kind: str,
        payer_name: str = "",
        amount_cents: int = ADVANCE_CENTS,
    ) -> Reservation:
        return _proposal.accept(self, reservation_id, payer_kind, payer_name, amount_cents)

    def send_proposal(
        self, reservation_id: int, room_number: str, sent_at: datetime | None = None
    ) -> Reservation:
        return _proposal.send_proposal(self, reservation_id, room_number, sent_at)

    def refuse(self, reservation_id: int) -> Reservation:
        return _proposal.refuse(self, reservation_id)

    def open_inspection(
        self, reservation_id: int, kind: str = InspectionKind.CHECK_IN
    ) -> Inspection:
        return _inspections.open_inspection(self, reservation_id, kind)

    def set_item(
        self, item_id: int, state: str | None = None, remark: str | None = None
    ) -> InspectionItem:
        return _inspections.set_item(self, item_id, state, remark)

    def acknowledge_inspection(self, inspection_id: int) -> Inspection:
        return _inspections.acknowledge_inspection(self, inspection_id)

    def hand_over_keys(self, reservation_id: int) -> KeySet:
        return _hand_over_keys(self, reservation_id)
