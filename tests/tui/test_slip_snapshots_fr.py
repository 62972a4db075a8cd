"""The screens of the module named below, in French at 80×24 (French runs ~20 % longer):
and no label, header or footer entry may be cut. Look at each SVG before accepting it."""

from __future__ import annotations

import pytest

from crous_desk.base.i18n import set_language
from tests.tui.test_slip_snapshots import *  # noqa: F403 - the same scenarios, collected again here


@pytest.fixture(autouse=True)
def _in_french() -> None:
    set_language("fr")  # the desk's language; the apps keep it (their Config says none)
