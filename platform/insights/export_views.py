"""The exports page: staff who view insights download a dataset as CSV (streamed) or XLSX."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django_tenants.utils import tenant_context

from accounts.current import signed_in_user
from accounts.roles import Capability
from backoffice.access import capability_required
from billing.entitlements import Feature, PlanLimitError, entitlement_check
from insights.export_forms import ExportForm
from insights.exports import DATASETS, Export, Row, export_create, exports_recent
from townsquare.lib.spreadsheets import csv_chunks, xlsx_write

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@capability_required(Capability.VIEW_INSIGHTS)
def index(request: HttpRequest) -> HttpResponse:
    """The form (GET), or the file it asks for (POST); a format the plan does not include is
    refused on the page with the way to upgrade."""
    # The dashboard links here with ?dialogue=<slug> to start from its dialogue.
    form = ExportForm(
        request.POST if request.method == "POST" else None,
        initial={"dialogue": request.GET.get("dialogue", "")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                export = export_create(
                    actor=signed_in_user(request),
                    dialogue=form.cleaned_data["dialogue"],
                    dataset=form.cleaned_data["dataset"],
                    file_format=form.cleaned_data["file_format"],
                )
            except PlanLimitError as refusal:
                messages.error(request, refusal.message, extra_tags="plan-limit")
                status = 403
            else:
                # capability_required is typed for HttpResponse; Django serves a streamed
                # or file response through the same path.
                return cast(HttpResponse, _download(export))
        else:
            status = 400
    context = {
        "form": form,
        "datasets": DATASETS.values(),
        "xlsx_refusal": _xlsx_refusal(),
        "recent": exports_recent(),
    }
    return render(request, "insights/exports.html", context, status=status)


def _xlsx_refusal() -> PlanLimitError | None:
    try:
        entitlement_check(Feature.EXPORT_FORMAT, value="xlsx")
    except PlanLimitError as refusal:
        return refusal
    return None


def _download(export: Export) -> HttpResponseBase:
    if export.file_format == "xlsx":
        response: HttpResponseBase = _xlsx_response(export)
    else:
        response = StreamingHttpResponse(
            csv_chunks(_in_this_site(export.rows)), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    # Personal data: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


def _in_this_site(rows: Iterator[Row]) -> Iterator[Row]:
    """The rows, read in this request's schema even if the connection served another site
    between the view returning and the stream being read (the site is taken now, while
    the generator's body only runs once the stream is read)."""
    tenant = connection.tenant  # type: ignore[attr-defined]

    def read() -> Iterator[Row]:
        with tenant_context(tenant):
            yield from rows

    return read()


def _xlsx_response(export: Export) -> FileResponse:
    """The workbook is written to an unnamed temporary file (gone once closed), then streamed
    from it: a zip archive cannot be sent before it is finished, and memory stays flat."""
    folder = settings.DATA_DIR / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115  (FileResponse closes it)
    try:
        xlsx_write(export.rows, file, sheet=export.dataset.label)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return FileResponse(file, content_type=XLSX_TYPE)
