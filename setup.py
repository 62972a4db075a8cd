"""The build's one extra step: the French catalogue compiled (.po → .mo) into the wheel.

The .po files are the committed source; the .mo files are made here, never committed, so an
installed desk reads French without Babel's compiler at run time (a source checkout compiles
the .po in memory instead: crous_desk.base.i18n.catalogue).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path("crous_desk") / "base" / "locale"


class BuildWithCatalogue(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as handle:
                catalog = read_po(handle)
            target = Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            self.announce(f"compiled {po} -> {target}", level=2)


setup(cmdclass={"build_py": BuildWithCatalogue})
