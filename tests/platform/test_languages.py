from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_english_catalog_is_complete():
    catalog = polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert len(catalog) > 50
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:10]}"


GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
APP_PACKAGES = ("rme_platform", "schools", "networks", "pme", "monitoring")


def test_every_text_the_code_translates_is_in_the_catalog():
    """xgettext (makemessages) skips calls inside f-strings, among others:
    a text the code passes to gettext but the catalog lacks stays Spanish
    on English pages. Every literal given to a gettext function in the
    apps' code must be a msgid of the English catalog."""
    import ast

    known = {entry.msgid for entry in polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))}
    missing = []
    for package in APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT_CALLS
                    and node.args
                ):
                    first = node.args[1 if node.func.id == "pgettext" else 0]
                    text = first.value if isinstance(first, ast.Constant) else None
                    if isinstance(text, str) and text not in known:
                        missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {text!r}")
    assert missing == [], missing


def test_compiled_english_catalog_is_current():
    po = ROOT / "locale/en/LC_MESSAGES/django.po"
    mo = ROOT / "locale/en/LC_MESSAGES/django.mo"
    assert mo.exists()
    compiled = polib.mofile(str(mo))
    source = polib.pofile(str(po))
    assert {e.msgid for e in compiled} >= {e.msgid for e in source.translated_entries()}


@pytest.mark.django_db
def test_switching_language_is_remembered_on_the_user(client, director):
    client.force_login(director)
    assert "Su cuenta" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.language == "en"
    client.cookies.clear()
    client.force_login(director)
    page = client.get("/").content.decode()
    assert "Your account" in page and 'lang="en"' in page


@pytest.mark.django_db
def test_anonymous_language_switch_uses_a_cookie(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert 'lang="en"' in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_spanish_is_the_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="es"' in page and "Iniciar sesión" in page


def test_english_times_are_on_the_24_hour_clock_as_everywhere_else():
    """A meeting's hours are written 15:00–17:30; the dates Django formats in
    English (DATETIME_FORMAT, TIME_FORMAT) used to say "5:30 p.m." on the
    same page."""
    import datetime

    from django.utils import formats, translation

    moment = datetime.datetime(2026, 12, 2, 17, 30)
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "Dec. 2, 2026, 17:30"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "12/02/2026 17:30"
        assert formats.time_format(moment.time(), "TIME_FORMAT") == "17:30"
    with translation.override("es"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "02/12/2026 17:30"
