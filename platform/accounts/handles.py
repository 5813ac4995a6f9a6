"""Friendly generated usernames (e.g. QuietOtter42) offered at sign-up."""

from __future__ import annotations

import secrets

from django.db.models.functions import Lower

from accounts.models import User

ADJECTIVES = (
    "Quiet", "Bright", "Calm", "Brave", "Kind", "Swift", "Gentle", "Clever", "Sunny", "Bold",
    "Steady", "Lively", "Cheerful", "Curious", "Honest", "Patient", "Hopeful", "Friendly",
)  # fmt: skip
ANIMALS = (
    "Otter", "Heron", "Fox", "Badger", "Robin", "Hare", "Owl", "Seal", "Wren", "Kestrel",
    "Puffin", "Marten", "Dolphin", "Falcon", "Lynx", "Swan", "Beaver", "Finch",
)  # fmt: skip


def handle_generate() -> str:
    choice = secrets.choice
    return f"{choice(ADJECTIVES)}{choice(ANIMALS)}{secrets.randbelow(90) + 10}"


def handle_suggestions(*, count: int = 4) -> list[str]:
    """Distinct handles that nobody in this tenant uses yet (one query)."""
    candidates: list[str] = []
    while len(candidates) < count * 2:
        handle = handle_generate()
        if handle.lower() not in {c.lower() for c in candidates}:
            candidates.append(handle)
    lowered = [candidate.lower() for candidate in candidates]
    taken = set(
        User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=lowered)
        .values_list("lowered", flat=True)
    )
    return [handle for handle in candidates if handle.lower() not in taken][:count]
