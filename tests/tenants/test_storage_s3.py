"""Media on an S3-compatible store: a real moto server spoken to by boto3 over HTTP."""

from __future__ import annotations

import socket
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django_tenants.utils import tenant_context
from moto.server import ThreadedMotoServer

from tenants.models import Tenant, TenantExport
from tenants.services import tenant_create, tenant_delete, tenant_export_build
from tenants.storage import schema_media_remove, schema_media_size

pytestmark = pytest.mark.django_db

BUCKET = "townsquare-media"
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    _client(endpoint).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    yield endpoint
    server.stop()


def _client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )


def _keys(endpoint: str) -> set[str]:
    listed = _client(endpoint).list_objects_v2(Bucket=BUCKET)
    return {entry["Key"] for entry in listed.get("Contents", [])}


@pytest.fixture
def on_s3(settings: Any, s3_endpoint: str) -> str:
    settings.MEDIA_STORAGE = "s3"
    settings.MEDIA_S3_PREFIX = "media/"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tenants.storage.TenantS3MediaStorage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "eu-west-2",
                **KEYS,
                "default_acl": None,
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    return s3_endpoint


def test_an_upload_is_stored_under_its_schema_and_served_only_on_its_host(
    on_s3: str, client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        name = default_storage.save("logos/alpha.txt", ContentFile(b"alpha's file"))
        assert default_storage.url(name) == f"/media/{name}"
    try:
        assert f"media/{tenant_a.schema_name}/{name}" in _keys(on_s3)
        response = client_for(tenant_a).get(f"/media/{name}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"alpha's file"  # type: ignore[attr-defined]
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert client_for(tenant_b).get(f"/media/{name}").status_code == 404
        for escape in (
            f"/media/../{tenant_a.schema_name}/{name}",
            f"/media/%2E%2E/{tenant_a.schema_name}/{name}",
        ):
            assert client_for(tenant_b).get(escape).status_code == 404
    finally:
        with tenant_context(tenant_a):
            default_storage.delete(name)
    assert f"media/{tenant_a.schema_name}/{name}" not in _keys(on_s3)


def test_a_sites_media_is_counted_and_removed_without_touching_another(
    on_s3: str, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        kept = default_storage.save("theme/logo.png", ContentFile(b"a" * 10))
    with tenant_context(tenant_b):
        default_storage.save("dialogues/one.png", ContentFile(b"b" * 30))
        default_storage.save("dialogues/deeper/two.png", ContentFile(b"b" * 12))
    try:
        assert schema_media_size(tenant_b.schema_name) == 42
        schema_media_remove(tenant_b.schema_name)
        assert schema_media_size(tenant_b.schema_name) == 0
        assert _keys(on_s3) == {f"media/{tenant_a.schema_name}/{kept}"}
    finally:
        with tenant_context(tenant_a):
            default_storage.delete(kept)


def test_an_export_carries_the_sites_media_and_deleting_the_site_removes_it(
    on_s3: str, settings: Any, tmp_path: Path
) -> None:
    settings.EXPORT_ROOT = tmp_path
    tenant = tenant_create(name="Sefton Voices", slug="sefton-s3")
    with tenant_context(tenant):
        name = default_storage.save("dialogues/header.png", ContentFile(b"picture bytes"))
    export = TenantExport.objects.create(tenant=tenant, slug=tenant.slug)
    export = tenant_export_build(export_id=export.pk)
    with tarfile.open(export.path) as archive:
        member = archive.extractfile(f"media/{name}")
        assert member is not None
        assert member.read() == b"picture bytes"

    tenant_delete(tenant=tenant, confirm_slug="sefton-s3")
    assert not [key for key in _keys(on_s3) if key.startswith(f"media/{tenant.schema_name}/")]
