"""The French catalogue is whole: every message of the sources has a French translation that
keeps its placeholders. When this fails, it names each message and where it is used; run
``python -m crous_desk.base.catalogue update``, translate, and run it again."""

from __future__ import annotations

import io

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from crous_desk.base import catalogue
from crous_desk.base.i18n import _, ngettext, set_language
from crous_desk.base.i18n import catalogue as load


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogue.extract()


def test_every_message_has_a_french_translation_with_its_placeholders(template: Catalog) -> None:
    faults = [str(f) for f in catalogue.faults(catalogue.read("fr"), template)]
    assert not faults, (
        f"messages without a proper French translation: {len(faults)} "
        "(python -m crous_desk.base.catalogue update, then translate):\n" + "\n".join(faults)
    )


def test_the_catalogue_holds_every_kind_of_text_a_user_reads(template: Catalog) -> None:
    """Key descriptions (N_), the CLI's help and argparse's words, Textual's own texts, the
    reference data's labels and plurals are all extracted, not only the _() calls."""
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    for wanted in (
        "Hand over the keys",  # a binding description
        "Record an extension request for the mobility manager",  # a tooltip
        "open the desk (the default)",  # CLI help
        "the following arguments are required: %s",  # argparse
        "Search for commands…",  # Textual's palette
        "Quit the application as soon as possible",  # a Textual system command
        "Civil-liability and home insurance (fire, water damage, theft) for the whole stay",
        "Mattress and protector",  # a checklist item in data/room_kinds.json
        "{n} reservation found",  # a plural
    ):
        assert wanted in ids, wanted
    assert len(ids) > 1000


def _po(text: str) -> Catalog:
    header = 'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
    return read_po(io.BytesIO((header + text).encode()), locale="fr")


def test_a_new_english_message_without_french_is_named_with_its_place() -> None:
    template = Catalog()
    template.add("Keys handed over", locations=[("screens/keys.py", 12)])
    template.add("{n} key set", locations=[("screens/keys.py", 40)])
    translated = _po('msgid "Keys handed over"\nmsgstr "Clés remises"\n')
    faults = list(catalogue.faults(translated, template))
    assert [(f.msgid, f.where, f.why) for f in faults] == [
        ("{n} key set", "screens/keys.py:40", "no translation")
    ]


def test_a_translation_that_drops_or_changes_a_placeholder_is_a_fault() -> None:
    template = Catalog()
    template.add("room {room} is out of service", locations=[("a.py", 1)])
    template.add("{n} set", locations=[("b.py", 2)])
    template.add(("{n} slip", "{n} slips"), locations=[("c.py", 3)])
    dropped = _po(
        'msgid "room {room} is out of service"\nmsgstr "la chambre est hors service"\n\n'
        'msgid "{n} set"\nmsgstr "{nombre} jeu"\n\n'
        'msgid "{n} slip"\nmsgid_plural "{n} slips"\nmsgstr[0] "une fiche"\n'
        'msgstr[1] "{n} fiches"\n'
    )
    assert [f.where for f in catalogue.faults(dropped, template)] == ["a.py:1", "b.py:2", "c.py:3"]
    kept = _po(
        'msgid "room {room} is out of service"\nmsgstr "la chambre {room} est hors service"\n\n'
        'msgid "{n} set"\nmsgstr "{n} jeu"\n\n'
        'msgid "{n} slip"\nmsgid_plural "{n} slips"\nmsgstr[0] "{n} fiche"\n'
        'msgstr[1] "{n} fiches"\n'
    )
    assert list(catalogue.faults(kept, template)) == []


def test_a_fuzzy_translation_does_not_count() -> None:
    template = Catalog()
    template.add("Rooms", locations=[("a.py", 1)])
    fuzzy = _po('#, fuzzy\nmsgid "Rooms"\nmsgstr "Chambres"\n')
    assert [f.why for f in catalogue.faults(fuzzy, template)] == ["fuzzy"]


def test_french_plurals_count_zero_and_one_as_singular() -> None:
    set_language("fr")
    assert ngettext("{n} room", "{n} rooms", 0).format(n=0) == "0 chambre"
    assert ngettext("{n} room", "{n} rooms", 1).format(n=1) == "1 chambre"
    assert ngettext("{n} room", "{n} rooms", 2).format(n=2) == "2 chambres"
    assert _("") == ""  # never the catalogue's header


def test_the_po_compiled_in_memory_and_the_built_mo_say_the_same(tmp_path) -> None:
    """A source checkout reads the .po; an installed desk reads the .mo the build made."""
    (mo,) = catalogue.compile_all(tmp_path)
    import gettext

    with mo.open("rb") as handle:
        built = gettext.GNUTranslations(handle)
    from_po = load("fr")
    for message in ("Hand over the keys", "Search for commands…", "usage: "):
        assert built.gettext(message) == from_po.gettext(message) != message


def test_the_update_command_keeps_translations_and_adds_new_messages(tmp_path, monkeypatch):
    """`update` on a copy of the sources with one new message: the old translations stay,
    the new message is there, untranslated, and `check` names it."""
    import shutil

    root = tmp_path / "src"
    for folder in catalogue.SOURCES:
        shutil.copytree(catalogue.ROOT / folder, root / folder)
    new = root / "screens" / "new_screen.py"
    new.write_text('from crous_desk.base.i18n import _\n\nX = _("A brand new message")\n')
    locale = tmp_path / "locale"
    shutil.copytree(catalogue.po_path("fr").parents[2], locale)
    monkeypatch.setattr(catalogue, "LOCALE_DIR", locale)
    missing = catalogue.update(root)
    assert missing == {"fr": 1}
    updated = catalogue.read("fr")
    assert updated.get("Hand over the keys").string == "Remettre les clés"
    assert updated.get("A brand new message").string == ""
    faults = list(catalogue.faults(updated, catalogue.extract(root)))
    assert [(f.msgid, f.where) for f in faults] == [
        ("A brand new message", "screens/new_screen.py:3")
    ]


def test_the_command_checks_compiles_and_explains_itself(tmp_path, capsys) -> None:
    assert catalogue.main(["check"]) == 0
    assert catalogue.main(["compile", str(tmp_path)]) == 0
    assert (tmp_path / "fr" / "LC_MESSAGES" / "crous_desk.mo").is_file()
    assert catalogue.main([]) == 2
    assert "python -m crous_desk.base.catalogue update" in capsys.readouterr().out


def test_the_json_labels_are_extracted_with_their_line() -> None:
    found = list(
        catalogue.extract_labels(
            io.BytesIO(b'{"kinds": [\n {"label": "Studio",\n  "checklist": ["Desk", "Chair"]}]}'),
            None,
            None,
            None,
        )
    )
    assert [(line, text) for line, _f, text, _c in found] == [
        (2, "Studio"),
        (3, "Desk"),
        (3, "Chair"),
    ]
