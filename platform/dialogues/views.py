"""Resident-facing pages of a tenant's site: the home page and a dialogue with its ideas."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from dialogues import selectors


def home(request: HttpRequest) -> HttpResponse:
    dialogues = selectors.dialogue_list_public()
    return render(request, "dialogues/home.html", {"dialogues": dialogues})


def dialogue_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dialogue = selectors.dialogue_get_public(slug=slug)
    if dialogue is None:
        raise Http404("No such dialogue")
    paginator = Paginator(selectors.idea_list_for_dialogue(dialogue=dialogue), 20)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "dialogues/dialogue_detail.html", {"dialogue": dialogue, "page": page})
