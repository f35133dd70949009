import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from rme_platform.accounts.services import invite_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_invited_user_joins_signs_in_switches_to_english_and_signs_out(page):
    invite_user(email="rosa.paz@escuela.cl", role="director", first_name="Rosa", last_name="Paz")
    link = re.search(r"http://\S+(/accounts/invitation/\S+/)", mail.outbox[0].body).group(1)

    # Accept the invitation: choose a password and land on the home page.
    page.goto(link)
    expect(page.get_by_role("heading", name="Active su cuenta")).to_be_visible()
    page.get_by_label("Contraseña", exact=True).fill("Una-clave-larga-2025")
    page.get_by_label("Repita la contraseña").fill("Una-clave-larga-2025")
    page.get_by_role("button", name="Crear contraseña y entrar").click()
    expect(page.get_by_role("heading", name="Hola, Rosa Paz")).to_be_visible()

    # Sign out, then sign in again with email and password.
    page.get_by_role("button", name="Rosa Paz").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Correo electrónico").fill("rosa.paz@escuela.cl")
    page.get_by_label("Contraseña").fill("Una-clave-larga-2025")
    page.get_by_role("button", name="Iniciar sesión").last.click()
    expect(page.get_by_role("heading", name="Hola, Rosa Paz")).to_be_visible()
    expect(page.get_by_test_id("role")).to_contain_text("Director/a")

    # Switch to English: the page and the stored preference follow.
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="Hello, Rosa Paz")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Rosa Paz").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
