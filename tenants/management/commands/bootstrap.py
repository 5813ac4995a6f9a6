"""Makes a new installation reachable: the central site on the root domain and its first staff."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from tenants.selectors import central_base_url
from tenants.services import (
    platform_staff_enrolment_link,
    platform_staff_ensure,
    public_tenant_ensure,
)


class Command(BaseCommand):
    help = (
        "Creates the central site (public tenant and root domain) and the first platform staff "
        "account, printing once a link that sets its password. Run it as often as you like: "
        "what exists is left as it is."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--staff-email", help="the first staff account's email (needed once)")
        parser.add_argument("--staff-username", default="staff")
        parser.add_argument(
            "--new-link",
            action="store_true",
            help="print a fresh link if the staff account's password was never set",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        public_tenant_ensure()
        self.stdout.write(f"Central site: {central_base_url()}/")
        with schema_context(get_public_schema_name()):
            staff = User.objects.filter(is_superuser=True).order_by("pk").first()
        lines: list[str] = []
        if staff is None:
            email = options["staff_email"]
            if not email:
                raise CommandError(
                    "No platform staff account exists yet: pass --staff-email to make the first."
                )
            try:
                staff, link = platform_staff_ensure(username=options["staff_username"], email=email)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            lines = self._enrolment_lines(staff, link)
        elif staff.has_usable_password():
            lines = [
                f"Platform staff login at {central_base_url()}/staff/",
                f"  username: {staff.username} (its password is set; nothing changed)",
            ]
        elif options["new_link"]:
            lines = self._enrolment_lines(staff, platform_staff_enrolment_link(user=staff))
        else:
            lines = [
                f"Platform staff account {staff.username} exists; its password was never set. "
                "Run bootstrap --new-link for a fresh link."
            ]
        self.stdout.write("\n".join(lines))

    @staticmethod
    def _enrolment_lines(staff: User, link: str | None) -> list[str]:
        return [
            f"Platform staff login at {central_base_url()}/staff/",
            f"  username: {staff.username}",
            f"  choose its password (the link works once): {link}",
            "  then sign in: the console asks you to add an authenticator app first.",
        ]
