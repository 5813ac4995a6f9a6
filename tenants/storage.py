"""Media storage that keeps each tenant's uploads under its own folder or object prefix."""

from __future__ import annotations

import posixpath
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection
from django_tenants.files.storage import TenantFileSystemStorage
from storages.backends.s3 import S3Storage


class TenantMediaStorage(TenantFileSystemStorage):
    """Files live in MEDIA_ROOT/<schema>/; URLs omit the schema and are served per host."""

    @property
    def base_url(self) -> str:
        return str(settings.MEDIA_URL)


class TenantS3MediaStorage(S3Storage):
    """Objects live under <MEDIA_S3_PREFIX><schema>/ in one bucket.

    The bucket stays private: URLs are the tenant host's /media/ path, whose view reads the
    object with the current schema's prefix, so one tenant's host can never name another's.
    """

    def __init__(self, *, schema: str | None = None, **options: Any) -> None:
        # A fixed schema is for platform work on a site other than the current one (export,
        # restore, deletion); otherwise the prefix follows the connection's schema per call.
        self._schema = schema
        super().__init__(**options)

    @property
    def location(self) -> str:
        schema = self._schema or connection.schema_name  # type: ignore[attr-defined]
        return f"{settings.MEDIA_S3_PREFIX}{schema}"

    def url(self, name: str | None, *_args: Any, **_kwargs: Any) -> str:
        return f"{settings.MEDIA_URL}{name or ''}"


def media_storage_for(schema: str) -> Storage:
    """The media storage of one schema, whichever schema the connection is on."""
    if settings.MEDIA_STORAGE == "s3":
        return TenantS3MediaStorage(schema=schema, **settings.STORAGES["default"]["OPTIONS"])
    return FileSystemStorage(
        location=Path(settings.MEDIA_ROOT) / schema, base_url=str(settings.MEDIA_URL)
    )


def media_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name under the storage's root, folders walked depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from media_names(storage, posixpath.join(folder, sub) if folder else sub)


def schema_media_size(schema: str) -> int:
    """Bytes of media a schema holds."""
    storage = media_storage_for(schema)
    return sum(storage.size(name) for name in media_names(storage))


def schema_media_remove(schema: str) -> None:
    """Removes every file of a schema's media; nothing to remove is not an error."""
    if settings.MEDIA_STORAGE == "s3":
        storage = TenantS3MediaStorage(schema=schema, **settings.STORAGES["default"]["OPTIONS"])
        storage.bucket.objects.filter(Prefix=f"{storage.location}/").delete()
    else:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / schema, ignore_errors=True)
