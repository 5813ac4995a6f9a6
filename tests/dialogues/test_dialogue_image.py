"""A dialogue's header image: uploaded by an admin with alt text, checked like theme images,
shown with its size on the dialogue page; bad files refused with the reason and nothing stored;
replaced or removed files deleted; served only on the dialogue's own tenant."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import User
from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Safer underpasses",
    "slug": "safer-underpasses",
    "question": "What would make the underpasses feel safer?",
    "description": "",
    "video_url": "",
    "tags": "",
    "listed": "on",
    "opens_at": "",
    "closes_at": "",
}
ALT = "Young people painting a mural on the Kirkby underpass"


def _files(tenant: Tenant) -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / tenant.schema_name / "dialogues"
    return set(folder.glob("*")) if folder.exists() else set()


@pytest.fixture
def media_kept_clean(tenant_a: Tenant) -> Iterator[None]:
    """Files outlive the test's rolled-back transaction: remove those the test wrote."""
    before = _files(tenant_a)
    yield
    for path in _files(tenant_a) - before:
        path.unlink()


@pytest.fixture
def admin(client_for: Callable[..., Client], tenant_a: Tenant, media_kept_clean: None) -> Client:
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(role=User.Role.ADMIN))
    return client


@pytest.fixture
def dialogue(tenant_a: Tenant) -> Dialogue:
    with tenant_context(tenant_a):
        return DialogueFactory.create(**{k: FORM[k] for k in ("title", "slug", "question")})


def _image(fmt: str = "PNG", size: tuple[int, int] = (600, 400), **save: Any) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, "#1d4e89").save(data, format=fmt, **save)
    return data.getvalue()


def _upload(data: bytes, name: str = "picture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def _edit(admin: Client, upload: SimpleUploadedFile | None = None, **fields: str) -> Any:
    sent: dict[str, Any] = {**FORM, "header_image_alt": ALT, **fields}
    if upload is not None:
        sent["header_image"] = upload
    return admin.post(f"/manage/dialogues/{FORM['slug']}/", sent)


def _stored(tenant: Tenant) -> Dialogue:
    with tenant_context(tenant):
        return Dialogue.objects.get(slug=FORM["slug"])


@pytest.mark.parametrize(("fmt", "extension"), [("PNG", "png"), ("JPEG", "jpg")])
def test_a_png_or_jpeg_is_kept_and_shown_with_its_alt_text_and_size(
    admin: Client,
    dialogue: Dialogue,
    tenant_a: Tenant,
    client_for: Callable[..., Client],
    fmt: str,
    extension: str,
) -> None:
    response = _edit(admin, _upload(_image(fmt), f"mural.{extension}"))
    assert response.status_code == 302
    stored = _stored(tenant_a)
    assert re.fullmatch(rf"dialogues/[0-9a-f]{{32}}\.{extension}", stored.header_image)
    assert (stored.header_image_alt, stored.header_image_width) == (ALT, 600)
    page = client_for(tenant_a).get(f"/dialogues/{FORM['slug']}/").content.decode()
    img = re.search(rf'<img[^>]*src="/media/{stored.header_image}"[^>]*>', page)
    assert img is not None
    tag = img.group(0)
    assert f'alt="{ALT}"' in tag
    assert 'width="600" height="400"' in tag
    # Served, and it is the picture that was sent.
    served = client_for(tenant_a).get(f"/media/{stored.header_image}")
    assert served.status_code == 200
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (600, 400)  # type: ignore[attr-defined]


def test_the_partial_draws_the_image_as_card_media_lazily_when_asked(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant
) -> None:
    _edit(admin, _upload(_image(size=(900, 600))))
    stored = _stored(tenant_a)
    card = render_to_string("dialogues/_dialogue_image.html", {"dialogue": stored, "lazy": True})
    assert card.strip() == (
        f'<img class="card__media" src="/media/{stored.header_image}" alt="{ALT}" width="900" '
        'height="600" loading="lazy" decoding="async">'
    )
    top = render_to_string("dialogues/_dialogue_image.html", {"dialogue": stored})
    assert "loading=" not in top
    without = render_to_string("dialogues/_dialogue_image.html", {"dialogue": Dialogue()})
    assert without.strip() == ""


def test_a_new_dialogue_can_be_made_with_its_image(admin: Client, tenant_a: Tenant) -> None:
    sent = {**FORM, "header_image_alt": ALT, "header_image": _upload(_image())}
    assert admin.post("/manage/dialogues/new/", sent).status_code == 302
    stored = _stored(tenant_a)
    assert stored.header_image_alt == ALT
    assert {p.name for p in _files(tenant_a)} >= {Path(stored.header_image).name}


def test_a_photo_loses_its_metadata(admin: Client, dialogue: Dialogue, tenant_a: Tenant) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    _edit(admin, _upload(_image("JPEG", exif=exif.tobytes()), "photo.jpg"))
    raw = Path(settings.MEDIA_ROOT) / tenant_a.schema_name / _stored(tenant_a).header_image
    assert b"SecretCamera" not in raw.read_bytes()


def _bomb() -> bytes:
    data = io.BytesIO()
    Image.new("1", (12_000, 12_000), 0).save(data, format="PNG", optimize=True)
    return data.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10"/></svg>'
BAD_FILES = [
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"0" * 3_100_000, "larger than 3 MB", id="oversize"),
    pytest.param(
        b"MZ this is really a program", "is not a PNG, JPEG or WebP image", id="not-image"
    ),
    pytest.param(SVG, "must be a PNG, JPEG or WebP image", id="svg"),
    pytest.param(_image()[:300], "is not a PNG, JPEG or WebP image we can read", id="corrupt"),
    pytest.param(_bomb(), "the most we take is 4000 pixels", id="decompression-bomb"),
]


@pytest.mark.parametrize(("data", "reason"), BAD_FILES)
def test_a_bad_file_is_refused_with_the_reason_and_nothing_is_stored(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant, data: bytes, reason: str
) -> None:
    before = _files(tenant_a)
    response = _edit(admin, _upload(data), title="A new title typed alongside")
    page = response.content.decode()
    assert response.status_code == 400
    # The reason sits on the file field, which is marked and described by it.
    assert re.search(rf'<ul class="errorlist" id="id_header_image_error"><li>[^<]*{reason}', page)
    file_input = re.search(r'<input type="file"[^>]*name="header_image"[^>]*>', page)
    assert file_input is not None
    assert 'aria-invalid="true"' in file_input.group(0)
    assert "id_header_image_error" in file_input.group(0)
    # What else was typed is given back, and nothing at all was kept.
    assert 'value="A new title typed alongside"' in page
    assert f'value="{ALT}"' in page
    assert _files(tenant_a) == before
    stored = _stored(tenant_a)
    assert (stored.title, stored.header_image, stored.header_image_alt) == (FORM["title"], "", "")


def test_a_bad_file_on_a_new_dialogue_creates_nothing(admin: Client, tenant_a: Tenant) -> None:
    before = _files(tenant_a)
    sent = {**FORM, "header_image_alt": ALT, "header_image": _upload(SVG, "logo.svg")}
    response = admin.post("/manage/dialogues/new/", sent)
    assert response.status_code == 400
    assert 'value="Safer underpasses"' in response.content.decode()
    assert _files(tenant_a) == before
    with tenant_context(tenant_a):
        assert not Dialogue.objects.filter(slug=FORM["slug"]).exists()


def test_alt_text_is_required_with_an_image(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant
) -> None:
    before = _files(tenant_a)
    response = _edit(admin, _upload(_image()), header_image_alt="  ")
    assert response.status_code == 400
    assert "Describe the image for people who cannot see it." in response.content.decode()
    assert _files(tenant_a) == before
    assert _stored(tenant_a).header_image == ""


def test_alt_text_without_an_image_asks_for_the_file_again(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant
) -> None:
    response = _edit(admin)
    assert response.status_code == 400
    assert "choose the file again" in response.content.decode()


def test_the_description_can_change_without_sending_the_file_again(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant
) -> None:
    _edit(admin, _upload(_image()))
    path = _stored(tenant_a).header_image
    assert _edit(admin, header_image_alt="A mural of a tree").status_code == 302
    stored = _stored(tenant_a)
    assert (stored.header_image, stored.header_image_alt) == (path, "A mural of a tree")


def test_removing_the_image_deletes_its_file(
    admin: Client,
    dialogue: Dialogue,
    tenant_a: Tenant,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _edit(admin, _upload(_image()))
    path = _stored(tenant_a).header_image
    form = admin.get(f"/manage/dialogues/{FORM['slug']}/").content.decode()
    assert "Remove the image" in form
    assert f'alt="{ALT}"' in form  # the image now shown, beside the box that removes it
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(admin, remove_header_image="on", header_image_alt="")
    assert response.status_code == 302
    stored = _stored(tenant_a)
    assert (stored.header_image, stored.header_image_alt, stored.header_image_width) == (
        "",
        "",
        None,
    )
    assert not (Path(settings.MEDIA_ROOT) / tenant_a.schema_name / path).exists()
    assert client_for(tenant_a).get(f"/media/{path}").status_code == 404
    page = client_for(tenant_a).get(f"/dialogues/{FORM['slug']}/").content.decode()
    assert "card__media" not in page


def test_replacing_the_image_deletes_the_old_file(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    _edit(admin, _upload(_image()))
    old = Path(settings.MEDIA_ROOT) / tenant_a.schema_name / _stored(tenant_a).header_image
    with django_capture_on_commit_callbacks(execute=True):
        _edit(admin, _upload(_image("JPEG", (300, 200)), "new.jpg"))
    stored = _stored(tenant_a)
    assert stored.header_image.endswith(".jpg")
    assert (stored.header_image_width, stored.header_image_height) == (300, 200)
    assert not old.exists()
    assert (Path(settings.MEDIA_ROOT) / tenant_a.schema_name / stored.header_image).exists()


def test_a_new_image_and_removing_it_at_once_is_refused(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant
) -> None:
    _edit(admin, _upload(_image()))
    path = _stored(tenant_a).header_image
    before = _files(tenant_a)
    response = _edit(admin, _upload(_image("JPEG"), "b.jpg"), remove_header_image="on")
    assert response.status_code == 400
    assert "Choose a new image or remove this one, not both." in response.content.decode()
    assert _files(tenant_a) == before
    assert _stored(tenant_a).header_image == path


def test_a_dialogue_image_is_served_only_on_its_own_tenant(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant, client_for: Callable[..., Client],
    tenant_b: Tenant,
) -> None:  # fmt: skip
    _edit(admin, _upload(_image()))
    url = f"/media/{_stored(tenant_a).header_image}"
    assert client_for(tenant_a).get(url).status_code == 200
    assert client_for(tenant_b).get(url).status_code == 404


def test_a_preview_says_to_choose_the_image_again(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant
) -> None:
    """Browsers never send a file twice: a preview must not drop the chosen picture silently."""
    before = _files(tenant_a)
    page = _edit(admin, _upload(_image()), markdown_preview="description").content.decode()
    assert "Choose the image again: a preview does not keep it." in page
    assert not _stored(tenant_a).header_image
    assert _files(tenant_a) == before


def test_a_cut_off_file_is_refused_even_after_a_pdf_was_made(
    admin: Client, dialogue: Dialogue, tenant_a: Tenant
) -> None:
    """WeasyPrint, once imported for a report, tells Pillow to accept cut-off files."""
    import weasyprint  # noqa: F401 - imported for its side effect on Pillow

    page = _edit(admin, _upload(_image()[:300])).content.decode()
    assert "is not a PNG, JPEG or WebP image we can read" in page
    assert not _stored(tenant_a).header_image
