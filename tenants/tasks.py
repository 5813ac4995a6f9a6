"""Central-site emails and clean-up, run by the worker in the public schema."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from tenants.models import DemoRequest
from tenants.services import demo_requests_purge
from townsquare.celery import app


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def demo_request_emails(*, demo_request_id: int) -> int:
    demo = DemoRequest.objects.filter(pk=demo_request_id).first()
    if demo is None:
        return 0
    sent = 0
    if settings.STAFF_EMAILS:
        send_mail(
            subject=f"Demo request from {demo.organisation}",
            message=(
                "A new demo request is waiting in the staff console: "
                f"/staff/tenants/demorequest/{demo.pk}/change/"
            ),
            from_email=None,
            recipient_list=settings.STAFF_EMAILS,
        )
        sent += 1
    send_mail(
        subject="Thank you for asking about Townsquare",
        message=(
            f"Hello {demo.name},\n\nThank you for asking for a demo. A real person will be in "
            "touch soon to find a time that suits you. We won't share your contact details.\n"
        ),
        from_email=None,
        recipient_list=[demo.email],
    )
    return sent + 1


@app.task(acks_late=True, soft_time_limit=300, time_limit=360)
def demo_requests_purge_task() -> int:
    return demo_requests_purge()
