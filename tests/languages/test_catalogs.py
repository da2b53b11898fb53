"""The catalogs: every marked string is in the Spanish catalog and translated; compiled at start."""
from __future__ import annotations

import os
import stat

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import config
from campaign import create_app
from campaign.languages import choice

ROOT = config.ROOT
SPANISH = ROOT / "campaign/languages/catalogs/es/LC_MESSAGES/messages.po"
# The keywords of the README's `pybabel extract` command.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def marked_strings() -> set[str]:
    """Every msgid the code and templates mark, extracted as `pybabel extract -F babel.cfg` does."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def spanish_catalog():
    with SPANISH.open("rb") as po:
        return read_po(po, locale="es")


def missing_from(catalog, marked: set[str]) -> list[str]:
    """The marked strings a catalog lacks."""
    return sorted(msgid for msgid in marked if msgid not in catalog)


def untranslated(catalog) -> list:
    """The entries of a catalog with an empty translation (any plural form) or marked fuzzy."""
    return [m.id for m in catalog if m.id and (
        "fuzzy" in m.flags or not all(m.string if isinstance(m.string, tuple) else (m.string,)))]


def test_every_marked_string_is_in_the_spanish_catalog():
    missing = missing_from(spanish_catalog(), marked_strings())
    assert not missing, (f"{len(missing)} marked strings are not in {SPANISH.name}: run the README's "
                         f"pybabel extract and update, then translate them. {missing[:40]}")


def test_every_spanish_entry_is_translated_and_none_is_fuzzy():
    left = untranslated(spanish_catalog())
    assert not left, f"{len(left)} Spanish entries untranslated or fuzzy, among them: {left[:40]}"


def test_spanish_placeholders_match_and_plurals_have_two_forms():
    catalog = spanish_catalog()
    assert catalog.num_plurals == 2
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check() if errors]
    assert not problems, problems


def test_the_checks_see_a_missing_an_untranslated_and_a_fuzzy_string():
    """The two checks above name what they are meant to catch."""
    catalog = spanish_catalog()
    marked = marked_strings()
    assert "Sign the petition" in marked and "Sign the petition" not in untranslated(catalog)
    del catalog["Sign the petition"]
    assert "Sign the petition" in missing_from(catalog, marked)
    catalog.add("A string nobody translated", "")
    catalog.add("A guess", "Una suposición", flags=["fuzzy"])
    catalog.add(("%(num)s cat", "%(num)s cats"), ("%(num)s gato", ""))
    assert {"A string nobody translated", "A guess", ("%(num)s cat", "%(num)s cats")} <= set(
        untranslated(catalog))


def test_catalogs_compile_at_start_when_missing_or_older(tmp_path):
    source = tmp_path / "catalogs"
    (source / "es/LC_MESSAGES").mkdir(parents=True)
    (source / "es/LC_MESSAGES/messages.po").write_bytes(SPANISH.read_bytes())
    directory = choice.compile_catalogs(str(source), str(tmp_path / "instance"))
    mo = source / "es/LC_MESSAGES/messages.mo"
    assert directory == str(source) and mo.exists()
    with mo.open("rb") as compiled:
        assert compiled and read_mo(compiled)["Sign the petition"].string == "Firmar la petición"
    built = mo.stat().st_mtime_ns
    choice.compile_catalogs(str(source), str(tmp_path / "instance"))
    assert mo.stat().st_mtime_ns == built  # up to date: not rebuilt
    os.utime(mo, ns=(built - 10**10, built - 10**10))  # older than its .po
    choice.compile_catalogs(str(source), str(tmp_path / "instance"))
    assert mo.stat().st_mtime_ns > built - 10**10


def test_a_read_only_catalog_directory_is_compiled_into_the_instance_folder(tmp_path):
    source = tmp_path / "catalogs"
    (source / "es/LC_MESSAGES").mkdir(parents=True)
    (source / "es/LC_MESSAGES/messages.po").write_bytes(SPANISH.read_bytes())
    source.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(source, os.W_OK):  # root writes anywhere: nothing to show here
            return
        directory = choice.compile_catalogs(str(source), str(tmp_path / "instance"))
    finally:
        source.chmod(stat.S_IRWXU)
    assert directory.startswith(str(tmp_path / "instance"))
    assert (tmp_path / "instance").joinpath(directory, "es/LC_MESSAGES/messages.mo").exists()
    assert not (source / "es/LC_MESSAGES/messages.mo").exists()


def test_the_app_reads_the_compiled_catalog_and_any_extra_one(tmp_path):
    app = create_app(config.TestingConfig, EXTRA_CATALOGS=[str(tmp_path)])
    directories = app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    assert directories == [choice.CATALOGS_DIR, str(tmp_path)]
    assert (ROOT / "campaign/languages/catalogs/es/LC_MESSAGES/messages.mo").exists()
