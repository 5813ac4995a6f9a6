"""Optional sign-up questions: asked, never shown, counted only in groups of five or more."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import DemographicAnswer, DemographicQuestion, User
from tenants.models import Tenant
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-memorable-passphrase"


def _as(client_for: Callable[..., Client], tenant: Tenant, role: str) -> Client:
    client = client_for(tenant)
    with tenant_context(tenant):
        client.force_login(UserFactory.create(role=role))
    return client


def test_an_admin_adds_a_question_residents_may_answer_and_nobody_sees(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    admin = _as(client_for, tenant_a, "admin")
    bad = admin.post("/manage/questions/", {"text": "Borough?", "choices": "Only one"})
    assert "at least two answers" in bad.content.decode()
    admin.post(
        "/manage/questions/",
        {"text": "Which borough do you live in?", "choices": "Knowsley\nLiverpool\nSefton\n"},
    )
    with tenant_context(tenant_a):
        question = DemographicQuestion.objects.get()
    form = client_for(tenant_a).get("/accounts/signup/").content.decode()
    assert "Which borough do you live in? (optional)" in form
    client_for(tenant_a).post(
        "/accounts/signup/",
        {"username": "QuietSeal7", "email": "seal@example.org", "password1": PASSWORD,
         "password2": PASSWORD, f"q_{question.pk}": "Sefton"},
    )  # fmt: skip
    with tenant_context(tenant_a):
        user = User.objects.get(username="QuietSeal7")
        assert DemographicAnswer.objects.get(user=user).answer == "Sefton"
        idea = IdeaFactory.create(author=user)
        url = idea.get_absolute_url()
    assert "Sefton" not in client_for(tenant_a).get(url).content.decode()
    refused = client_for(tenant_a).post(
        "/accounts/signup/",
        {"username": "Other12", "email": "o12@example.org", "password1": PASSWORD,
         "password2": PASSWORD, f"q_{question.pk}": "Atlantis"},
    )  # fmt: skip
    assert "Select a valid choice" in refused.content.decode()


def test_groups_under_five_are_never_counted(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        question = DemographicQuestion.objects.create(text="Borough", choices="Knowsley\nWirral")
        for _ in range(5):
            DemographicAnswer.objects.create(
                user=UserFactory.create(age_band="18_24"), question=question, answer="Knowsley"
            )
        for _ in range(2):
            DemographicAnswer.objects.create(
                user=UserFactory.create(age_band="under_16"), question=question, answer="Wirral"
            )
    page = (
        _as(client_for, tenant_a, "analyst").get("/manage/insights/demographics/").content.decode()
    )
    assert "<td>Knowsley</td><td>5</td>" in page
    assert "<td>Wirral</td><td>fewer than 5</td>" in page
    assert "<td>Under 16</td><td>fewer than 5</td>" in page
    assert "<td>18 to 24</td><td>" in page
    assert (
        _as(client_for, tenant_a, "moderator").get("/manage/insights/demographics/").status_code
        == 403
    )
    assert _as(client_for, tenant_a, "analyst").get("/manage/questions/").status_code == 403
