"""Slips are checked the way a person would: rendered by poppler, read back by zbar."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

# found once, before any test changes PATH (the printing tests put a fake lp alone on it)
_TOOLS = {tool: shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm", "zbarimg")}


def need(tool: str) -> str:
    found = _TOOLS[tool]
    if found is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils zbar-tools (see .ci/run)")
    return found


def pdf_text(pdf: Path) -> str:
    """The text of every page, one space between words, as poppler extracts it."""
    out = subprocess.run(
        [need("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return re.sub(r"\s+", " ", out)


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(
        [need("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
    assert match, out
    return int(match.group(1))


def scan_page(pdf: Path, page: int = 1, dpi: int = 120) -> list[str]:
    """Render one page to PNG with pdftoppm and decode its QR codes with zbarimg."""
    prefix = pdf.with_name(f"{pdf.stem}-scan")
    subprocess.run(
        [
            need("pdftoppm"),
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
        timeout=60,
    )
    image = prefix.with_suffix(".png")
    decoded = subprocess.run(
        [need("zbarimg"), "--quiet", "--raw", str(image)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert decoded.returncode == 0, decoded.stderr
    return decoded.stdout.split()
