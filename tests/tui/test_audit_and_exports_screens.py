"""The audit log screen (filters, their refusals, the chain check, the export of what is shown)
and the export dialog, as an administrator and a receptionist use them."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Static

from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.store.models import AuditLog
from crous_desk.store.models import db as proxy
from screens.app import make_app
from screens.audit import AuditScreen
from screens.exports import ExportScreen
from screens.widgets import ReasonsScreen
from tests import factories, tenants
from tests.tui.driving import cells, on_screen, until


def documents() -> Path:
    return Path(os.environ["XDG_DOCUMENTS_DIR"]) / "crous-desk"


def written(prefix: str) -> list[list[str]]:
    (path,) = documents().glob(f"{prefix}*.csv")
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


def toasts(app) -> str:
    return " ".join(str(t.render()) for t in app.screen.query("Toast"))


async def test_the_audit_log_filtered_checked_and_exported(database, at_time):
    first = tenants.tenant(factories.room(number="B-101"))
    tenants.tenant(factories.room(number="B-102"), first="Ana", last="Alves")
    at_time(tenants.FRIDAY_10H)
    admin = factories.staff("chef", role="administrator", scope=())
    app = make_app(admin, factories.residence(), SystemClock(), Config())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f7")
        screen = await on_screen(pilot, AuditScreen)
        table = screen.query_one("#audit-entries", DataTable)
        everything = AuditLog.select().count()
        assert table.row_count == everything
        assert {"accueil", "m.martin"} <= set(cells(table, 2))

        await pilot.press("f", *"m.martin", "enter")  # the person filter
        await until(pilot, lambda: set(cells(table, 2)) == {"m.martin"}, "one person's entries")
        assert set(cells(table, 3)) == {"keys.handover"}
        assert "after" in str(screen.query_one("#audit-detail", Static).render())

        screen.query_one("#ref", Input).value = first.reference
        await pilot.press("f", "enter")
        await until(pilot, lambda: table.row_count == 1, "one person, one reservation")
        assert cells(table, 4) == [first.reference]

        screen.query_one("#ref", Input).value = "ZZZZZ"
        screen.query_one("#from", Input).value = "32/01/2026"
        await pilot.press("f", "enter")
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons[0] == "no reservation 'ZZZZZ'"
        assert "32/01/2026" in reasons.reasons[1]
        await pilot.press("escape")
        await on_screen(pilot, AuditScreen)

        screen.query_one("#who", Input).value = ""
        screen.query_one("#ref", Input).value = ""
        screen.query_one("#from", Input).value = "28/11/2026"  # after every entry
        await pilot.press("f", "enter")
        await until(pilot, lambda: table.row_count == 0, "nothing after Saturday")
        assert "No entry matches." in str(screen.query_one("#audit-detail", Static).render())
        screen.query_one("#from", Input).value = ""
        screen.query_one("#to", Input).value = "27/11/2026"
        await pilot.press("f", "enter")
        await until(pilot, lambda: table.row_count == everything, "everything up to Friday")

        await pilot.press("v")
        await until(pilot, lambda: "Audit log intact" in toasts(app), "the chain intact")

        await pilot.press("x")  # the export writes what is shown, and is audited itself
        await until(pilot, lambda: documents().exists(), "the export written")
        rows = written("audit")
        assert len(rows) == everything + 1 and rows[0][:4] == ["id", "at", "actor", "action"]

        database = proxy.obj
        database.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
        database.execute_sql("UPDATE audit_log SET actor = 'x' WHERE id = 2")
        await pilot.press("v")
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.title_text == "The audit log is broken at entry #2"


async def test_the_export_dialog_offers_what_the_role_may_export(database, desk_app, at_time):
    tenants.tenant(factories.room(number="B-101"))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()  # a receptionist: no pipeline, no audit log; the stays' money
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "ctrl+e")  # from the keys (Ctrl+E in the search box is End)
        dialog = await on_screen(pilot, ExportScreen)
        kinds = dialog.query_one("#export-kinds", OptionList)
        offered = [kinds.get_option_at_index(i).id for i in range(kinds.option_count)]
        assert offered == ["arrivals", "keylog", "ledger"]
        await pilot.press("down", "enter")
        result = dialog.query_one("#export-result", Static)
        await until(pilot, lambda: "1 row written to" in str(result.render()), "the key log")
        rows = written("keylog")
        assert [row[1] for row in rows[1:]] == ["handover"]


async def test_an_export_that_cannot_be_written_says_why(
    database, desk_app, at_time, tmp_path, monkeypatch
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the documents folder should be")
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(blocked))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "ctrl+e")
        dialog = await on_screen(pilot, ExportScreen)
        await pilot.press("enter")
        result = dialog.query_one("#export-result", Static)
        await until(pilot, lambda: "not-a-folder" in str(result.render()), "the error")
        assert "written" not in str(result.render())
    assert blocked.read_text().startswith("a file")
