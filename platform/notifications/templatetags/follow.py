"""The follow button on dialogue and idea pages, rendered by notifications so the pages of the
layer below never ask who follows what."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from dialogues.models import Dialogue, Idea
from notifications.selectors import is_following

register = template.Library()


@register.inclusion_tag("notifications/_follow.html", takes_context=True)
def follow_button(
    context: dict[str, Any], *, dialogue: Dialogue | None = None, idea: Idea | None = None
) -> dict[str, Any]:
    user = context.get("user")
    if idea is not None:
        kind, key, label = "idea", str(idea.pk), "this idea"
    elif dialogue is not None:
        kind, key, label = "dialogue", dialogue.slug, "this dialogue"
    else:
        raise template.TemplateSyntaxError("follow_button needs a dialogue or an idea")
    following = (
        isinstance(user, User)
        and user.is_authenticated
        and is_following(user=user, idea=idea, dialogue=dialogue)
    )
    return {
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "kind": kind,
        "key": key,
        "label": label,
        "following": following,
    }
