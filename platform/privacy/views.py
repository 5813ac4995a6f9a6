"""A resident's own data: download it all, or delete the account."""

from __future__ import annotations

import json

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.current import signed_in_user
from privacy.forms import DeleteAccountForm
from privacy.selectors import account_export
from privacy.services import account_delete


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/my_data.html", {"delete_form": DeleteAccountForm()})


@login_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    data = json.dumps(account_export(user=signed_in_user(request)), indent=2, ensure_ascii=False)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "That is not your password.")
        else:
            logout(request)
            account_delete(user=user, remove_content=form.cleaned_data["content"] == "remove")
            return render(request, "privacy/deleted.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "privacy/my_data.html", {"delete_form": form}, status=status)
