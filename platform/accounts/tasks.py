"""Emails for staff accounts, sent by the worker in the tenant's schema."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string

from accounts.models import StaffInvitation
from tenants.selectors import tenant_base_url
from townsquare.celery import app


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def staff_invitation_send(*, invitation_id: int) -> bool:
    invitation = StaffInvitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is None:
        return False
    tenant = connection.tenant  # type: ignore[attr-defined]
    context = {
        "site_title": tenant.name,
        "role": invitation.get_role_display(),
        "accept_url": f"{tenant_base_url(tenant=tenant)}/manage/invitations/{invitation.token}/",
        "expires_at": invitation.expires_at,
    }
    send_mail(
        subject=f"[{tenant.name}] You are invited to help run the site",
        message=render_to_string("accounts/email/staff_invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True
