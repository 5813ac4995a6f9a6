"""The kind words an author reads when their post waits for a moderator."""

from __future__ import annotations

from moderation.models import Moderated
from moderation.services import PRE_MODERATION


def held_message(item: Moderated, noun: str) -> str:
    details = [r for r in item.hold_reasons if r["kind"] != PRE_MODERATION]
    if not details:
        return (
            f"Thank you. Every {noun} in this dialogue is read by a moderator before it appears, "
            "so yours will show once it has been checked."
        )
    found = "; ".join(f"{r['kind']} ({r['text']})" for r in details)
    return (
        f"Thank you. Your {noun} is waiting for a moderator because it seems to contain "
        f"personal details: {found}. To keep everyone safe, please edit it to remove them"
        " – then it can appear straight away – or wait for a moderator to check it."
        if noun == "idea"
        else f"Thank you. Your {noun} is waiting for a moderator because it seems to contain "
        f"personal details: {found}. A moderator will check it soon; nothing is public until then."
    )
