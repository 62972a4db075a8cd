"""The QR payload: the reference and a check code under the installation's secret, which
every desk sharing the file reads from the database; mistyped and forged codes are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crous_desk.arrivals.slips import (
    SECRET_KEY,
    check_code,
    find_payload,
    installation_secret,
    make_payload,
    qr_half_blocks,
    read_payload,
)
from crous_desk.base.errors import Refused
from crous_desk.store.db import connect
from crous_desk.store.models import Setting
from crous_desk.store.models import db as proxy

SECRET = bytes(range(32))


def test_the_payload_is_the_reference_and_an_eight_digit_check() -> None:
    payload = make_payload("K7Q2MX", SECRET)
    assert re.fullmatch(r"CRD1:K7Q2MX:[0-9A-F]{8}", payload)
    assert payload.endswith(check_code("K7Q2MX", SECRET))
    assert make_payload("K7Q2MX", SECRET) == payload  # deterministic
    assert make_payload("K7Q2MY", SECRET) != payload


def test_reading_back_tolerates_case_and_spaces() -> None:
    payload = make_payload("K7Q2MX", SECRET)
    assert read_payload(payload, SECRET) == "K7Q2MX"
    assert read_payload(f"  {payload.lower()} \n", SECRET) == "K7Q2MX"


def flip(char: str) -> str:
    return "0" if char != "0" else "1"


@pytest.mark.parametrize("position", range(-8, 0))
def test_one_changed_character_in_the_check_is_refused(position: int) -> None:
    payload = make_payload("K7Q2MX", SECRET)
    forged = (
        payload[:position]
        + flip(payload[position])
        + (payload[position + 1 :] if position < -1 else "")
    )
    with pytest.raises(Refused, match=r"slip code for K7Q2MX refused: its check code is wrong"):
        read_payload(forged, SECRET)


def test_a_mistyped_reference_is_refused() -> None:
    payload = make_payload("K7Q2MX", SECRET)
    with pytest.raises(Refused, match="check code is wrong"):
        read_payload(payload.replace("K7Q2MX", "K7Q2MY"), SECRET)


def test_a_code_from_another_installation_is_refused() -> None:
    with pytest.raises(Refused, match="check code is wrong"):
        read_payload(make_payload("K7Q2MX", bytes(32)), SECRET)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("K7Q2MX", "is not a slip code"),
        ("CRD1:K7Q2MX", "is not a complete slip code (expected e.g. CRD1:K7Q2MX:3F9A2C1B)"),
        ("CRD1:K7Q2MX:3F9A2C1", "is not a complete slip code"),
        ("CRD1:K7Q2MX:3F9A2C1BB", "is not a complete slip code"),
        ("CRD1:K7Q-MX:3F9A2C1B", "is not a complete slip code"),
        ("CRD1:K7Q2MX:3F9A2C1G", "is not a complete slip code"),
        ("CRD2:K7Q2MX:3F9A2C1B", "slip format CRD2 is unknown to this version"),
        ("CRD1:K7Q2MX:\x1b[2J", "is not a complete slip code"),
    ],
)
def test_what_is_not_a_complete_code(text: str, words: str) -> None:
    with pytest.raises(Refused) as refused:
        read_payload(text, SECRET)
    message = str(refused.value)
    assert words in message
    assert "\x1b" not in message  # a control character is shown escaped, never sent


def test_the_code_is_found_after_what_was_already_typed() -> None:
    assert find_payload("dupont CRD1:K7Q2MX:3F9A2C1B") == "CRD1:K7Q2MX:3F9A2C1B"
    assert find_payload("crd1:AAAAAA:00000000crd1:K7Q2MX:3F9A2C1B") == "crd1:K7Q2MX:3F9A2C1B"
    assert find_payload("helene dupont") is None
    assert find_payload("B-204") is None


@pytest.mark.sqlite_only  # two installation files
def test_the_secret_is_made_once_and_kept_in_the_file(db_path: Path) -> None:
    database = connect(db_path)
    try:
        assert Setting.select().count() == 0
        secret = installation_secret()
        assert len(secret) == 32
        assert installation_secret() == secret
        payload = make_payload("K7Q2MX")
    finally:
        database.close()
        proxy.initialize(None)
    # another desk opening the same file accepts the code
    again = connect(db_path)
    try:
        assert read_payload(payload) == "K7Q2MX"
        assert Setting.get(Setting.key == SECRET_KEY).value == secret.hex()
    finally:
        again.close()
        proxy.initialize(None)
    # another installation does not
    other = connect(db_path.with_name("other.db"))
    try:
        with pytest.raises(Refused, match="check code is wrong"):
            read_payload(payload)
    finally:
        other.close()
        proxy.initialize(None)


def test_the_qr_code_fits_a_small_terminal() -> None:
    rows = qr_half_blocks(make_payload("K7Q2MX", SECRET))
    assert len(rows) == 15  # a version-1 code, 21 modules + 2 × 4 of quiet zone, two per line
    assert {len(r) for r in rows} == {29}
    assert set("".join(rows)) <= set("▀▄█ ")
    assert rows[0].strip() == rows[1].strip() == ""  # the quiet zone is kept
    assert {r[:4] for r in rows} == {"    "} and {r[-4:] for r in rows} == {"    "}


def test_the_terminal_qr_code_scans(tmp_path: Path) -> None:
    """The half blocks, turned back into pixels, are a QR code zbar reads."""
    import subprocess

    from tests.slips.conftest import need

    payload = make_payload("K7Q2MX", SECRET)
    top = {"█": 1, "▀": 1, "▄": 0, " ": 0}
    bottom = {"█": 1, "▀": 0, "▄": 1, " ": 0}
    modules = []
    for row in qr_half_blocks(payload):
        modules.append([top[c] for c in row])
        modules.append([bottom[c] for c in row])
    scale = 6
    pixels = [[bit for bit in line for _ in range(scale)] for line in modules for _ in range(scale)]
    image = tmp_path / "terminal.pbm"
    image.write_text(
        f"P1\n{len(pixels[0])} {len(pixels)}\n"
        + "\n".join(" ".join(map(str, line)) for line in pixels)
        + "\n",
        encoding="ascii",
    )
    read = subprocess.run(
        [need("zbarimg"), "--quiet", "--raw", str(image)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert read.stdout.split() == [payload], read.stderr
