"""How the reservation file reads: pure functions from the file to the text the screen shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text

from crous_desk.base.dates import show_day
from crous_desk.base.errors import code_of
from crous_desk.base.i18n import _, pgettext
from crous_desk.inspections.etat import window_of
from crous_desk.reservations.file import DocumentRow, ReservationFile
from crous_desk.rules.condition import euros
from crous_desk.rules.hours import format_duration
from crous_desk.rules.proposal import format_instant, status_label
from crous_desk.rules.reference import room_kinds
from crous_desk.store.models import Appointment


def action_labels() -> dict[str, str]:
    return {
        "document.verify": _("document ticked"),
        "reservation.refuse": _("proposal refused by the student"),
        "reservation.create": _("Accueil form imported"),
        "reservation.dates": _("stay dates changed by the Accueil list"),
        "student.ine": _("INE recorded"),
        "document.unverify": _("document unticked"),
        "reservation.accept": _("proposal accepted, advance paid"),
        "inspection.open": _("inspection started"),
        "inspection.item": _("inspection item recorded"),
        "inspection.acknowledge": _("inspection acknowledged by the tenant"),
        "keys.handover": _("keys handed over"),
        "appointment.book": _("arrival appointment booked"),
        "appointment.move": _("arrival appointment moved"),
        "appointment.cancel": _("arrival appointment cancelled"),
        "departure.book": _("departure appointment booked"),
        "extension.request": _("extension requested"),
        "extension.decide": _("extension decided"),
        "keys.return": _("keys taken back"),
        "keys.lost": _("key set declared lost"),
        "inspection.meter": _("meter read"),
        "inspection.keys": _("keys counted"),
        "inspection.address": _("the tenant's new address"),
        "inspection.amend": _("inspection completed by an amendment"),
        "ledger.post": _("money recorded"),
        "stay.move.prepare": _("move to another room prepared"),
        "stay.move": _("moved to another room"),
        "departure.close": _("stay closed"),
    }


def when(at: datetime | None) -> str:
    return format_instant(at) if at is not None else "—"


def identity(view: ReservationFile) -> Text:
    s = view.student
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(s.full_name, style="bold")
    text.append(f"  {view.reservation.reference}  ")
    text.append(status_label(view.status), style="reverse")
    text.append("\n")
    text.append(_("INE {ine} · {email}").format(ine=s.ine or "—", email=s.email or "—"))
    return text


def stay(view: ReservationFile, appointment: Appointment | None) -> Text:
    r = view.reservation
    text = Text(no_wrap=True, overflow="ellipsis")
    if view.room is not None:
        kind = _(room_kinds()[view.room.kind].label)
        text.append(
            _("Room {room} · {kind} · {m2:g} m²").format(
                room=view.room.number, kind=kind, m2=view.room.surface_m2
            )
        )
    else:
        text.append(_("No room assigned yet"))
    text.append("\n")
    text.append(
        _("Lease {start} → {end}").format(start=show_day(r.lease_start), end=show_day(r.lease_end))
    )
    if appointment is not None and view.status in ("accepted", "proposed"):
        text.append(
            " · " + _("arrival {when}").format(when=when(appointment.starts_at)), style="bold"
        )
    text.append("\n")
    if view.status == "proposed" and view.time_left is not None:
        text.append(
            _("Proposal: {left} left to answer (until {deadline})").format(
                left=format_duration(view.time_left), deadline=when(view.deadline)
            ),
            style="bold",
        )
    elif view.status == "expired":
        text.append(
            _("Proposal expired on {deadline}").format(deadline=when(view.deadline)), style="bold"
        )
    elif r.proposal_sent_at:
        text.append(_("Proposal sent {sent}").format(sent=when(r.proposal_sent_at)))
    text.append("\n")
    if r.advance_cents:
        payer = (
            _("a third party: {name}").format(name=r.paid_by_name or "?")
            if r.paid_by_kind == "third_party"
            else _("the student")
        )
        text.append(
            _("Advance {amount} € paid {when} by ").format(
                amount=r.advance_cents // 100, when=when(r.advance_paid_at)
            )
        )
        text.append(payer)
    else:
        text.append(_("Advance of 100 € not paid"))
    if view.balance_cents:
        owed = euros(abs(view.balance_cents))
        text.append(
            " · "
            + (
                _("the tenant owes {amount}")
                if view.balance_cents > 0
                else _("the residence owes {amount}")
            ).format(amount=owed),
            style="bold",
        )
    return text


def fails(doc: DocumentRow) -> bool:
    """Received, and what was read off it already fails the rule: it does not count."""
    return bool(
        doc.problem and doc.received_at and not code_of(doc.problem).endswith("_not_verified")
    )


def document_cells(doc: DocumentRow) -> tuple[Text, Text, Text, Text]:
    """[x] verified and counting, [!] received but it does not count (the insurance ends
    before the lease, the identity document expired), [~] received, to check, [ ] missing."""
    if fails(doc):
        tick = Text("[!]", style="bold")
    else:
        tick = Text("[x]" if doc.verified_at else ("[~]" if doc.received_at else "[ ]"))
    name = Text(doc.label + ("" if doc.required else " *"), no_wrap=True, overflow="ellipsis")
    if fails(doc):
        by = Text(_("does not count"), style="bold")
    elif doc.verified_at:
        by = Text(
            f"{when(doc.verified_at)[:5]} {when(doc.verified_at)[11:]} {doc.verified_by or '?'}",
            no_wrap=True,
            overflow="ellipsis",
        )
    elif doc.received_at:
        by = Text(_("received {day} — check").format(day=when(doc.received_at)[:5]))
    else:
        by = Text(pgettext("document", "missing"), style="bold")
    f = doc.facts
    if f.covers_from or f.covers_until:
        facts = Text(f"{show_day(f.covers_from)[:5]}–{show_day(f.covers_until)}")
    elif f.guarantor_kind:
        facts = Text("VISALE" if f.guarantor_kind == "visale" else _("physical"))
    elif f.id_expires:
        facts = Text(_("until {day}").format(day=show_day(f.id_expires)))
    else:
        facts = Text("")
    if fails(doc):  # received, yet it does not count: say so
        facts = Text("⚠ ", style="bold") + facts
        facts.stylize("bold")
    return tick, name, by, facts


def inspections_and_keys(view: ReservationFile) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    if not view.inspections:
        text.append(_("Check-in inspection: not started (press i)"))
    for inspection in view.inspections:
        kind = _("Check-in") if inspection.kind == "check_in" else _("Check-out")
        if inspection.locked:
            text.append(
                _("{kind}: acknowledged by the tenant {when}").format(
                    kind=kind, when=when(inspection.acknowledged_at)
                )
            )
            window = window_of(inspection)
            if window is not None:  # the tenant's window to complete it (loi 89-462, 3-2)
                end = window.ends_at - timedelta(minutes=1)
                text.append(
                    "\n" + _("The tenant may complete it until {end}").format(end=when(end)) + "\n"
                )
        else:
            text.append(_("{kind}: in progress, not acknowledged").format(kind=kind))
        text.append("  ")
    text.append("\n")
    states = {
        "desk": _("at the desk"),
        "out": _("with the tenant"),
        "lost": _("lost"),
        "retired": _("retired"),
    }
    keys = ", ".join(f"{k.label} ({states.get(k.state, k.state)})" for k in view.key_sets)
    text.append(_("Key sets: {keys}").format(keys=keys or _("none")))
    return text


def departed(view: ReservationFile) -> Text:
    """How the stay ended: when, and for an early departure the answer given — force majeure
    (a refund is possible) or not — with its reason."""
    d = view.departure
    text = Text(_("Departed {when}").format(when=when(d.departed_at if d else None)), style="bold")
    if d is not None and d.early:
        text.append("\n")
        answer = (
            _("early departure, force majeure: a refund is possible")
            if d.force_majeure
            else _("early departure, not force majeure: no refund")
        )
        text.append(answer, style="bold")
        if d.reason:
            text.append(" — ")
            text.append(d.reason)
    return text


def readiness(view: ReservationFile) -> Text:
    if view.status == "departed":
        return departed(view)
    if view.status == "checked_in":
        return Text(
            _("Keys handed over {when}").format(when=when(view.reservation.keys_handed_at)),
            style="bold",
        )
    if view.status != "accepted":
        return Text("")
    if not view.blockers:
        return Text(_("Ready: press k to hand over the keys"), style="bold reverse")
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(_("Keys not yet possible:"), style="bold")
    for blocker in view.blockers:
        text.append("\n• ")
        text.append(blocker)
    return text


def history(view: ReservationFile) -> Text:
    labels = action_labels()
    text = Text(_("History") + "\n", style="bold")
    # opening an inspection is not a change a person reads about: its items are
    for entry in [e for e in view.history if e.action != "inspection.open"][:8]:
        text.append(f"{when(entry.at)}  {entry.actor}  ")
        text.append(labels.get(entry.action, entry.action) + "\n")
    return text
