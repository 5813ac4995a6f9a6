"""Video links from allow-listed providers, turned into privacy-respecting embed addresses."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{6,12}$")
PROVIDERS = {
    "youtube": "https://www.youtube-nocookie.com",
    "vimeo": "https://player.vimeo.com",
}


def video_embed_url(url: str) -> str:
    """The iframe address for a YouTube or Vimeo link; ValidationError for anything else.

    YouTube is always embedded in privacy-enhanced mode (youtube-nocookie.com); Vimeo with
    do-not-track.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if parts.scheme != "https":
        raise ValidationError("Use an https:// link to a YouTube or Vimeo video.")
    video_id = ""
    if host in {"youtube.com", "youtube-nocookie.com"}:
        if parts.path == "/watch":
            video_id = parse_qs(parts.query).get("v", [""])[0]
        elif parts.path.startswith(("/embed/", "/shorts/")):
            video_id = parts.path.split("/")[2]
    elif host == "youtu.be":
        video_id = parts.path.lstrip("/")
    if video_id:
        if not _YOUTUBE_ID.match(video_id):
            raise ValidationError("That YouTube link does not name a video.")
        return f"{PROVIDERS['youtube']}/embed/{video_id}"
    if host in {"vimeo.com", "player.vimeo.com"}:
        vimeo_id = parts.path.rstrip("/").split("/")[-1]
        if not _VIMEO_ID.match(vimeo_id):
            raise ValidationError("That Vimeo link does not name a video.")
        return f"{PROVIDERS['vimeo']}/video/{vimeo_id}?dnt=1"
    raise ValidationError("Videos can come from YouTube or Vimeo only.")


def validate_video_url(url: str) -> None:
    video_embed_url(url)
