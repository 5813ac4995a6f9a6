"""`make screenshots`: the demo's key pages in Chromium at 1280 and 390 px, as PNGs in docs/.

Run under devstack, which provides PostgreSQL and Redis: `python -m townsquare.devstack exec
--database townsquare_shots -- python -m tests.harness.screenshots`.
It makes a fresh database (its name always ends in `_shots`, so no other is ever touched),
migrates it, collects static files, seeds the demo with `seed_demo`, serves it with gunicorn as
`make run` does, and photographs each page with Debian's Chromium. Optimised WebP copies of
the pictures the central site shows go to tenants/static/tenants/screenshots/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.harness.browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "screenshots"
WEB_COPIES = ROOT / "tenants" / "static" / "tenants" / "screenshots"
# Desktop and phone: the phone's height is a common modern handset's.
VIEWPORTS = {1280: 800, 390: 844}
DEMO_SLUG = "merseyside"


@dataclass(frozen=True)
class Shot:
    name: str
    slug: str | None
    path: str
    staff: bool = False


# The central site's pictures: each PNG named here also gets WebP copies at these widths.
WEB_WIDTHS = {
    "dialogue-1280": (640, 1280),
    "tenant-home-1280": (640, 1280),
    "idea-1280": (640, 1280),
    "moderation-1280": (640, 1280),
    "dashboard-1280": (640, 1280),
    "dialogue-390": (390,),
    "idea-390": (390,),
}


def _shots_database() -> str:
    """Points DATABASE_URL at a new, empty <name>_shots database, dropping any earlier one."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/")
    if not name.endswith("_shots"):
        name = f"{name}_shots"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        database = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(database))
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return name


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def _served(port: int) -> Iterator[None]:
    """gunicorn with the project's own settings, as `make run` starts it."""
    env = dict(os.environ, PORT=str(port), PUBLIC_PORT=str(port), GUNICORN_BIND=f"127.0.0.1:{port}")
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(30)


def _posts_awaiting_review() -> None:
    """Two residents' posts that the screening holds, so the moderation queue shows its work.

    Posted through the same services as the site's forms; the demo itself stays as seeded.
    """
    from django_tenants.utils import schema_context

    from accounts.models import User
    from dialogues.models import Dialogue
    from dialogues.services import comment_create, idea_create

    with schema_context(DEMO_SLUG):
        dialogue = Dialogue.objects.get(slug="safer-merseyside")
        resident = User.objects.get(username="QuietOtter42")
        idea_create(
            dialogue=dialogue,
            author=resident,
            title="Free football on Saturday mornings",
            body="My coach runs sessions at the park. Text him on 07700 900123 if you want in.",
        )
        clubs = dialogue.ideas.get(title__startswith="More youth")
        comment_create(
            idea=clubs,
            author=User.objects.get(username="CalmFox19"),
            body="Message me on Instagram @calmfox19 and I'll tell you which ones are good.",
        )


def _idea_path() -> str:
    from django_tenants.utils import schema_context

    from dialogues.models import Idea

    with schema_context(DEMO_SLUG):
        return str(Idea.objects.get(title="More youth clubs open late").get_absolute_url())


def _admin_password(logins: Path) -> str:
    found = re.search(r"\badmin\s+username: admin\s+password: (\S+)", logins.read_text())
    if found is None:
        raise SystemExit(f"seed_demo wrote no admin login to {logins}")
    return found.group(1)


def _photograph(port: int, root_domain: str, password: str, shots: list[Shot]) -> list[Path]:
    from playwright.sync_api import Page, sync_playwright

    def url(slug: str | None, path: str) -> str:
        host = root_domain if slug is None else f"{slug}.{root_domain}"
        return f"http://{host}:{port}{path}"

    def settle(page: Page, address: str) -> None:
        page.goto(address, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        # Pictures on screen drawn before the shot (decoding="async" may finish after "load").
        page.evaluate(
            """() => Promise.all([...document.images]
                .filter((image) => image.getBoundingClientRect().top < innerHeight)
                .map((image) => image.decode().catch(() => null))).then(() => true)"""
        )

    args = list(CHROMIUM_ARGS)
    if root_domain != "localhost":
        # Only *.localhost resolves to loopback by itself.
        rules = f"MAP {root_domain} 127.0.0.1, MAP *.{root_domain} 127.0.0.1"
        args.append(f"--host-resolver-rules={rules}")
    DOCS.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        for width, height in VIEWPORTS.items():
            phone = width < 600
            visitor = browser.new_context(
                viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
            )
            staff = browser.new_context(
                viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
            )
            signing_in = staff.new_page()
            settle(signing_in, url(DEMO_SLUG, "/accounts/login/"))
            signing_in.get_by_label("Username").fill("admin")
            signing_in.get_by_label("Password").fill(password)
            signing_in.get_by_role("button", name="Sign in").click()
            signing_in.wait_for_load_state("load")
            signing_in.close()
            for shot in shots:
                page = (staff if shot.staff else visitor).new_page()
                settle(page, url(shot.slug, shot.path))
                target = DOCS / f"{shot.name}-{width}.png"
                page.screenshot(path=str(target), animations="disabled", caret="hide")
                page.close()
                written.append(target)
                print(f"  {target.relative_to(ROOT)}", flush=True)
            visitor.close()
            staff.close()
        browser.close()
    return written


def _optimise(pictures: list[Path]) -> None:
    """Smaller PNGs for the README, and WebP copies at the central site's widths."""
    from PIL import Image

    WEB_COPIES.mkdir(parents=True, exist_ok=True)
    for picture in pictures:
        with Image.open(picture) as image:
            rgb = image.convert("RGB")
        rgb.save(picture, optimize=True)
        for width in WEB_WIDTHS.get(picture.stem, ()):
            size = (width, round(rgb.height * width / rgb.width))
            copy = rgb if width == rgb.width else rgb.resize(size, Image.Resampling.LANCZOS)
            target = WEB_COPIES / f"{picture.stem}-{width}w.webp"
            copy.save(target, "WEBP", quality=80, method=6)
            print(f"  {target.relative_to(ROOT)}", flush=True)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")
    # The demo's uploads go to a folder of this run's own, never into `make run`'s media.
    with tempfile.TemporaryDirectory(prefix="townsquare-shots-media-") as media:
        os.environ["MEDIA_ROOT"] = media
        return _shoot()


def _shoot() -> int:
    name = _shots_database()
    print(f"screenshots: a fresh database, {name}", flush=True)
    _manage("migrate_schemas", "--verbosity=0")
    _manage("collectstatic", "--noinput", "--verbosity=0")
    with tempfile.TemporaryDirectory() as scratch:
        logins = Path(scratch) / "demo-logins.txt"
        _manage("seed_demo", "--logins-file", str(logins))
        password = _admin_password(logins)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    _posts_awaiting_review()
    shots = [
        Shot("central-home", None, "/"),
        Shot("tenant-home", DEMO_SLUG, "/"),
        Shot("dialogue", DEMO_SLUG, "/dialogues/safer-merseyside/"),
        Shot("idea", DEMO_SLUG, _idea_path()),
        Shot("dashboard", DEMO_SLUG, "/manage/", staff=True),
        Shot("moderation", DEMO_SLUG, "/manage/moderation/", staff=True),
        Shot("theme-editor", DEMO_SLUG, "/manage/theme/", staff=True),
    ]
    connection.close()
    port = _free_port()
    with _served(port):
        pictures = _photograph(port, settings.ROOT_DOMAIN, password, shots)
    _optimise(pictures)
    print(f"screenshots: {len(pictures)} pages in {DOCS.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
