"""The theme editor's colours: a hex field beside a native picker, either way of writing a
colour accepted and stored as #rrggbb, bad ones refused with nothing saved, and without
JavaScript the control that was changed is the one kept."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.factories import UserFactory
from themes.forms import hex_normalise
from themes.models import ThemeDraft

pytestmark = pytest.mark.django_db

COLOURS = {
    "primary": "#5a1d89",
    "accent": "#6b6b76",
    "text": "#1b1b1f",
    "background": "#ffffff",
    "link": "#5a1d89",
    "font": "system",
}
MESSAGE = "Enter a colour as # followed by six hex digits, like #1d4e89."


@pytest.fixture
def admin(client_for: Callable[..., Client], tenant_a: Tenant) -> Client:
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(username="ColourAdmin", role=User.Role.ADMIN))
    return client


def _draft(tenant: Tenant) -> ThemeDraft:
    with tenant_context(tenant):
        return ThemeDraft.objects.get()


@pytest.mark.parametrize(
    ("written", "stored"),
    [("#1D4E89", "#1d4e89"), ("#03a", "#0033aa"), ("#03A", "#0033aa"), (" 1d4e89 ", "#1d4e89")],
)
def test_a_colour_written_any_usual_way_is_stored_as_six_lower_case_digits(
    admin: Client, tenant_a: Tenant, written: str, stored: str
) -> None:
    response = admin.post("/manage/theme/", {**COLOURS, "primary": written, "link": "#1d4e89"})
    assert response.status_code == 302
    assert _draft(tenant_a).primary == stored


@pytest.mark.parametrize("bad", ["#12345g", "#1234", "blue", "", "#1d4e89;x:y", "rgb(0,0,0)"])
def test_a_bad_hex_is_refused_on_its_field_and_nothing_is_saved(
    admin: Client, tenant_a: Tenant, bad: str
) -> None:
    response = admin.post("/manage/theme/", {**COLOURS, "primary": bad, "text": "#000000"})
    page = response.content.decode()
    assert response.status_code == 400
    assert MESSAGE in page
    # The message is tied to the field, and what was typed is given back to correct.
    hex_field = re.search(r'<input type="text"[^>]*name="primary"[^>]*>', page)
    assert hex_field is not None
    assert 'aria-invalid="true"' in hex_field.group(0)
    assert "id_primary_error" in hex_field.group(0)
    assert f'value="{bad}"' in hex_field.group(0)
    assert 'id="id_primary_error"' in page
    draft = _draft(tenant_a)
    assert (draft.primary, draft.text) == ("#1d4e89", "#1b1b1f")


def test_the_contrast_check_still_applies_to_a_colour_written_as_shorthand(
    admin: Client, tenant_a: Tenant
) -> None:
    response = admin.post("/manage/theme/", {**COLOURS, "text": "#CCC"})
    assert response.status_code == 400
    assert "needs at least 4.5:1" in response.content.decode()
    assert _draft(tenant_a).text == "#1b1b1f"


def test_each_colour_has_a_labelled_hex_field_and_a_picker_and_no_inline_style(
    admin: Client,
) -> None:
    page = admin.get("/manage/theme/").content.decode()
    assert '<label for="id_primary">Main colour (header and buttons)</label>' in page
    assert re.search(
        r'<input type="text"[^>]*name="primary" value="#1d4e89"[^>]*id="id_primary"', page
    )
    picker = re.search(r'<input type="color"[^>]*name="primary_picker"[^>]*>', page)
    assert picker is not None
    assert 'value="#1d4e89"' in picker.group(0)
    assert 'aria-label="Colour picker for the main colour"' in picker.group(0)
    assert "style=" not in page
    assert re.search(r'<link rel="stylesheet" href="/static/themes/editor\.[0-9a-f]+\.css">', page)


# Without JavaScript the hex field and the picker are both sent, with the hex as drawn.
def _sent(*, typed: str, picked: str, shown: str = "#1d4e89") -> dict[str, str]:
    return {**COLOURS, "primary": typed, "primary_picker": picked, "primary_shown": shown}


def test_without_javascript_a_picked_colour_is_kept_when_the_hex_was_left_alone(
    admin: Client, tenant_a: Tenant
) -> None:
    assert admin.post("/manage/theme/", _sent(typed="#1d4e89", picked="#0b5d3b")).status_code == 302
    assert _draft(tenant_a).primary == "#0b5d3b"


def test_without_javascript_a_typed_colour_wins_over_the_picker(
    admin: Client, tenant_a: Tenant
) -> None:
    assert admin.post("/manage/theme/", _sent(typed="#5A1D89", picked="#0b5d3b")).status_code == 302
    assert _draft(tenant_a).primary == "#5a1d89"


def test_without_javascript_a_refused_hex_can_be_corrected_with_the_picker(
    admin: Client, tenant_a: Tenant
) -> None:
    refused = admin.post("/manage/theme/", _sent(typed="#zzz", picked="#1d4e89"))
    page = refused.content.decode()
    assert refused.status_code == 400
    # Drawn again: the bad hex kept, the picker at black (it cannot show "no colour").
    assert '<input type="hidden" name="primary_shown" value="#zzz">' in page
    assert re.search(r'type="color"[^>]*name="primary_picker" value="#000000"', page)
    # Untouched, it is refused again rather than turned black.
    again = admin.post("/manage/theme/", _sent(typed="#zzz", picked="#000000", shown="#zzz"))
    assert again.status_code == 400
    picked = admin.post("/manage/theme/", _sent(typed="#zzz", picked="#0b5d3b", shown="#zzz"))
    assert picked.status_code == 302
    assert _draft(tenant_a).primary == "#0b5d3b"


def test_a_picked_colour_goes_through_the_same_checks(admin: Client, tenant_a: Tenant) -> None:
    response = admin.post(
        "/manage/theme/",
        {**COLOURS, "text": "#1b1b1f", "text_picker": "#eeeeee", "text_shown": "#1b1b1f"},
    )
    assert response.status_code == 400
    assert "needs at least 4.5:1" in response.content.decode()
    assert _draft(tenant_a).text == "#1b1b1f"
    sneaky = {**COLOURS, "text": "#1b1b1f", "text_picker": "red;}x{", "text_shown": "#1b1b1f"}
    assert admin.post("/manage/theme/", sneaky).status_code == 302
    assert _draft(tenant_a).text == "#1b1b1f"


def test_hex_normalise() -> None:
    assert hex_normalise("#AbC") == "#aabbcc"
    assert hex_normalise("#a1b2c3") == "#a1b2c3"
    assert hex_normalise("#a1b2c") is None
    assert hex_normalise("#a1b2c3d4") is None
