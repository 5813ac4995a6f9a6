"""The central site that sells: plan buttons that choose the plan in sign-up, a plan
comparison read from the catalogue, the favicon, and a redirect after every successful POST."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from billing.plans import COMMUNITY, PAID_PLANS, PLANS, TRIAL, Plan
from tenants.models import Signup, Tenant
from tenants.pricing import plan_comparison
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


@pytest.fixture
def central() -> Client:
    return Client(headers={"host": settings.ROOT_DOMAIN}, REMOTE_ADDR="203.0.113.41")


def _checked_plan(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="plan" value="([a-z]+)"[^>]*checked', page)


def _signup_form(client: Client, **changes: str) -> dict[str, str]:
    page = client.get("/signup/").content.decode()
    key = re.search(r'name="submit_key" value="([^"]+)"', page)
    assert key is not None
    return {
        "organisation": "Sefton Young Voices",
        "slug": "sefton-young-voices",
        "admin_email": "lead@sefton.example.org",
        "password": PASSWORD,
        "plan": COMMUNITY.key,
        "submit_key": key.group(1),
        **changes,
    }


@pytest.mark.parametrize("plan", PAID_PLANS, ids=lambda plan: plan.key)
def test_each_plan_button_opens_sign_up_with_that_plan_chosen(central: Client, plan: Plan) -> None:
    pricing = central.get("/pricing/").content.decode()
    assert f'href="/signup/?plan={plan.key}"' in pricing
    page = central.get("/signup/", {"plan": plan.key}).content.decode()
    assert _checked_plan(page) == [plan.key]
    assert f"You chose the <strong>{plan.name}</strong> plan" in page


def test_an_unknown_plan_in_the_link_is_not_echoed_and_nothing_odd_is_chosen(
    central: Client,
) -> None:
    response = central.get("/signup/", {"plan": "Free-for-life-call-0800"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "That plan link is out of date" in page
    # Whatever the address says is never repeated on our page: it could be made to read as
    # an offer from us.
    assert "Free-for-life" not in page
    # The form keeps its usual choice rather than anything the address said.
    assert _checked_plan(page) == [COMMUNITY.key]
    assert "You chose the" not in page


def test_the_free_trial_link_chooses_no_plan_and_is_no_error(central: Client) -> None:
    page = central.get("/signup/", {"plan": TRIAL.key}).content.decode()
    assert "That plan link is out of date" not in page
    assert "You chose the" not in page
    # The trial's own limits, from the catalogue, are listed beside the form.
    for feature in TRIAL.features:
        assert feature in page


def test_an_unknown_plan_posted_is_refused_and_nothing_is_kept(central: Client) -> None:
    response = central.post("/signup/?plan=gold", _signup_form(central, plan="gold"))
    assert response.status_code == 400
    assert "Select a valid choice. gold is not one of the available choices." in (
        response.content.decode()
    )
    assert not Signup.objects.exists()


def test_the_chosen_plan_is_the_one_the_sign_up_keeps(central: Client) -> None:
    central.get("/signup/?plan=partnership")
    response = central.post("/signup/?plan=partnership", _signup_form(central, plan="partnership"))
    assert response.status_code == 302
    assert Signup.objects.get().plan == "partnership"


class _TableReader(HTMLParser):
    """The text of each row's cells in the page's comparison table, header row first."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "compare-table" in (dict(attrs).get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in {"th", "td"}:
            self._in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag in {"th", "td"}:
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_table and self._in_cell:
            self.rows[-1][-1] = (self.rows[-1][-1] + data).strip()


def test_the_comparison_table_has_every_plan_and_every_entitlement_of_the_catalogue(
    central: Client,
) -> None:
    reader = _TableReader()
    reader.feed(central.get("/pricing/").content.decode())
    header, *rows = reader.rows
    assert header == ["Feature", *(plan.name for plan in PLANS)]
    by_label = {row[0]: row[1:] for row in rows}
    assert by_label["Price"] == [plan.price_text for plan in PLANS]
    assert by_label["Staff seats"] == [
        "Unlimited" if plan.max_staff_seats is None else str(plan.max_staff_seats) for plan in PLANS
    ]
    assert by_label["Custom CSS"] == [
        "Included" if plan.custom_css else "Not included" for plan in PLANS
    ]
    assert by_label["Export formats"] == [
        ", ".join(name.upper() for name in plan.export_formats) for plan in PLANS
    ]
    # The price, then one row per entitlement the catalogue has, and nothing else.
    naming = {"key", "name", "monthly_price_pence", "lookup_key"}
    entitlements = [field for field in dataclasses.fields(Plan) if field.name not in naming]
    assert len(rows) == 1 + len(entitlements)
    assert all(len(cells) == len(PLANS) for cells in by_label.values())


def test_the_comparison_follows_whatever_the_catalogue_says() -> None:
    bigger = dataclasses.replace(
        COMMUNITY, key="bigger", name="Bigger", max_staff_seats=25, custom_css=True
    )
    rows = {
        row.label: [cell.text for cell in row.cells]
        for row in plan_comparison(plans=(COMMUNITY, bigger))
    }
    assert rows["Staff seats"] == [str(COMMUNITY.max_staff_seats), "25"]
    assert rows["Custom CSS"] == ["Not included", "Included"]


def test_central_pages_have_the_townsquare_favicon_and_tenant_sites_do_not(
    central: Client, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    for path in ("/", "/pricing/", "/customers/merseyside/", "/signup/", "/demo/", "/privacy/"):
        page = central.get(path).content.decode()
        assert re.search(r'<link rel="icon" href="/static/tenants/favicon\.[0-9a-f]+\.svg"', page)
    assert "tenants/favicon" not in client_for(tenant_a).get("/").content.decode()


def test_the_home_page_sells_with_features_story_pictures_and_answers(central: Client) -> None:
    page = central.get("/").content.decode()
    for heading in (
        "For residents",
        "For moderators and safeguarding leads",
        "For your organisation",
    ):
        assert heading in page
    assert "Read how Merseyside used it" in page
    assert page.count("<details>") >= 4
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) >= 5
    for image in images:
        assert re.search(r'alt="[^"]{20,}"', image), image
        assert re.search(r'width="\d+" height="\d+"', image), image
        assert "/static/tenants/screenshots/" in image


def test_every_central_post_answers_a_success_with_a_redirect(central: Client) -> None:
    demo = central.post(
        "/demo/",
        {
            "name": "Sam",
            "organisation": "Halton Youth",
            "role": "Youth lead",
            "email": "sam@halton.example.org",
            "consent": "on",
        },
    )
    assert (demo.status_code, demo["Location"]) == (302, "/demo/thanks/")
    signup = central.post("/signup/", _signup_form(central))
    assert signup.status_code == 302
    assert signup["Location"].startswith("/signup/")
    # "Continue to payment" on a sign-up that needs none goes back to its status page.
    pay = central.post(f"{signup['Location']}pay/")
    assert (pay.status_code, pay["Location"]) == (302, signup["Location"])
    # Each thank-you or status page is then a plain GET that changes nothing when refreshed.
    assert central.get(demo["Location"]).status_code == 200
    assert Signup.objects.count() == 1
