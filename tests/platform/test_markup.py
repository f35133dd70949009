"""Markup details the browser tests would only catch on some pages: help
texts carry the id that aria-describedby names, <time datetime> is a valid
HTML date-time, radios carry no autocomplete attribute (not allowed there;
their forms carry autocomplete="off")."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string

TEMPLATES = Path(settings.BASE_DIR) / "templates"


class HelpForm(forms.Form):
    email = forms.EmailField(help_text="La dirección institucional.")
    name = forms.CharField(required=False)
    answer = forms.ChoiceField(
        choices=[("y", "Sí"), ("n", "No")], widget=forms.RadioSelect, help_text="Elija una."
    )


def described_ids(html):
    return {ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()}


def test_every_aria_describedby_points_at_a_rendered_id():
    for form in (HelpForm(), HelpForm(data={"email": "no es correo"})):
        html = render_to_string("includes/form_fields.html", {"form": form})
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        assert described_ids(html), html
        assert described_ids(html) <= ids, described_ids(html) - ids
    # With an error the help text is still read, then the error.
    assert 'aria-describedby="id_email_helptext id_email-errors"' in html


def test_time_datetime_attribute_is_valid_html():
    moment = datetime.datetime(2025, 3, 12, 13, 5, 7, 123456, tzinfo=datetime.UTC)
    html = Template('{% load rme %}<time datetime="{{ t|datetime_attr }}">').render(
        Context({"t": moment})
    )
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert html == f'<time datetime="{local.replace(microsecond=0).isoformat()}">'
    assert re.fullmatch(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d">', html), (
        html
    )
    for name in ("meetings/_when.html", "pme/_comments.html"):
        assert "date:'c'" not in (TEMPLATES / name).read_text()


def test_radios_carry_no_autocomplete_attribute():
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<input[^>]*>", path.read_text()):
            if 'type="radio"' in tag:
                assert "autocomplete" not in tag, f"{path}: {tag}"
