"""Seeds the demo once: the central site and the Merseyside tenant with a lively dialogue."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from dialogues.models import Dialogue, Tag
from dialogues.services import (
    comment_create,
    dialogue_create,
    dialogue_image_set,
    dialogue_publish_outcome,
    dialogue_set_state,
    idea_create,
    idea_status_set,
    rating_set,
)
from sitesettings.models import Signpost
from tenants import demo_pictures
from tenants.models import Tenant
from tenants.selectors import tenant_base_url
from tenants.services import public_tenant_ensure, tenant_create
from themes.images import image_check
from themes.models import MenuItem, Page
from townsquare.lib.markdown import markdown_render

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
        "## Taking part\n\n"
        "1. Pick a username that does **not** give away who you are: not your real name, "
        "school or street.\n"
        "2. Read the question and share your idea.\n"
        "3. Rate and comment on other people's ideas.\n\n"
        "Everything you post is public. Moderators check posts to keep everyone safe.",
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
    ),
    (
        "Staying safe online",
        "staying-safe-online",
        "Never share your phone number, address, school or social media here.\n\n"
        "If something worries you, use **Report** or **Tell us privately**, and press "
        "**Emergency exit** to leave at once: it signs you out, but it cannot clear your "
        "browsing history, so use a private window or delete this site from your history "
        "afterwards.\n\n"
        "> Need to talk now? [Childline](https://www.childline.org.uk/) is free and "
        "private, any time.",
        "https://vimeo.com/76979871",
    ),
]
# Each dialogue's picture: a drawing made on the spot (no photos of anyone), with its alt text.
PICTURES = {
    "safer-merseyside": (
        demo_pictures.park_at_dusk,
        "A drawing of a park path at dusk, lit by two street lamps between trees.",
    ),
    "getting-home": (
        demo_pictures.street_at_night,
        "A drawing of a city street at night, with two young people waiting at a bus stop.",
    ),
    "youth-club-hours": (
        demo_pictures.youth_club,
        "A drawing of young people outside a youth club with its door open.",
    ),
}
MORE_DIALOGUES = [
    (
        "getting-home",
        "Getting home safely after dark",
        "Which journeys home feel unsafe, and what would change that?",
        "Tell us about the routes, stops and times that worry you. We share what you say "
        "with **Merseytravel** and the councils' lighting teams.",
        [
            (
                "NightOwl88",
                "Buses that wait at the interchange",
                "The last bus leaves two minutes before the train gets in, so you end up walking.",
            ),
            (
                "RiverBlue",
                "Help points at the bus stops",
                "A button that calls someone, like at the station, would make waiting less scary.",
            ),
            (
                "QuietOtter42",
                "Safe places to wait",
                "Shops that let you wait inside until your lift comes, with a sign in the window.",
            ),
        ],
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
            self._seed_more_dialogues()
            self._seed_pictures()
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
                "We want to hear from young people across **all five boroughs**. Share your "
                "ideas, comment on others', and see how we respond.\n\n"
                "_Your username is all anyone sees._"
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
    def _seed_more_dialogues(self) -> None:
        """An open dialogue about journeys home, and a closed one whose outcome is published,
        so the demo shows a dialogue's whole life."""
        admin = User.objects.get(username="admin")
        for slug, title, question, description, ideas in MORE_DIALOGUES:
            if Dialogue.objects.filter(slug=slug).exists():
                continue
            dialogue = dialogue_create(
                title=title,
                slug=slug,
                question=question,
                description=description,
                state=Dialogue.State.OPEN,
                opens_at=timezone.now() - timedelta(days=3),
                closes_at=timezone.now() + timedelta(days=25),
            )
            for username, idea_title, body in ideas:
                author = User.objects.filter(username=username).first() or _resident(username)
                idea_create(dialogue=dialogue, author=author, title=idea_title, body=body)
        if not Dialogue.objects.filter(slug="youth-club-hours").exists():
            closed = dialogue_create(
                title="Youth club opening hours",
                slug="youth-club-hours",
                question="When should youth clubs be open?",
                description="We asked when clubs should open. This dialogue has closed.",
                state=Dialogue.State.OPEN,
                opens_at=timezone.now() - timedelta(days=70),
            )
            idea_create(
                dialogue=closed,
                author=User.objects.filter(username="BrightHeron7").first()
                or _resident("BrightHeron7"),
                title="Friday and Saturday nights",
                body="That is when there is nothing to do and trouble starts.",
            )
            dialogue_set_state(dialogue=closed, by=admin, state=Dialogue.State.CLOSED)
            dialogue_publish_outcome(
                dialogue=closed,
                by=admin,
                summary="Thank you to the **214 young people** who took part. From next "
                "month, two clubs in each borough open until 9pm on Fridays and Saturdays.",
            )

    @transaction.atomic
    def _seed_pictures(self) -> None:
        admin = User.objects.get(username="admin")
        for slug, (draw, alt) in PICTURES.items():
            dialogue = Dialogue.objects.filter(slug=slug, header_image="").first()
            if dialogue is None:
                continue
            upload = SimpleUploadedFile(f"{slug}.png", demo_pictures.picture_png(draw))
            image = image_check(upload=upload, kind="header_image")
            dialogue_image_set(dialogue=dialogue, by=admin, alt=alt, image=image)

    @transaction.atomic
    def _seed_pages(self) -> None:
        """The two pages the customer story mentions, in the menu, with a video each."""
        if Page.objects.exists():
            return
        for title, slug, body, video in DEMO_PAGES:
            Page.objects.create(
                title=title,
                slug=slug,
                body_markdown=body,
                body=markdown_render(body),
                video_url=video,
                published=True,
            )
        for position, (title, slug, _, _) in enumerate(DEMO_PAGES):
            MenuItem.objects.create(
                label=title, page=Page.objects.get(slug=slug), position=position
            )


def _resident(username: str) -> User:
    resident = User.objects.create_user(
        username=username, email=f"{username.lower()}@residents.example", password=None
    )
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    return resident


def _slug(name: str) -> str:
    return name.lower().replace(" and ", "-").replace(" ", "-")
