"""The insights dashboard and the dialogue report, as a page and as PDF (analysts and admins)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import Capability
from backoffice.access import capability_required
from dialogues.models import Dialogue
from insights.figures import dialogue_insights_cached, dialogues_for_insights
from insights.report import report_context, report_pdf_bytes


def _dialogue_or_404(slug: str) -> Dialogue:
    dialogue = dialogues_for_insights().filter(slug=slug).first()
    if dialogue is None:
        raise Http404("No such dialogue")
    return dialogue


@capability_required(Capability.VIEW_INSIGHTS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """One dialogue's figures at a time (the newest unless another is chosen)."""
    dialogues = list(dialogues_for_insights().only("pk", "slug", "title", "state"))
    wanted = request.GET.get("dialogue", "")
    chosen = next((d for d in dialogues if d.slug == wanted), None)
    status = 200
    if wanted and chosen is None:
        status = 404
    if chosen is None and dialogues and not wanted:
        chosen = dialogues[0]
    context = {"dialogues": dialogues, "chosen": chosen, "unknown": wanted if status == 404 else ""}
    if chosen is not None:
        context.update(report_context(dialogue_insights_cached(_dialogue_or_404(chosen.slug))))
    return render(request, "insights/dashboard.html", context, status=status)


@capability_required(Capability.VIEW_INSIGHTS)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """The dialogue report as a page made for printing."""
    context = report_context(dialogue_insights_cached(_dialogue_or_404(slug)), with_themes=True)
    return render(request, "insights/report.html", context)


@capability_required(Capability.VIEW_INSIGHTS)
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The same report as a PDF to hand to a board."""
    dialogue = _dialogue_or_404(slug)
    pdf = report_pdf_bytes(request, dialogue_insights_cached(dialogue))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{dialogue.slug}-report-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
