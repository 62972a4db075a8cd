"""The rental file: five documents must be in and verified before the keys are handed over.

The insurance must cover the whole stay, from lease start to lease end; the identity document
must be valid on the handover day; the guarantor is VISALE or a physical guarantor. The
housing-aid form (ALS/APL) is tracked but never blocks the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.rules.reference import document_kinds, required_documents
from crous_desk.rules.status import Guarantor

GUARANTOR_KINDS = tuple(Guarantor)


@dataclass(frozen=True)
class DocumentFacts:
    kind: str
    received: bool = False
    verified: bool = False
    covers_from: date | None = None
    covers_until: date | None = None
    guarantor_kind: str | None = None
    id_expires: date | None = None


def fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def verification_problems(facts: DocumentFacts) -> list[str]:
    """What a staff member must record before ticking this document as verified."""
    problems: list[str] = []
    if facts.kind not in document_kinds():
        return [
            Problem("unknown_document", _("unknown document kind {kind!r}").format(kind=facts.kind))
        ]
    if facts.kind == "insurance":
        if facts.covers_from is None or facts.covers_until is None:
            problems.append(
                Problem("insurance_dates", _("insurance: enter the first and last day it covers"))
            )
        elif facts.covers_until < facts.covers_from:
            problems.append(
                Problem("insurance_dates", _("insurance: the cover ends before it starts"))
            )
    elif facts.kind == "guarantor":
        if facts.guarantor_kind not in GUARANTOR_KINDS:
            problems.append(
                Problem(
                    "guarantor_kind",
                    _("guarantor: say whether it is VISALE or a physical guarantor"),
                )
            )
    elif facts.kind == "identity" and facts.id_expires is None:
        problems.append(Problem("id_expiry", _("identity document: enter its expiry date")))
    return problems


def document_problem(
    facts: DocumentFacts | None, kind: str, lease_start: date, lease_end: date, on_day: date
) -> str | None:
    """Why this required document does not count (None when it does)."""
    label = _(document_kinds()[kind].short)
    if facts is None or not facts.verified:
        if facts is not None and facts.received:
            return known_problem(facts, kind, lease_start, lease_end, on_day) or Problem(
                f"{kind}_not_verified", _("{doc}: received, not verified yet").format(doc=label)
            )
        return Problem(f"{kind}_missing", _("{doc}: missing").format(doc=label))
    if verification_problems(facts):  # ticked without the dates or kind the rule needs
        return Problem(
            f"{kind}_facts_missing",
            _("{doc}: verified without {facts}").format(
                doc=label, facts=", ".join(document_kinds()[kind].facts)
            ),
        )
    if kind == "insurance" and facts.covers_from and facts.covers_until:
        if facts.covers_from > lease_start:
            return Problem(
                "insurance_starts_late",
                _("{doc}: cover starts {start}, after the lease start {lease}").format(
                    doc=label, start=fmt(facts.covers_from), lease=fmt(lease_start)
                ),
            )
        if facts.covers_until < lease_end:
            return Problem(
                "insurance_short",
                _("{doc}: cover ends {end}, before the lease end {lease}").format(
                    doc=label, end=fmt(facts.covers_until), lease=fmt(lease_end)
                ),
            )
    if kind == "identity" and facts.id_expires and facts.id_expires < on_day:
        return Problem(
            "id_expired", _("{doc}: expired on {day}").format(doc=label, day=fmt(facts.id_expires))
        )
    return None


def known_problem(
    facts: DocumentFacts | None, kind: str, lease_start: date, lease_end: date, on_day: date
) -> str | None:
    """What the facts already read off a document say against it, checked or not: an
    insurance that ends before the lease, an identity document already expired. None when
    nothing known is wrong (it may still wait to be checked)."""
    if facts is None:
        return None
    checked = replace(facts, received=True, verified=True)
    if verification_problems(checked):  # not enough known to say
        return None
    return document_problem(checked, kind, lease_start, lease_end, on_day)


def file_problems(
    documents: Mapping[str, DocumentFacts], lease_start: date, lease_end: date, on_day: date
) -> list[str]:
    """Every reason the rental file is not complete on ``on_day`` (empty when complete)."""
    problems = []
    for kind in required_documents():
        problem = document_problem(
            documents.get(kind.code), kind.code, lease_start, lease_end, on_day
        )
        if problem:
            problems.append(problem)
    return problems


def missing_documents(
    documents: Mapping[str, DocumentFacts], lease_start: date, lease_end: date, on_day: date
) -> list[str]:
    """The codes of the required documents that do not count yet (for slips and lists)."""
    return [
        k.code
        for k in required_documents()
        if document_problem(documents.get(k.code), k.code, lease_start, lease_end, on_day)
    ]
