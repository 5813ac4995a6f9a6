"""The demo `make run` seeds: three dialogues across a dialogue's life, each with a picture,
and a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management import call_command
from django_tenants.utils import tenant_context

from dialogues.models import Dialogue
from tenants.models import Tenant


def test_the_demo_shows_a_dialogues_whole_life_with_pictures(
    cleanup: list[str], tmp_path: Path
) -> None:
    # Committed, as `make run` leaves it (cleanup drops the site after); a flush would empty
    # the tenant registry every other test relies on.
    cleanup.append("merseyside")
    logins = tmp_path / "logins.txt"
    call_command("seed_demo", logins_file=str(logins))
    tenant = Tenant.objects.get(slug="merseyside")
    with tenant_context(tenant):
        dialogues = {d.slug: d for d in Dialogue.objects.all()}
        assert set(dialogues) == {"safer-merseyside", "getting-home", "youth-club-hours"}
        assert dialogues["youth-club-hours"].state == Dialogue.State.CLOSED
        assert "214 young people" in dialogues["youth-club-hours"].outcome_summary
        for dialogue in dialogues.values():
            assert dialogue.header_image_alt.startswith("A drawing of")
            assert default_storage.exists(dialogue.header_image)
            assert (dialogue.header_image_width, dialogue.header_image_height) == (1600, 900)
        ideas = sum(d.ideas.count() for d in dialogues.values())
        pictures = {d.header_image for d in dialogues.values()}
    assert "admin" in logins.read_text()
    call_command("seed_demo", logins_file=str(logins))
    with tenant_context(tenant):
        assert Dialogue.objects.count() == 3
        assert sum(d.ideas.count() for d in Dialogue.objects.all()) == ideas
        assert {d.header_image for d in Dialogue.objects.all()} == pictures
