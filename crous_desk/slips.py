"""Kept importable for scripts written against earlier versions: see crous_desk.arrivals.slips
(the code scanned back: crous_desk.arrivals.payload; saving and printing:
crous_desk.arrivals.output)."""

from crous_desk.arrivals.slips import (
    EXAMPLE_PAYLOAD,
    PAYLOAD_PREFIX,
    QUIET_ZONE,
    SECRET_KEY,
    Arrival,
    MissingDocument,
    Slip,
    arrivals_on,
    atomic_output,
    check_code,
    default_slip_dir,
    desk_slips,
    find_payload,
    installation_secret,
    make_payload,
    print_pdf,
    qr_half_blocks,
    qr_matrix,
    read_payload,
    slips_for,
)

__all__ = [
    "EXAMPLE_PAYLOAD",
    "PAYLOAD_PREFIX",
    "QUIET_ZONE",
    "SECRET_KEY",
    "Arrival",
    "MissingDocument",
    "Slip",
    "arrivals_on",
    "atomic_output",
    "check_code",
    "default_slip_dir",
    "desk_slips",
    "find_payload",
    "installation_secret",
    "make_payload",
    "print_pdf",
    "qr_half_blocks",
    "qr_matrix",
    "read_payload",
    "slips_for",
]
