"""Small forms that return a value: document facts, the acceptance payment, a remark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crous_desk.base.dates import parse_day, show_day
from crous_desk.base.i18n import _
from crous_desk.rules.reference import document_kinds
from crous_desk.rules.rental_file import DocumentFacts


@dataclass(frozen=True)
class FactsAnswer:
    covers_from: date | None = None
    covers_until: date | None = None
    guarantor_kind: str | None = None
    id_expires: date | None = None


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


class _Form(ModalScreen[object]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save"),
    ]

    def error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message, style="bold"))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it saves."""
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:  # pragma: no cover - each form defines it
        raise NotImplementedError


class DocumentFactsForm(_Form):
    """What the staff member reads off the document before ticking it."""

    def __init__(self, kind: str, facts: DocumentFacts, lease: tuple[date, date]) -> None:
        super().__init__()
        self.kind = kind
        self.facts = facts
        self.lease = lease

    def compose(self) -> ComposeResult:
        doc = document_kinds()[self.kind]
        with Vertical(classes="dialog"):
            yield Static(Text(doc.label, style="bold"))
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
                yield Input(
                    show_day(self.facts.covers_from) if self.facts.covers_from else "",
                    id="covers-from",
                )
                yield Label(_("Covers until (dd/mm/yyyy)"))
                yield Input(
                    show_day(self.facts.covers_until) if self.facts.covers_until else "",
                    id="covers-until",
                )
            elif self.kind == "guarantor":
                yield Choice(
                    [("visale", _("VISALE")), ("physical", _("Physical guarantor"))],
                    value=self.facts.guarantor_kind or "visale",
                    id="guarantor",
                )
            elif self.kind == "identity":
                yield Label(_("Valid until (dd/mm/yyyy)"))
                yield Input(
                    show_day(self.facts.id_expires) if self.facts.id_expires else "",
                    id="id-expires",
                )
            yield Static(id="form-error")
            hint = (
                _("↑↓: choose    Enter or Ctrl+S: save    Esc: cancel")
                if self.kind == "guarantor"
                else _("Enter: next / save    Ctrl+S: save    Esc: cancel")
            )
            yield Static(Text(hint, style="dim"))

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
            if self.kind == "insurance":
                answer = FactsAnswer(
                    covers_from=parse_day(self.query_one("#covers-from", Input).value),
                    covers_until=parse_day(self.query_one("#covers-until", Input).value),
                )
            elif self.kind == "guarantor":
                answer = FactsAnswer(guarantor_kind=self.query_one(Choice).value)
            elif self.kind == "identity":
                answer = FactsAnswer(
                    id_expires=parse_day(self.query_one("#id-expires", Input).value)
                )
            else:
                answer = FactsAnswer()
        except ValueError as error:
            self.error(str(error))
            return
        self.dismiss(answer)


@dataclass(frozen=True)
class PaymentAnswer:
    payer_kind: str
    payer_name: str


class PaymentForm(_Form):
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


class RemarkForm(_Form):
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
        self.dismiss(text)


class FieldsForm(_Form):
    """A few labelled text fields; returns {key: text} or None. The core checks the values."""

    def __init__(self, title: str, fields: list[tuple[str, str, str]], note: str = "") -> None:
        super().__init__()
        self.title_text = title
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
        self.dismiss(values)
