"""The screens of the module named below, in French at 80×24 (French runs ~20 % longer):
and no label, header or footer entry may be cut. Look at each SVG before accepting it."""

from __future__ import annotations

import pytest

from crous_desk.base.i18n import set_language
from tests.tui.test_people_snapshots import *  # noqa: F403 - the same scenarios, collected again here


@pytest.fixture(autouse=True)
def _in_french() -> None:
    set_language("fr")  # the desk's language; the apps keep it (their Config says none)


def test_outbox_screen(demo, snap_compare):
    """The e-mail outbox (F9, an administrator's), in French only: its English shot is the
    outbox's own business (issue 15)."""
    assert snap_compare(app_for("admin"), run_before=pressing("f9"), terminal_size=(80, 24))  # noqa: F405
