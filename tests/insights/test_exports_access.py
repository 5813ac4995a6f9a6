"""Who may export, what an export leaves behind (an audit entry, no cached copy), what the plan
allows, that one site's export never holds another's rows, and that memory stays flat."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook  # type: ignore[import-untyped]

from accounts.models import User
from dialogues.models import Comment, Dialogue
from moderation.models import AuditEntry
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory
from townsquare.lib.memo import TtlMemo

pytestmark = pytest.mark.django_db

URL = "/manage/insights/exports/"
UPGRADE_LINK = '<a href="/manage/billing/">See plans and upgrade</a>'
XLSX_REFUSAL = (
    "XLSX exports are not included in the Free trial plan. Upgrade to the Community plan to use it."
)


@pytest.fixture
def dialogue(tenant_a: Tenant) -> Dialogue:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="export-roles", title="Roles")
        idea = IdeaFactory.create(dialogue=dialogue, title="Alpha-only idea about ferries")
        CommentFactory.create(idea=idea, body="Alpha-only comment about ferries")
        return dialogue


def _as(client_as: Callable[..., Client], tenant: Tenant, role: str) -> Client:
    with tenant_context(tenant):
        user = UserFactory.create(role=role)
    return client_as(tenant, user)


def _post(client: Client, dataset: str, file_format: str = "csv", dialogue: str = "") -> Any:
    return client.post(URL, {"dialogue": dialogue, "dataset": dataset, "file_format": file_format})


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _text(data: bytes, file_format: str) -> str:
    """Every cell of the file, as text (an XLSX file is compressed, so its bytes say little)."""
    if file_format == "csv":
        return data.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(
        "\t".join("" if value is None else str(value) for value in row)
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.mark.parametrize("role", [User.Role.MODERATOR, User.Role.RESIDENT, User.Role.YOUTH_WORKER])
def test_only_admins_and_analysts_export(
    client_as: Callable[..., Client], tenant_a: Tenant, dialogue: Dialogue, role: str
) -> None:
    client = _as(client_as, tenant_a, role)
    assert client.get(URL).status_code == 403
    response = _post(client, "participants", dialogue=dialogue.slug)
    assert response.status_code == 403
    assert "Content-Disposition" not in response
    with tenant_context(tenant_a):
        assert not AuditEntry.objects.filter(action="export").exists()


def test_signed_out_visitors_are_sent_to_sign_in(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    response = _post(client_for(tenant_a), "participants")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [User.Role.ANALYST, User.Role.ADMIN])
def test_analysts_and_admins_download_a_streamed_csv_and_each_export_is_audited(
    client_as: Callable[..., Client], tenant_a: Tenant, dialogue: Dialogue, role: str
) -> None:
    client = _as(client_as, tenant_a, role)
    page = unescape(client.get(f"{URL}?dialogue={dialogue.slug}").content.decode())
    assert f'<option value="{dialogue.slug}" selected>' in page

    response = _post(client, "ideas", dialogue=dialogue.slug)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="export-roles-ideas-{today}.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["Alpha-only idea about ferries"]

    _post(client, "participants", "csv")
    with tenant_context(tenant_a):
        entries = list(AuditEntry.objects.filter(action="export").order_by("pk"))
    assert [(e.target_type, e.target_id, e.after) for e in entries] == [
        ("dialogue", dialogue.pk, {"dataset": "ideas", "format": "csv"}),
        ("dialogue", 0, {"dataset": "participants", "format": "csv"}),
    ]
    # The entry says who and what, never any of the data.
    assert all("ferries" not in f"{e.reason}{e.before}{e.after}" for e in entries)
    page = client.get(URL).content.decode()
    assert "<td>Participants</td><td>CSV</td>" in page
    assert "<td>Roles</td><td>Ideas</td><td>CSV</td>" in page


def test_exports_show_in_the_moderation_audit_log(
    client_as: Callable[..., Client], tenant_a: Tenant, dialogue: Dialogue
) -> None:
    _post(_as(client_as, tenant_a, User.Role.ANALYST), "comments", dialogue=dialogue.slug)
    log = unescape(_as(client_as, tenant_a, User.Role.ADMIN).get("/manage/moderation/audit/")
                   .content.decode())  # fmt: skip
    assert f"<td>export</td><td>dialogue {dialogue.pk}</td>" in log
    assert "Comments of Roles as CSV" in log


@pytest.fixture
def on_plan(tenant_a: Tenant) -> Callable[[str], None]:
    def put(plan: str) -> None:
        Tenant.objects.filter(pk=tenant_a.pk).update(plan=plan)
        TtlMemo.clear_all()  # the host → tenant memo would serve the old plan for a while

    return put


def test_xlsx_is_refused_on_a_plan_without_it_with_the_way_to_upgrade(
    client_as: Callable[..., Client],
    tenant_a: Tenant,
    dialogue: Dialogue,
    on_plan: Callable[[str], None],
) -> None:
    on_plan("trial")
    admin = _as(client_as, tenant_a, User.Role.ADMIN)
    page = unescape(admin.get(URL).content.decode())
    assert f"{XLSX_REFUSAL} {UPGRADE_LINK}" in page

    response = _post(admin, "ideas", "xlsx", dialogue.slug)

    assert response.status_code == 403
    assert "Content-Disposition" not in response
    body = unescape(response.content.decode())
    assert f"{XLSX_REFUSAL} {UPGRADE_LINK}" in body
    analyst_page = unescape(
        _post(_as(client_as, tenant_a, User.Role.ANALYST), "ideas", "xlsx").content.decode()
    )
    assert f"{XLSX_REFUSAL} Ask an admin to upgrade." in analyst_page
    with tenant_context(tenant_a):
        assert not AuditEntry.objects.filter(action="export").exists()
    # CSV is in every plan.
    assert _post(admin, "ideas", "csv").status_code == 200


def test_xlsx_downloads_on_a_plan_that_includes_it(
    client_as: Callable[..., Client],
    tenant_a: Tenant,
    dialogue: Dialogue,
    on_plan: Callable[[str], None],
) -> None:
    on_plan("community")
    response = _post(_as(client_as, tenant_a, User.Role.ANALYST), "ideas", "xlsx", dialogue.slug)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith(
        "-ideas-" + timezone.localdate().isoformat() + '.xlsx"'
    )
    assert response["Cache-Control"] == "no-store"


def test_a_form_without_a_dataset_is_sent_back(
    client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    response = _post(_as(client_as, tenant_a, User.Role.ANALYST), "everything")
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_one_sites_export_never_holds_anothers_rows(
    client_as: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant, dialogue: Dialogue
) -> None:
    client_b = _as(client_as, tenant_b, User.Role.ANALYST)
    for dataset in ("ideas", "comments", "ratings", "tags", "themes", "responses",
                    "participants"):  # fmt: skip
        for file_format in ("csv", "xlsx"):
            text = _text(_body(_post(client_b, dataset, file_format)), file_format)
            for alpha in ("Alpha-only", "export-roles", "alpha-parks", "Idea only alpha has"):
                assert alpha not in text, (dataset, file_format)
    ideas = _text(_body(_post(client_b, "ideas", "xlsx")), "xlsx")
    assert "beta-buses" in ideas
    assert "Idea only beta has" in ideas
    # Naming tenant A's dialogue on B's site finds nothing to export.
    assert _post(client_b, "ideas", dialogue=dialogue.slug).status_code == 400
    with tenant_context(tenant_a):
        assert not AuditEntry.objects.filter(action="export").exists()


def _streamed_peak(client: Client, slug: str) -> tuple[int, int]:
    """The size of the comments CSV and Python's peak memory while it streamed."""
    response = _post(client, "comments", dialogue=slug)
    size = 0
    tracemalloc.start()
    try:
        for chunk in response.streaming_content:
            size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, peak


def test_streaming_a_csv_keeps_memory_flat(
    client_as: Callable[..., Client], tenant_a: Tenant, dialogue: Dialogue
) -> None:
    """Four times the rows, the same peak: memory depends on the chunks read from the
    database (2,000 rows, two at a time while the next is fetched), not on how many rows
    there are; loading them all would need more than the file's 12 MB."""
    body = "Plenty to say about ferries and buses. " * 20  # 780 characters
    client = _as(client_as, tenant_a, User.Role.ANALYST)
    with tenant_context(tenant_a):
        idea = dialogue.ideas.get()
        Comment.objects.bulk_create(Comment(idea=idea, body=body) for _ in range(4_000))
    small_size, small_peak = _streamed_peak(client, dialogue.slug)
    with tenant_context(tenant_a):
        Comment.objects.bulk_create(Comment(idea=idea, body=body) for _ in range(12_000))
    size, peak = _streamed_peak(client, dialogue.slug)

    assert size > 4 * small_size * 0.99
    assert size > 12_000_000
    assert peak < small_peak * 1.2, f"{small_peak / 1e6:.1f} MB, then {peak / 1e6:.1f} MB"
    assert peak < size / 2
