"""How the mobility manager's workspace reads: pure functions from the pipeline to text."""

from __future__ import annotations

from rich.text import Text

from crous_desk.base.dates import show_day
from crous_desk.base.formats import weekday_clock
from crous_desk.base.i18n import _
from crous_desk.desk.context import Desk
from crous_desk.office import pipeline
from crous_desk.office.pipeline import STEPS, Pipeline, PipelineRow, step_label, step_short
from crous_desk.rules.hours import format_duration


def title(view: Pipeline, desk: Desk, step: str | None) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(_("Students"), style="bold reverse")
    text.append(f"  {desk.actor.display_name}  ")
    text.append(view.year or _("every year"), style="bold")
    text.append(" · ")
    text.append(_("semester {n}").format(n=view.semester) if view.semester else _("both semesters"))
    if step:
        text.append(" · " + step_label(step))
    if view.total > len(view.rows):  # more than one page: which rows these are
        text.append(
            "  "
            + _("{first}–{last} of {total}").format(
                first=view.offset + 1 if view.rows else 0,
                last=view.offset + len(view.rows),
                total=view.total,
            ),
            style="bold",
        )
    text.append(f"  {weekday_clock(view.now.astimezone(desk.calendar().tz))}", style="dim")
    return text


def counts(view: Pipeline, step: str | None) -> Text:
    text = Text()
    for i, each in enumerate(STEPS):
        if i:
            text.append("\n" if each == "refused" else " · ", style="dim")
        style = "bold reverse" if each == step else ("bold" if view.counts[each] else "")
        text.append(f"{step_short(each)} {view.counts[each]}", style=style)
    return text


def due(view: Pipeline) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    if not view.due_soon:
        text.append(_("No proposal expires within 24 hours."), style="dim")
        return text
    text.append(_("Within 24 h: "), style="bold")
    text.append(
        ", ".join(
            f"{r.name} {format_duration(r.time_left)}"
            for r in view.due_soon
            if r.time_left is not None
        )
    )
    return text


def cells(r: PipelineRow) -> tuple[Text, ...]:
    left = Text(format_duration(r.time_left) if r.time_left is not None else "")
    if r.time_left is not None and r.time_left <= pipeline.DEADLINE_HORIZON:
        left.stylize("bold reverse")
    return (
        Text(r.name, no_wrap=True, overflow="ellipsis"),
        Text(r.ine or "—"),
        Text(step_label(r.step), no_wrap=True, overflow="ellipsis"),
        left,
        Text(show_day(r.lease_start)),
        Text(str(r.semester)),
    )


def detail(r: PipelineRow | None) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    if r is None:
        text.append(_("No student here: change the filters (s, t, y) or the search."))
        return text
    text.append(f"{r.reference} · {r.university}")
    if r.student_number:
        text.append(f" · {r.student_number}")
    text.append(" · ")
    text.append(f"{r.residence} {r.room}".strip() if r.room else _("no room yet"))
    text.append("\n")
    if r.pending_extension is not None:
        text.append(
            _("Extension asked until {day} (e to decide)").format(
                day=show_day(r.pending_extension)
            ),
            style="bold",
        )
    elif r.step == "accepted" and r.file_problems:
        text.append(_("File: ") + "; ".join(r.file_problems))
    elif r.paid_by:
        text.append(_("Advance paid by {who}").format(who=r.paid_by))
    return text
