"""Small forms. Each is a ``ModalScreen`` returning a typed answer, or None when cancelled:
document facts, the acceptance payment, a remark, a few labelled fields.

One behaviour for every form: it stays open until what was typed is accepted; every problem
shows at once, each under the field it is about (the rest under the form), the cursor goes
to the first field that has one, and nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crous_desk.base.dates import parse_day, show_day
from crous_desk.base.errors import Refused, about_of, code_of
from crous_desk.base.i18n import N_, _
from crous_desk.rules.reference import document_kinds
from crous_desk.rules.rental_file import DocumentFacts

from .base import DeskWork
from .language import SpeaksTheDesk

T = TypeVar("T")


class Choice(OptionList):
    """One of a few values, marked "(•)" so that the choice shows without colour too."""

    def __init__(self, choices: list[tuple[str, str]], value: str, id: str | None = None) -> None:
        self.choices = choices
        self.value = value
        super().__init__(*self._build(), id=id)

    def _build(self) -> list[Option]:
        return [
            Option(Text(("(•) " if key == self.value else "( ) ") + label), id=key)
            for key, label in self.choices
        ]

    def on_mount(self) -> None:
        self.highlighted = [key for key, _label in self.choices].index(self.value)

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.value:
            self.value = event.option.id
            index = self.highlighted
            self.clear_options()
            self.add_options(self._build())
            self.highlighted = index


def field(label: str, box: Input) -> Iterator[Widget]:
    """A labelled box, with the place for its own problems under it."""
    yield Label(label)
    yield box
    place = Static(id=f"{box.id}-error", classes="field-error")
    place.display = False
    yield place


Errors = Mapping[str | None, Sequence[str]]  # a box's id (None: the form) → its problems


class Form(SpeaksTheDesk, ModalScreen[T | None]):
    """Enter moves to the next field and saves on the last; Ctrl+S saves; Esc gives None."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="form.cancel"),
        Binding("ctrl+s", "submit", N_("Save"), id="form.save"),
    ]

    # a refusal's code → the id of the box it is about, when the core does not say (``about``)
    field_of: Mapping[str, str] = {}

    def error(self, message: str) -> None:
        self.show_errors({None: [message]})

    def show_errors(self, errors: Errors) -> None:
        """Every problem at once, each under its box; the cursor to the first box with one."""
        general = list(errors.get(None, ()))
        for key, problems in errors.items():
            if key is not None and not self.query(f"#{key}-error"):
                general.extend(problems)
        for place in self.query(".field-error").results(Static):
            mine = errors.get((place.id or "").removesuffix("-error"), ())
            place.update(Text("\n".join(mine), style="bold"))
            place.display = bool(mine)
        self.query_one("#form-error", Static).update(Text("\n".join(general), style="bold"))
        for box in self.query(Input):
            if box.id and errors.get(box.id):
                box.focus()
                break

    def box_of(self, reason: str) -> str | None:
        """The id of the box a refusal's reason is about (None: the form as a whole)."""
        about = about_of(reason)
        return self.box_id(about) if about else self.field_of.get(code_of(reason))

    def box_id(self, about: str) -> str:
        return about.replace("_", "-")

    def show_refusal(self, refused: Refused) -> None:
        errors: dict[str | None, list[str]] = {}
        for reason in refused.reasons:
            errors.setdefault(self.box_of(reason), []).append(str(reason))
        self.show_errors(errors)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:  # pragma: no cover - each form defines it
        raise NotImplementedError


class SavingForm(DeskWork, Form[T]):
    """A form whose answer the core saves before it closes; a refusal shows in the form."""

    saving = False

    def save_and_close(self, answer: T, save: Callable[[], object]) -> None:
        """Run ``save`` (a desk action) in a worker; done: the form returns ``answer``."""
        if self.saving:  # Enter twice: one save
            return
        self.saving = True

        def refused(refused: Refused) -> None:
            self.saving = False
            self.show_refusal(refused)

        self.run_desk_action(
            "", save, lambda _saved: self.dismiss(answer), on_refused=refused, reload=False
        )


@dataclass(frozen=True)
class FactsAnswer:
    covers_from: date | None = None
    covers_until: date | None = None
    guarantor_kind: str | None = None
    id_expires: date | None = None


class DocumentFactsForm(SavingForm[FactsAnswer]):
    """What the staff member reads off the document before ticking it; with ``save`` the
    tick is recorded before the form closes."""

    field_of = {"insurance_dates": "covers-until", "id_expiry": "id-expires"}

    def __init__(
        self,
        kind: str,
        facts: DocumentFacts,
        lease: tuple[date, date],
        save: Callable[[FactsAnswer], object] | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.facts = facts
        self.lease = lease
        self.save = save

    def compose(self) -> ComposeResult:
        doc = document_kinds()[self.kind]
        with Vertical(classes="dialog"):
            yield Static(Text(_(doc.label), style="bold"))
            if self.kind == "insurance":
                yield Static(
                    Text(
                        _("The lease runs {start} → {end}; the cover must span it.").format(
                            start=show_day(self.lease[0]), end=show_day(self.lease[1])
                        ),
                        style="dim",
                    )
                )
                yield from field(
                    _("Covers from (dd/mm/yyyy)"),
                    Input(self._day(self.facts.covers_from), id="covers-from", compact=True),
                )
                yield from field(
                    _("Covers until (dd/mm/yyyy)"),
                    Input(self._day(self.facts.covers_until), id="covers-until", compact=True),
                )
            elif self.kind == "guarantor":
                yield Choice(
                    [("visale", _("VISALE")), ("physical", _("Physical guarantor"))],
                    value=self.facts.guarantor_kind or "visale",
                    id="guarantor",
                )
            elif self.kind == "identity":
                yield from field(
                    _("Valid until (dd/mm/yyyy)"),
                    Input(self._day(self.facts.id_expires), id="id-expires", compact=True),
                )
            yield Static(id="form-error")
            hint = (
                _("↑↓: choose    Enter or Ctrl+S: save    Esc: cancel")
                if self.kind == "guarantor"
                else _("Enter: next / save    Ctrl+S: save    Esc: cancel")
            )
            yield Static(Text(hint, style="dim"))

    @staticmethod
    def _day(day: date | None) -> str:
        return show_day(day) if day else ""

    @on(OptionList.OptionSelected, "#guarantor")
    def _guarantor_chosen(self) -> None:
        self.action_submit()

    def on_mount(self) -> None:
        first = self.query(Input).first() if self.query(Input) else None
        if first is not None:
            first.focus()
        else:
            self.query_one(Choice).focus()

    def action_submit(self) -> None:
        errors: dict[str | None, list[str]] = {}

        def day(box: str) -> date | None:
            try:
                return parse_day(self.query_one(f"#{box}", Input).value)
            except ValueError as error:
                errors[box] = [str(error)]
                return None

        answer = FactsAnswer()
        if self.kind == "insurance":
            answer = FactsAnswer(covers_from=day("covers-from"), covers_until=day("covers-until"))
        elif self.kind == "guarantor":
            answer = FactsAnswer(guarantor_kind=self.query_one(Choice).value)
        elif self.kind == "identity":
            answer = FactsAnswer(id_expires=day("id-expires"))
        if errors:  # every box that is not a day, at once
            self.show_errors(errors)
        elif self.save is None:
            self.dismiss(answer)
        else:
            save = self.save
            self.save_and_close(answer, lambda: save(answer))


@dataclass(frozen=True)
class PaymentAnswer:
    payer_kind: str
    payer_name: str


class PaymentForm(Form[PaymentAnswer]):
    """The student's acceptance: who paid the 100 € rent advance."""

    def __init__(self, student_name: str) -> None:
        super().__init__()
        self.student_name = student_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(_("Acceptance with the 100 € rent advance"), style="bold"))
            yield Choice(
                [
                    ("student", _("Paid by the student ({name})").format(name=self.student_name)),
                    ("third_party", _("Paid by a third party")),
                ],
                value="student",
                id="payer",
            )
            yield Label(_("Third party's name"))
            yield Input(id="payer-name")
            yield Static(id="form-error")
            yield Static(
                Text(
                    _("↑↓: choose    Enter: next / save    Ctrl+S: save    Esc: cancel"),
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        self.query_one(Choice).focus()

    @on(OptionList.OptionSelected, "#payer")
    def _payer_chosen(self) -> None:
        if self.query_one(Choice).value == "third_party":
            self.query_one("#payer-name", Input).focus()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        kind = self.query_one(Choice).value
        name = self.query_one("#payer-name", Input).value.strip()
        if kind == "third_party" and not name:
            self.error(_("Name the third party who paid."))
            self.query_one("#payer-name", Input).focus()
            return
        self.dismiss(PaymentAnswer(kind, name))


@dataclass(frozen=True)
class Remark:
    text: str


class RemarkForm(Form[Remark]):
    def __init__(self, label: str, remark: str) -> None:
        super().__init__()
        self.label = label
        self.remark = remark

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(_("Remark — {item}").format(item=self.label), style="bold"))
            yield Input(self.remark, id="remark", max_length=300)
            yield Static(id="form-error")
            yield Static(Text(_("Enter: save    Esc: cancel"), style="dim"))

    def on_mount(self) -> None:
        self.query_one("#remark", Input).focus()

    def action_submit(self) -> None:
        text = self.query_one("#remark", Input).value
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            self.error(_("Control characters are not allowed in a remark."))
            return
        self.dismiss(Remark(text))


class FieldsForm(SavingForm[T]):
    """A few labelled text fields, returned as ``answer(**{key: text})``: a dataclass whose
    fields are the keys. The core checks the values: with ``save`` (a desk action given the
    answer) the form closes only once it is done, and shows a refusal in place, each
    problem under the field it is about (its ``about``, or ``field_of``: code → key)."""

    def __init__(
        self,
        title: str,
        answer: Callable[..., T],
        fields: list[tuple[str, str, str]],
        note: str = "",
        *,
        save: Callable[[T], object] | None = None,
        field_of: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.answer = answer
        self.fields = fields
        self.note = note
        self.save = save
        self.field_of = {code: f"field-{key}" for code, key in (field_of or {}).items()}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            if self.note:
                yield Static(Text(self.note, style="dim"))
            for key, label, value in self.fields:
                box = Input(value, id=f"field-{key}", max_length=200, compact=True)
                yield from field(label, box)
            yield Static(id="form-error")
            yield Static(Text(_("Enter: next / save    Ctrl+S: save    Esc: cancel"), style="dim"))

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def box_id(self, about: str) -> str:
        return f"field-{about}"

    def box_of(self, reason: str) -> str | None:
        if len(self.fields) == 1:  # one box: every problem is about it
            return f"field-{self.fields[0][0]}"
        return super().box_of(reason)

    def action_submit(self) -> None:
        values = {key: self.query_one(f"#field-{key}", Input).value for key, _l, _v in self.fields}
        answer = self.answer(**values)
        if self.save is None:
            self.dismiss(answer)
        else:
            save = self.save
            self.save_and_close(answer, lambda: save(answer))


# The answers of the FieldsForms, one per question the desk asks.


@dataclass(frozen=True)
class RoomChoice:
    room: str


@dataclass(frozen=True)
class Why:
    reason: str


@dataclass(frozen=True)
class EarlyAnswer:
    force_majeure: bool | None  # None: not said yet (the core asks for it)
    reason: str


class EarlyDepartureForm(SavingForm[EarlyAnswer]):
    """An early departure: force majeure or not, chosen (not typed), and why; ``save``
    closes the stay, and a refusal shows in the form."""

    field_of = {"force_majeure_unanswered": "force-majeure", "early_reason_required": "reason"}

    def __init__(self, name: str, lease_end: date, save: Callable[[EarlyAnswer], object]) -> None:
        super().__init__()
        self.student_name = name
        self.lease_end = lease_end
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Text(
                    _("Early departure of {name} (lease ends {day})").format(
                        name=self.student_name, day=show_day(self.lease_end)
                    ),
                    style="bold",
                )
            )
            yield Static(Text(_("Force majeure? Without it, no refund."), style="dim"))
            yield Choice(
                [
                    ("unsaid", _("Not said yet")),
                    ("no", _("No: no refund")),
                    ("yes", _("Yes: force majeure, a refund is possible")),
                ],
                value="unsaid",
                id="force",
            )
            place = Static(id="force-majeure-error", classes="field-error")
            place.display = False
            yield place
            yield from field(_("Reason"), Input(id="reason", max_length=200, compact=True))
            yield Static(id="form-error")
            yield Static(
                Text(_("↑↓: choose    Tab: next    Ctrl+S: save    Esc: cancel"), style="dim")
            )

    def on_mount(self) -> None:
        self.query_one(Choice).focus()

    @on(OptionList.OptionSelected, "#force")
    def _chosen(self) -> None:
        self.query_one("#reason", Input).focus()

    def action_submit(self) -> None:
        force = {"yes": True, "no": False}.get(self.query_one(Choice).value)
        answer = EarlyAnswer(force, self.query_one("#reason", Input).value)
        self.save_and_close(answer, lambda: self.save(answer))
