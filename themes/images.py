"""Checks theme images before anything is stored: real PNG, JPEG or WebP within limits
(re-encoded, so no metadata survives), or an SVG without scripts or outside references."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageFile, UnidentifiedImageError


@dataclass(frozen=True)
class Limit:
    label: str
    max_bytes: int
    max_side: int
    svg: bool


LIMITS = {
    "logo": Limit("logo", 1_000_000, 2000, svg=True),
    "favicon": Limit("favicon", 200_000, 512, svg=True),
    "header_image": Limit("header image", 3_000_000, 4000, svg=False),
}
# Far below Pillow's own bomb limit: a theme image never needs more.
MAX_PIXELS = 12_000_000
RASTER_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
SVG_TAGS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "title", "desc", "defs", "lineargradient", "radialgradient", "stop", "clippath",
    "mask", "symbol", "use",
}  # fmt: skip
_URL_IN_VALUE = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def svg_check(data: bytes) -> bytes:
    """The SVG unchanged if it only draws; ValidationError naming what it must not contain."""
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise ValidationError("SVG files with a DOCTYPE or entities are not accepted.") from None
    except ElementTree.ParseError:
        raise ValidationError("This SVG file could not be read.") from None
    if _local(root.tag) != "svg":
        raise ValidationError("This file is not an SVG image.")
    for element in root.iter():
        tag = _local(str(element.tag))
        if tag not in SVG_TAGS:
            raise ValidationError(f"SVG images may only draw: <{tag}> is not allowed.")
        for attribute, value in element.attrib.items():
            name = _local(attribute)
            if name.startswith("on"):
                raise ValidationError(f"SVG images may not contain scripts ({name}).")
            if name == "href" and not value.strip().startswith("#"):
                raise ValidationError("SVG images may not refer to other files or sites.")
            if _URL_IN_VALUE.search(value) or "javascript:" in value.lower():
                raise ValidationError("SVG images may not refer to other files or sites.")
    return data


def image_check(*, upload: UploadedFile, kind: str) -> tuple[bytes, str]:
    """Bytes safe to store and their extension, or ValidationError saying why not."""
    limit = LIMITS[kind]
    data = upload.read(limit.max_bytes + 1)
    if len(data) > limit.max_bytes:
        size = (
            f"{limit.max_bytes / 1_000_000:g} MB"
            if limit.max_bytes >= 1_000_000
            else (f"{limit.max_bytes // 1000} KB")
        )
        raise ValidationError(f"The {limit.label} is larger than {size}.")
    if data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>", b"<!--") or data.lstrip().startswith(
        b"<svg"
    ):
        if not limit.svg:
            raise ValidationError(f"The {limit.label} must be a PNG, JPEG or WebP image.")
        return svg_check(data), "svg"
    kinds = "PNG, JPEG, WebP or SVG" if limit.svg else "PNG, JPEG or WebP"
    # WeasyPrint (imported by the PDF report) sets Pillow's process-wide switch that fills a
    # cut-off file with grey instead of refusing it; uploads are always read strictly.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in RASTER_FORMATS:
                raise ValidationError(f"The {limit.label} must be a {kinds} image.")
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > limit.max_side:
                raise ValidationError(
                    f"The {limit.label} is {width}×{height} pixels; the most we take is "
                    f"{limit.max_side} pixels on its longest side."
                )
            image.load()
            # Re-encoding keeps the picture and drops everything else (EXIF, GPS, comments).
            out = io.BytesIO()
            fmt = str(image.format)
            clean = (
                image.convert("RGB") if fmt == "JPEG" and image.mode not in {"RGB", "L"} else image
            )
            clean.save(out, format=fmt)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(f"The {limit.label} is not a {kinds} image we can read.") from None
    return out.getvalue(), RASTER_FORMATS[fmt]


def image_store(*, data: bytes, extension: str) -> str:
    """Saves under theme/<hash>.<ext> in the tenant's media; versions share identical files."""
    name = f"theme/{hashlib.sha256(data).hexdigest()[:24]}.{extension}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))
    return name
