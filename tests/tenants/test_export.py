"""A tenant's export archive opens safely in a spreadsheet: no cell is run as a formula."""

from __future__ import annotations

import csv
import io
import tarfile
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context
from pytest_django.fixtures import Settings

from tenants.models import Tenant
from tenants.services import tenant_export_build, tenant_export_request
from tests.factories import DialogueFactory, IdeaFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    "=1+1+cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
ORDINARY = ["Safer crossings, by the school", "Say \"yes\" to 'late' buses", "2019 again", ""]


def _table(archive_path: Path, table: str) -> list[dict[str, str]]:
    with tarfile.open(archive_path) as archive:
        member = archive.extractfile(f"tables/{table}.csv")
        assert member is not None
        return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8", newline="")))


def test_formula_cells_are_neutralised_and_everything_else_round_trips(
    tenant_a: Tenant, settings: Settings, tmp_path: Path
) -> None:
    settings.EXPORT_ROOT = tmp_path
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="export-formulas", title='=HYPERLINK("x")')
        ideas = {
            title: IdeaFactory.create(dialogue=dialogue, title=f"t{n}", body=title)
            for n, title in enumerate([*FORMULAS, *ORDINARY])
        }
    export = tenant_export_request(tenant=tenant_a, by=None)
    export = tenant_export_build(export_id=export.pk)  # the worker's job
    assert export.path

    rows = {row["id"]: row for row in _table(Path(export.path), "dialogues_idea")}
    for text, idea in ideas.items():
        row = rows[str(idea.pk)]
        expected = f"'{text}" if text in FORMULAS else text
        assert row["body"] == expected, (text, row["body"])
        assert row["dialogue_id"] == str(dialogue.pk)
        assert row["title"] == idea.title
    dialogues = _table(Path(export.path), "dialogues_dialogue")
    (dialogue_row,) = [row for row in dialogues if row["slug"] == dialogue.slug]
    assert dialogue_row["title"] == '\'=HYPERLINK("x")'
    assert dialogue_row["id"] == str(dialogue.pk)
