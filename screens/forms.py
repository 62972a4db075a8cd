"""Small forms. Each is a ``ModalScreen`` returning a typed answer, or None when cancelled:
document facts, the acceptance payment, a remark, a few labelled fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crous_desk.base.dates import parse_day, show_day
from crous_desk.base.errors import Refused
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


class Form(SpeaksTheDesk, ModalScreen[T | None]):
    """Enter moves to the next field and saves on the last; Ctrl+S saves; Esc gives None."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="form.cancel"),
        Binding("ctrl+s", "submit", N_("Save"), id="form.save"),
    ]

    def error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message, style="bold"))

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
            self.error(str(refused))

        self.run_desk_action(
            "", save, lambda _saved: self.dismiss(answer), on_refused=refused, reload=False
        )


@dataclass(frozen=True)
class FactsAnswer:
    covers_from: date | None = None
    covers_until: date | None = None
    guarantor_kind: str | None = None
    id_expires: date | None = None


class DocumentFactsForm(Form[FactsAnswer]):
    """What the staff member reads off the document before ticking it."""

    def __init__(self, kind: str, facts: DocumentFacts, lease: tuple[date, date]) -> None:
        super().__init__()
        self.kind = kind
        self.facts = facts
        self.lease = lease

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
                yield Label(_("Covers from (dd/mm/yyyy)"))
                yield Input(self._day(self.facts.covers_from), id="covers-from")
                yield Label(_("Covers until (dd/mm/yyyy)"))
                yield Input(self._day(self.facts.covers_until), id="covers-until")
            elif self.kind == "guarantor":
                yield Choice(
                    [("visale", _("VISALE")), ("physical", _("Physical guarantor"))],
                    value=self.facts.guarantor_kind or "visale",
                    id="guarantor",
                )
            elif self.kind == "identity":
                yield Label(_("Valid until (dd/mm/yyyy)"))
                yield Input(self._day(self.facts.id_expires), id="id-expires")
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
        try:
            self.dismiss(self._answer())
        except ValueError as error:
            self.error(str(error))

    def _answer(self) -> FactsAnswer:
        if self.kind == "insurance":
            return FactsAnswer(
                covers_from=parse_day(self.query_one("#covers-from", Input).value),
                covers_until=parse_day(self.query_one("#covers-until", Input).value),
            )
        if self.kind == "guarantor":
            return FactsAnswer(guarantor_kind=self.query_one(Choice).value)
        if self.kind == "identity":
            return FactsAnswer(id_expires=parse_day(self.query_one("#id-expires", Input).value))
        return FactsAnswer()


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


class FieldsForm(Form[T]):
    """A few labelled text fields, returned as ``answer(**{key: text})``: a dataclass whose
    fields are the keys. The core checks the values."""

    def __init__(
        self,
        title: str,
        answer: Callable[..., T],
        fields: list[tuple[str, str, str]],
        note: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.answer = answer
        self.fields = fields
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            if self.note:
                yield Static(Text(self.note, style="dim"))
            for key, label, value in self.fields:
                yield Label(label)
                yield Input(value, id=f"field-{key}", max_length=200)
            yield Static(id="form-error")
            yield Static(Text(_("Enter: next / save    Ctrl+S: save    Esc: cancel"), style="dim"))

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def action_submit(self) -> None:
        values = {key: self.query_one(f"#field-{key}", Input).value for key, _l, _v in self.fields}
        self.dismiss(self.answer(**values))


# The answers of the FieldsForms, one per question the desk asks.


@dataclass(frozen=True)
class RoomChoice:
    room: str


@dataclass(frozen=True)
class Why:
    reason: str
