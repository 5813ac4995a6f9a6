"""Reads for privacy: everything the site holds about one resident, for them to download."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress

from accounts.models import DemographicAnswer, User
from dialogues.models import Comment, Idea, Rating
from moderation.models import Report, SafeguardingConcern
from notifications.models import EmailPreference, Follow, Notification


def account_export(*, user: User) -> dict[str, Any]:
    """Everything this site holds about a resident, for them to download."""

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    preference = EmailPreference.objects.filter(user=user).first()
    return {
        "account": {
            "username": user.username,
            "date_joined": when(user.date_joined),
            "last_login": when(user.last_login),
            "role": user.role or "resident",
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "email_notifications": preference.mode if preference else "immediate",
        "age_band": user.age_band,
        "demographic_answers": [
            {"question": a.question.text, "answer": a.answer}
            for a in DemographicAnswer.objects.filter(user=user).select_related("question")
        ],
        "ideas": [
            {
                "dialogue": i.dialogue.title,
                "title": i.title,
                "body": i.body,
                "created_at": when(i.created_at),
                "visibility": i.visibility,
                "withdrawn": i.is_withdrawn,
            }
            for i in Idea.objects.filter(author=user).select_related("dialogue")
        ],
        "comments": [
            {"idea": c.idea.title, "body": c.body, "created_at": when(c.created_at)}
            for c in Comment.objects.filter(author=user).select_related("idea")
        ],
        "ratings": [
            {"idea": r.idea.title, "stars": r.stars}
            for r in Rating.objects.filter(user=user).select_related("idea")
        ],
        "following": [
            {"idea": f.idea.title}
            if f.idea
            else {"dialogue": f.dialogue.title if f.dialogue else ""}
            for f in Follow.objects.filter(user=user).select_related("idea", "dialogue")
        ],
        "notifications": [
            {"message": n.message, "created_at": when(n.created_at)}
            for n in Notification.objects.filter(recipient=user)
        ],
        "reports_made": [
            {"reason": r.reason, "details": r.details, "created_at": when(r.created_at)}
            for r in Report.objects.filter(reporter=user)
        ],
        "safeguarding_concerns_raised": [
            {"category": s.category, "message": s.message, "created_at": when(s.created_at)}
            for s in SafeguardingConcern.objects.filter(raised_by=user)
        ],
    }
