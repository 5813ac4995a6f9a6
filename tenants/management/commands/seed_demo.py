"""Seeds the demo once: the central site and the Merseyside tenant with a lively dialogue."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from dialogues.models import Dialogue, Tag
from dialogues.services import (
    comment_create,
    dialogue_create,
    idea_create,
    idea_status_set,
    rating_set,
)
from sitesettings.models import Signpost
from tenants.models import Tenant
from tenants.selectors import tenant_base_url
from tenants.services import public_tenant_ensure, tenant_create
from themes.models import MenuItem, Page
from townsquare.lib.richtext import richtext_clean

DEMO_SLUG = "merseyside"
DEMO_NAME = "Merseyside Violence Reduction Partnership"
STAFF = [
    ("admin", User.Role.ADMIN),
    ("moderator", User.Role.MODERATOR),
    ("safeguarding", User.Role.SAFEGUARDING),
    ("analyst", User.Role.ANALYST),
]
SIGNPOSTS = [
    ("Childline", "Free, private support for under-19s, any time", "0800 1111",
     "https://www.childline.org.uk/"),
    ("Fearless", "Tell Crimestoppers about crime, 100% anonymously", "",
     "https://www.fearless.org/"),
    ("Victim Support", "Free, confidential support after crime", "08 08 16 89 111",
     "https://www.victimsupport.org.uk/"),
    ("Samaritans", "Someone to talk to, day or night", "116 123", "https://www.samaritans.org/"),
]  # fmt: skip
DEMO_PAGES = [
    (
        "How to use this site",
        "how-to-use-this-site",
        "<p>Pick a username that does not give away who you are: not your real name, school "
        "or street. Read the question, share your idea, and rate or comment on others'.</p>"
        "<p>Everything you post is public. Moderators check posts to keep everyone safe.</p>",
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
    ),
    (
        "Staying safe online",
        "staying-safe-online",
        "<p>Never share your phone number, address, school or social media here. If "
        "something worries you, use <strong>Report</strong> or <strong>Tell us "
        "privately</strong>, and press <strong>Emergency exit</strong> to leave at once: it "
        "signs you out, but it cannot clear your browsing history, so use a private window "
        "or delete this site from your history afterwards.</p>",
        "https://vimeo.com/76979871",
    ),
]
TAGS = ["Youth services", "Streets and lighting", "Mentoring"]
DEMO_IDEAS = [
    (
        "QuietOtter42",
        "More youth clubs open late",
        "Somewhere warm and safe to go after 6pm, with people who listen, would keep a lot of "
        "us off the streets when things kick off.",
        "Youth services",
    ),
    (
        "BrightHeron7",
        "Better lighting on the walk home",
        "The path by the park is pitch black in winter. Lights and a bit of CCTV would "
        "make it feel less risky.",
        "Streets and lighting",
    ),
    (
        "CalmFox19",
        "Mentors who have been there",
        "People who got out of that life talking to younger kids. They listen to someone who "
        "understands.",
        "Mentoring",
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
            passwords = self._seed_staff()
            self._seed_dialogue()
            self._seed_pages()
        # Built like the links in emails (scheme, PUBLIC_PORT), so it opens as printed, and
        # anew on every run: the port may differ from the run that made the passwords.
        header = f"Demo staff logins at {tenant_base_url(tenant=tenant)}/accounts/login/"
        if passwords:
            lines = [
                f"  {role:<13} username: {name:<13} password: {pw}" for name, role, pw in passwords
            ]
            logins_file.parent.mkdir(parents=True, exist_ok=True)
            logins_file.write_text("\n".join([header, *lines]) + "\n")
            logins_file.chmod(0o600)
        if logins_file.exists():
            kept = logins_file.read_text().splitlines()
            accounts = [line for line in kept if not line.startswith("Demo staff logins at ")]
            self.stdout.write("\n".join([header, *accounts]) + "\n")

    @transaction.atomic
    def _seed_staff(self) -> list[tuple[str, str, str]]:
        """Creates the staff accounts that are missing; returns their new passwords."""
        created = []
        for username, role in STAFF:
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username,
                email=f"{username}@{DEMO_SLUG}.example",
                password=password,
                role=role,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            created.append((username, str(role), password))
        return created

    @transaction.atomic
    def _seed_dialogue(self) -> None:
        if Dialogue.objects.filter(slug="safer-merseyside").exists():
            return
        for position, (name, description, phone, url) in enumerate(SIGNPOSTS):
            Signpost.objects.create(
                name=name, description=description, phone=phone, url=url, position=position
            )
        tags = {name: Tag.objects.get_or_create(name=name, slug=_slug(name))[0] for name in TAGS}
        dialogue = dialogue_create(
            title="Making Merseyside safer",
            slug="safer-merseyside",
            question="What would make your area feel safer for young people?",
            description=(
                "<p>We want to hear from young people across <strong>all five boroughs</strong>. "
                "Share your ideas, comment on others', and see how we respond.</p>"
                "<p>Your username is all anyone sees.</p>"
            ),
            state=Dialogue.State.OPEN,
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=60),
            tags=list(tags.values()),
        )
        residents = {}
        for username, title, body, tag in DEMO_IDEAS:
            resident = User.objects.create_user(
                username=username, email=f"{username.lower()}@residents.example", password=None
            )
            EmailAddress.objects.create(
                user=resident, email=resident.email, verified=True, primary=True
            )
            residents[username] = resident
            idea_create(
                dialogue=dialogue, author=resident, title=title, body=body, tags=[tags[tag]]
            )
        clubs, lighting = (
            dialogue.ideas.get(title__startswith="More youth"),
            dialogue.ideas.get(title__startswith="Better lighting"),
        )
        first = comment_create(
            idea=clubs, author=residents["BrightHeron7"], body="Yes! Fridays especially."
        )
        comment_create(
            idea=clubs,
            author=residents["CalmFox19"],
            body="And somewhere you can just talk, not only sport.",
            parent=first,
        )
        rating_set(idea=clubs, user=residents["BrightHeron7"], stars=5)
        rating_set(idea=clubs, user=residents["CalmFox19"], stars=4)
        rating_set(idea=lighting, user=residents["QuietOtter42"], stars=4)
        admin = User.objects.get(username="admin")
        comment_create(
            idea=clubs,
            author=admin,
            official=True,
            body="Thank you. We are talking to the youth service about opening two clubs until "
            "9pm on Fridays from next month, and we will report back here.",
        )
        idea_status_set(
            idea=clubs,
            by=admin,
            status="under_consideration",
            explanation="We are costing late openings with the youth service.",
        )

    @transaction.atomic
    def _seed_pages(self) -> None:
        """The two pages the customer story mentions, in the menu, with a video each."""
        if Page.objects.exists():
            return
        for title, slug, body, video in DEMO_PAGES:
            Page.objects.create(
                title=title, slug=slug, body=richtext_clean(body), video_url=video, published=True
            )
        for position, (title, slug, _, _) in enumerate(DEMO_PAGES):
            MenuItem.objects.create(
                label=title, page=Page.objects.get(slug=slug), position=position
            )


def _slug(name: str) -> str:
    return name.lower().replace(" and ", "-").replace(" ", "-")
