"""The core stands without the screens, and the installed command works away from the source."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def test_the_core_never_imports_textual_or_the_screens(tmp_path: Path) -> None:
    """Every module of the core, imported in a fresh interpreter, loads no textual, no screen."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import crous_desk\n"
        "names = [m.name for m in pkgutil.walk_packages(crous_desk.__path__, 'crous_desk.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'screens'))\n"
        "print(len(names), ','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    count, _sep, bad = out.stdout.strip().partition(" ")
    assert int(count) > 40  # every module was walked, not a handful
    assert bad == ""


def _command() -> str:
    found = shutil.which("crous-desk", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("the crous-desk console script is not installed next to this Python")
    return found


def test_installed_command_seeds_a_demo_with_packaged_reference_data(tmp_path: Path) -> None:
    """Run from an empty directory: the reference data must come from the installed package."""
    env = {**os.environ, "CROUS_DESK_CONFIG": str(tmp_path / "none.toml")}
    db = tmp_path / "demo.db"
    run = subprocess.run(
        [_command(), "seed-demo", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "demo data written" in run.stdout
    again = subprocess.run(
        [_command(), "seed-demo", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert again.returncode != 0
    assert "not empty" in again.stderr and "Traceback" not in again.stderr


def test_version_and_help(tmp_path: Path) -> None:
    version = subprocess.run(
        [_command(), "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert version.returncode == 0 and version.stdout.startswith("crous-desk ")
    helped = subprocess.run(
        [_command(), "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert helped.returncode == 0
    for command in ("demo", "seed-demo", "--db"):
        assert command in helped.stdout


def test_an_installed_wheel_speaks_french_from_its_compiled_catalogue(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) in a fresh virtualenv, and ask the installed
    command for its help on a French terminal: the .mo made by the build must be in the wheel,
    and nothing may come from the source checkout (which holds only the .po)."""
    import venv
    import zipfile

    root = Path(__file__).parent.parent
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("crous_desk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "crous_desk/base/locale/fr/LC_MESSAGES/crous_desk.mo" in names
    assert not [n for n in names if n.endswith(".po")]  # the catalogue ships compiled

    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    site = next((fresh / "lib").glob("python3*/site-packages"))
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(fresh / "bin" / "python"),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    # then the dependencies from this interpreter's site-packages (a plain path: its .pth files,
    # such as an editable install of this checkout, are not run). Only after the install: pip
    # would take a crous-desk installed there for this one and install nothing.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "deps.pth").write_text("\n".join(deps) + "\n")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LC_", "CROUS_DESK_", "PYTHON", "COV_", "COVERAGE"))
    }
    env.update(LANG="fr_FR.UTF-8", CROUS_DESK_CONFIG=str(tmp_path / "none.toml"))
    where = subprocess.run(
        [
            str(fresh / "bin" / "python"),
            "-c",
            "import crous_desk.base.i18n as i; print(i.LOCALE_DIR)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    helped = subprocess.run(
        [str(fresh / "bin" / "crous-desk"), "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage : crous-desk")
    assert "ouvrir l'accueil (par défaut)" in helped.stdout
    assert "afficher cette aide et quitter" in helped.stdout
