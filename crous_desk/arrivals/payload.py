"""The slip's code: ``CRD1:<reference>:<check>``, the reservation reference and a check code,
the first 8 hex digits of an HMAC-SHA256 of ``CRD1:<reference>`` under a secret kept in the
database (generated on first need), so every desk sharing the file accepts the codes of every
other, and a mistyped or forged code is refused. Printed as a QR code, scanned back at the desk.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.store.models import Setting, db

PAYLOAD_PREFIX = "CRD1"
SECRET_KEY = "slip_secret"
EXAMPLE_PAYLOAD = "CRD1:K7Q2MX:3F9A2C1B"
_PAYLOAD_START = re.compile(r"CRD\d+:", re.IGNORECASE)
_PAYLOAD = re.compile(r"CRD1:([A-Z0-9]{6}):([0-9A-F]{8})")


# -- the payload --------------------------------------------------------------------------------


def installation_secret() -> bytes:
    """The installation's secret, created the first time a slip needs it. Concurrent desks
    agree: the insert is ignored if another desk wrote it first, and everyone reads it back."""
    row = Setting.get_or_none(Setting.key == SECRET_KEY)
    if row is None:
        with db.atomic():
            Setting.insert(
                key=SECRET_KEY, value=secrets.token_hex(32)
            ).on_conflict_ignore().execute()
        row = Setting.get(Setting.key == SECRET_KEY)
    return bytes.fromhex(row.value)


def check_code(reference: str, secret: bytes) -> str:
    message = f"{PAYLOAD_PREFIX}:{reference}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:8].upper()


def make_payload(reference: str, secret: bytes | None = None) -> str:
    """``CRD1:K7Q2MX:3F9A2C1B``: QR alphanumeric characters only, so it fits a version-1 code."""
    secret = installation_secret() if secret is None else secret
    return f"{PAYLOAD_PREFIX}:{reference}:{check_code(reference, secret)}"


def find_payload(text: str) -> str | None:
    """The slip code in what was typed, or None when it holds none. A scanner types after
    whatever was already in the box, so the code is read from its last "CRDn:" on."""
    starts = list(_PAYLOAD_START.finditer(text))
    return text[starts[-1].start() :] if starts else None


def read_payload(text: str, secret: bytes | None = None) -> str:
    """The reservation reference of a scanned slip code; Refused when it is not a complete
    code or its check code does not match (a mistyped, damaged or forged code)."""
    candidate = "".join(text.split()).upper()
    shown = repr(candidate[:30])
    version = re.match(r"CRD(\d+):", candidate)
    if version is None:
        raise Refused(Problem("not_a_slip_code", _("{text} is not a slip code").format(text=shown)))
    if version.group(1) != "1":
        raise Refused(
            Problem(
                "unknown_slip_format",
                _("{text}: slip format CRD{v} is unknown to this version of crous-desk").format(
                    text=shown, v=version.group(1)
                ),
            )
        )
    match = _PAYLOAD.fullmatch(candidate)
    if match is None:
        raise Refused(
            Problem(
                "incomplete_slip_code",
                _("{text} is not a complete slip code (expected e.g. {example})").format(
                    text=shown, example=EXAMPLE_PAYLOAD
                ),
            )
        )
    reference, check = match.groups()
    secret = installation_secret() if secret is None else secret
    if not hmac.compare_digest(check_code(reference, secret), check):
        raise Refused(
            Problem(
                "wrong_check_code",
                _(
                    "slip code for {ref} refused: its check code is wrong (mistyped or forged)"
                ).format(ref=reference),
            )
        )
    return reference


# -- the QR code --------------------------------------------------------------------------------

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def qr_matrix(payload: str) -> list[list[bool]]:
    """The modules of the QR code (True = dark), quiet zone included."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.exceptions import DataOverflowError

    # one fixed mask: choosing the "best" of eight scores each in pure Python, a quarter of a
    # slip's time, for a code scanners read as well either way (tests read them with zbar);
    # and version 1 tried first (a slip code's 20 characters are what it holds), without
    # encoding the data once more to find the version
    code = qrcode.QRCode(
        version=1, error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, mask_pattern=2
    )
    code.add_data(payload)
    try:
        code.make(fit=False)
    except DataOverflowError:  # a longer text: the smallest version that holds it
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, mask_pattern=2)
        code.add_data(payload)
        code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


_HALF_BLOCKS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def qr_half_blocks(payload: str) -> list[str]:
    """The QR code as text, two module rows per line; a dark module is the foreground colour.
    A version-1 code with its quiet zone is 29 columns by 15 lines."""
    matrix = qr_matrix(payload)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    return [
        "".join(_HALF_BLOCKS[(t, b)] for t, b in zip(top, bottom, strict=True))
        for top, bottom in zip(matrix[0::2], matrix[1::2], strict=True)
    ]
