"""Seeds the demo once: the central site and the Merseyside tenant with an open dialogue."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from dialogues.models import Dialogue
from dialogues.services import dialogue_create, idea_create
from tenants.models import Tenant
from tenants.services import public_tenant_ensure, tenant_create

DEMO_SLUG = "merseyside"
DEMO_NAME = "Merseyside Violence Reduction Partnership"
DEMO_IDEAS = [
    (
        "QuietOtter42",
        "More youth clubs open late",
        "Somewhere warm and safe to go after 6pm, with people who listen, would keep a lot of "
        "us off the streets when things kick off.",
    ),
    (
        "BrightHeron7",
        "Better lighting on the walk home",
        "The path by the park is pitch black in winter. Lights and a bit of CCTV would "
        "make it feel less risky.",
    ),
    (
        "CalmFox19",
        "Mentors who have been there",
        "People who got out of that life talking to younger kids. They listen to someone who "
        "understands.",
    ),
]


class Command(BaseCommand):
    help = "Create the demo central site and tenant if they do not exist; print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logins-file", default=str(settings.DATA_DIR / "demo-logins.txt"))

    def handle(self, *args: Any, **options: Any) -> None:
        logins_file = Path(options["logins_file"])
        public_tenant_ensure()
        tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        if tenant is None:
            tenant = tenant_create(name=DEMO_NAME, slug=DEMO_SLUG, plan="partnership")
            self.stdout.write(f"Created tenant {DEMO_SLUG}")
        with schema_context(tenant.schema_name):
            password = self._seed_tenant()
        if password:
            logins_file.parent.mkdir(parents=True, exist_ok=True)
            logins_file.write_text(
                f"Demo tenant admin at http://{DEMO_SLUG}.{settings.ROOT_DOMAIN}/accounts/login/\n"
                f"  username: admin\n  password: {password}\n"
            )
            logins_file.chmod(0o600)
        if logins_file.exists():
            self.stdout.write(logins_file.read_text())

    @transaction.atomic
    def _seed_tenant(self) -> str | None:
        """Returns the admin password when the admin was created by this run."""
        user_model = get_user_model()
        password = None
        if not user_model.objects.filter(username="admin").exists():
            password = secrets.token_urlsafe(12)
            user_model.objects.create_user(username="admin", password=password, role="admin")
        if Dialogue.objects.filter(slug="safer-merseyside").exists():
            return password
        dialogue = dialogue_create(
            title="Making Merseyside safer",
            slug="safer-merseyside",
            question="What would make your area feel safer for young people?",
            description=(
                "We want to hear from young people across all five boroughs. Share your ideas, "
                "comment on others', and see how we respond. Your username is all anyone sees."
            ),
            state=Dialogue.State.OPEN,
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=60),
        )
        for username, title, body in DEMO_IDEAS:
            author = user_model.objects.create_user(username=username, password=None)
            idea_create(dialogue=dialogue, author=author, title=title, body=body)
        return password
