"""What the API shows and accepts. Output is what the public pages show (plus, to its owner,
their own account); no email, address or demographic answer appears anywhere else."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from dialogues.models import Comment, Dialogue, Idea, StatusChange, Tag
from moderation.models import Report
from notifications.models import EmailPreference, Follow, Notification


def _json_type_problem(field: serializers.Field[Any, Any, Any, Any], value: Any) -> str:
    """What is wrong with a JSON value's type for this field, or "" when it is right.

    DRF turns 5 into "5" for a text field and "5" or 5.0 into 5 for a number; an API that
    documents its types refuses the wrong one instead of guessing.
    """
    if value is None:
        return ""  # the field's own allow_null decides
    if isinstance(field, serializers.BooleanField):
        return "" if isinstance(value, bool) else "Give true or false."
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return "" if ok else "Give a whole number."
    if isinstance(field, serializers.ListField):
        return "" if isinstance(value, list) else "Give a list."
    if isinstance(field, serializers.CharField | serializers.ChoiceField | serializers.UUIDField):
        return "" if isinstance(value, str) else "Give text."
    return ""


class StrictInput(serializers.Serializer[Any]):
    """Refuses fields it does not know and values of the wrong JSON type, instead of
    silently ignoring or converting them."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send a JSON object."]}, code="invalid"
            )
        writable = {name for name, field in self.fields.items() if not field.read_only}
        problems = {
            name: ["This field is not one this operation takes."]
            for name in sorted(set(data) - writable)
        }
        for name in sorted(set(data) & writable):
            field = self.fields[name]
            problem = _json_type_problem(field, data[name])
            if not problem and isinstance(field, serializers.ListField) and data[name]:
                child = field.child
                problem = next(
                    (p for item in data[name] if (p := _json_type_problem(child, item))), ""
                )
            if problem:
                problems[name] = [problem]
        if problems:
            raise serializers.ValidationError(problems, code="invalid")
        return super().to_internal_value(data)


@extend_schema_serializer(
    examples=[OpenApiExample("A tag", value={"slug": "lighting", "name": "Lighting"})]
)
class TagSerializer(serializers.ModelSerializer[Tag]):
    class Meta:
        model = Tag
        fields = ["slug", "name"]


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "Who wrote it: a username, or null for a former participant or "
        "posts gathered at an in-person session.",
        "properties": {"username": {"type": "string"}},
        "required": ["username"],
    }
)
class AuthorField(serializers.Field[Any, Any, Any, Any]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, post: Idea | Comment) -> dict[str, str] | None:
        if post.author_id is None:
            return None
        return {"username": post.author.username}  # type: ignore[union-attr]


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "Set when staff entered the post for a group met in person.",
        "properties": {
            "place": {"type": "string"},
            "held_on": {"type": "string", "format": "date"},
        },
        "required": ["place", "held_on"],
    }
)
class GatheringField(serializers.Field[Any, Any, Any, Any]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, post: Idea | Comment) -> dict[str, str] | None:
        gathering = post.gathering
        if gathering is None:
            return None
        return {"place": gathering.place, "held_on": gathering.held_on.isoformat()}


class AbsoluteUrlField(serializers.SerializerMethodField):
    """The public page of the object, on the host the caller used."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(method_name="_absolute_url", **kwargs)


class _PageLink:
    @extend_schema_field(OpenApiTypes.URI)
    def _absolute_url(self, obj: Any) -> str:
        request = self.context.get("request")  # type: ignore[attr-defined]
        path = obj.get_absolute_url()
        return str(request.build_absolute_uri(path)) if request is not None else str(path)


DIALOGUE_EXAMPLE = {
    "slug": "safer-streets",
    "title": "Safer streets",
    "question": "What would make your street feel safer after dark?",
    "description_html": "<p>Tell us what you see.</p>",
    "state": "open",
    "moderation": "post",
    "opens_at": "2026-11-01T09:00:00Z",
    "closes_at": "2026-12-31T17:00:00Z",
    "idea_count": 12,
    "tags": [{"slug": "lighting", "name": "Lighting"}],
    "outcome": None,
    "header_image": None,
    "video_url": "",
    "url": "https://merseyside.example.org/dialogues/safer-streets/",
    "created_at": "2026-10-20T10:00:00Z",
}


@extend_schema_serializer(examples=[OpenApiExample("A dialogue", value=DIALOGUE_EXAMPLE)])
class DialogueSerializer(_PageLink, serializers.ModelSerializer[Dialogue]):
    idea_count = serializers.IntegerField(read_only=True, help_text="Public ideas in it.")
    description_html = serializers.CharField(
        source="description", read_only=True, help_text="Sanitised HTML, as the page shows it."
    )
    tags = TagSerializer(many=True, read_only=True)
    outcome = serializers.SerializerMethodField()
    header_image = serializers.SerializerMethodField()
    url = AbsoluteUrlField()
    video_url = serializers.CharField(
        read_only=True, help_text="A YouTube or Vimeo address, or empty for none."
    )

    class Meta:
        model = Dialogue
        fields = [
            "slug",
            "title",
            "question",
            "description_html",
            "state",
            "moderation",
            "opens_at",
            "closes_at",
            "idea_count",
            "tags",
            "outcome",
            "header_image",
            "video_url",
            "url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "summary_html": {"type": "string"},
                "published_at": {"type": "string", "format": "date-time"},
            },
            "required": ["summary_html", "published_at"],
        }
    )
    def get_outcome(self, dialogue: Dialogue) -> dict[str, str] | None:
        if dialogue.outcome_published_at is None:
            return None
        return {
            "summary_html": dialogue.outcome_summary,
            "published_at": serializers.DateTimeField().to_representation(
                dialogue.outcome_published_at
            ),
        }

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "url": {"type": "string"},
                "alt": {"type": "string"},
                "width": {"type": "integer", "nullable": True},
                "height": {"type": "integer", "nullable": True},
            },
            "required": ["url", "alt", "width", "height"],
        }
    )
    def get_header_image(self, dialogue: Dialogue) -> dict[str, Any] | None:
        if not dialogue.header_image:
            return None
        request = self.context.get("request")
        url = dialogue.header_image_url
        return {
            "url": request.build_absolute_uri(url) if request is not None else url,
            "alt": dialogue.header_image_alt,
            "width": dialogue.header_image_width,
            "height": dialogue.header_image_height,
        }


class StatusChangeSerializer(serializers.ModelSerializer[StatusChange]):
    class Meta:
        model = StatusChange
        fields = ["status", "explanation", "created_at"]
        read_only_fields = fields


IDEA_EXAMPLE = {
    "id": 41,
    "dialogue": "safer-streets",
    "title": "Lights on the canal path",
    "body": "The path by the canal is dark from four o'clock in winter.",
    "tags": [{"slug": "lighting", "name": "Lighting"}],
    "author": {"username": "QuietOtter42"},
    "gathering": None,
    "visibility": "published",
    "status": "under_consideration",
    "status_explanation": "We are costing this with the council.",
    "rating_average": 4.5,
    "rating_count": 8,
    "comment_count": 3,
    "responded_at": "2026-11-04T12:00:00Z",
    "created_at": "2026-11-02T18:30:00Z",
    "edited_at": None,
    "withdrawn": False,
    "url": "https://merseyside.example.org/dialogues/safer-streets/ideas/41/",
}


@extend_schema_serializer(examples=[OpenApiExample("An idea", value=IDEA_EXAMPLE)])
class IdeaSerializer(_PageLink, serializers.ModelSerializer[Idea]):
    dialogue: serializers.SlugRelatedField[Dialogue] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    tags = TagSerializer(many=True, read_only=True)
    author = AuthorField()
    gathering = GatheringField()
    rating_average = serializers.FloatField(read_only=True, allow_null=True)
    withdrawn = serializers.BooleanField(source="is_withdrawn", read_only=True)
    url = AbsoluteUrlField()

    class Meta:
        model = Idea
        fields = [
            "id",
            "dialogue",
            "title",
            "body",
            "tags",
            "author",
            "gathering",
            "visibility",
            "status",
            "status_explanation",
            "rating_average",
            "rating_count",
            "comment_count",
            "responded_at",
            "created_at",
            "edited_at",
            "withdrawn",
            "url",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An idea with its status history",
            value={
                **IDEA_EXAMPLE,
                "status_history": [
                    {
                        "status": "under_consideration",
                        "explanation": "We are costing this with the council.",
                        "created_at": "2026-11-04T12:00:00Z",
                    }
                ],
            },
        )
    ]
)
class IdeaDetailSerializer(IdeaSerializer):
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta(IdeaSerializer.Meta):
        fields = [*IdeaSerializer.Meta.fields, "status_history"]
        read_only_fields = fields


class PostedNoticeMixin(serializers.Serializer[Any]):
    notice = serializers.SerializerMethodField(
        help_text="What happens next, for the author: posted, or waiting for a moderator."
    )

    def get_notice(self, post: Idea | Comment) -> str:
        return str(self.context.get("notice", ""))


class IdeaPostedSerializer(PostedNoticeMixin, IdeaDetailSerializer):
    class Meta(IdeaDetailSerializer.Meta):
        fields = [*IdeaDetailSerializer.Meta.fields, "notice"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new idea",
            value={
                "title": "Lights on the canal path",
                "body": "The path by the canal is dark from four o'clock in winter.",
                "tags": ["lighting"],
                "submission_key": "0b6f3c4e-2f7a-4f0e-9b61-3a2d1c5e7f80",
            },
            request_only=True,
        )
    ]
)
class IdeaCreateSerializer(StrictInput):
    title = serializers.CharField(max_length=150, trim_whitespace=True)
    body = serializers.CharField(max_length=5000, trim_whitespace=True)
    tags = serializers.ListField(
        child=serializers.SlugField(max_length=40), max_length=10, required=False, default=list
    )
    submission_key = serializers.UUIDField(
        required=False,
        help_text="Send the same key again (say, after a timeout) and the first idea is "
        "returned instead of a second one.",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A corrected idea",
            value={"title": "Lights on the canal towpath", "body": "It is dark from four."},
            request_only=True,
        )
    ]
)
class IdeaUpdateSerializer(StrictInput):
    title = serializers.CharField(max_length=150, trim_whitespace=True, required=False)
    body = serializers.CharField(max_length=5000, trim_whitespace=True, required=False)


COMMENT_EXAMPLE = {
    "id": 7,
    "idea": 41,
    "parent": None,
    "body": "Same on the towpath by the lock.",
    "author": {"username": "BrightHeron7"},
    "gathering": None,
    "official": False,
    "visibility": "published",
    "created_at": "2026-11-03T08:15:00Z",
}


@extend_schema_serializer(examples=[OpenApiExample("A comment", value=COMMENT_EXAMPLE)])
class CommentSerializer(serializers.ModelSerializer[Comment]):
    author = AuthorField()
    gathering = GatheringField()
    official = serializers.BooleanField(
        source="is_official", read_only=True, help_text="An official response, as the site."
    )
    idea: serializers.PrimaryKeyRelatedField[Idea] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    parent: serializers.PrimaryKeyRelatedField[Comment] = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        read_only=True, allow_null=True, help_text="The comment this replies to, if a reply."
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "idea",
            "parent",
            "body",
            "author",
            "gathering",
            "official",
            "visibility",
            "created_at",
        ]
        read_only_fields = fields


class CommentPostedSerializer(PostedNoticeMixin, CommentSerializer):
    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "notice"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A reply",
            value={"body": "Same on the towpath by the lock.", "parent": 7},
            request_only=True,
        )
    ]
)
class CommentCreateSerializer(StrictInput):
    body = serializers.CharField(max_length=3000, trim_whitespace=True)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The comment this replies to (a reply to a reply joins its thread).",
    )
    submission_key = serializers.UUIDField(required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An official response",
            value={"body": "Thank you: we have asked the council to cost this."},
            request_only=True,
        )
    ]
)
class ResponseCreateSerializer(StrictInput):
    body = serializers.CharField(max_length=3000, trim_whitespace=True)
    submission_key = serializers.UUIDField(required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A status",
            value={"status": "accepted", "explanation": "Lights go in next spring."},
            request_only=True,
        )
    ]
)
class StatusSetSerializer(StrictInput):
    status = serializers.ChoiceField(choices=[c for c in Idea.Status.choices if c[0]])
    explanation = serializers.CharField(max_length=5000, trim_whitespace=True)


@extend_schema_serializer(
    examples=[
        OpenApiExample("Four stars", value={"stars": 4}, request_only=True),
        OpenApiExample(
            "My rating", value={"stars": 4, "average": 4.5, "count": 8}, response_only=True
        ),
    ]
)
class RatingSerializer(StrictInput):
    stars = serializers.IntegerField(
        min_value=1, max_value=5, allow_null=True, help_text="Your rating, or null if none."
    )
    average = serializers.FloatField(read_only=True, allow_null=True)
    count = serializers.IntegerField(read_only=True)


FOLLOW_EXAMPLE = {"id": 3, "idea": 41, "dialogue": None, "created_at": "2026-11-02T18:30:00Z"}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Following an idea", value=FOLLOW_EXAMPLE, response_only=True),
        OpenApiExample("Follow a dialogue", value={"dialogue": "safer-streets"}, request_only=True),
    ]
)
class FollowSerializer(serializers.ModelSerializer[Follow]):
    idea: serializers.PrimaryKeyRelatedField[Idea] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    dialogue: serializers.SlugRelatedField[Dialogue] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Follow
        fields = ["id", "idea", "dialogue", "created_at"]
        read_only_fields = fields


class FollowCreateSerializer(StrictInput):
    idea = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    dialogue = serializers.SlugField(required=False, max_length=80)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("idea" in attrs) == ("dialogue" in attrs):
            raise serializers.ValidationError("Follow either an idea or a dialogue.")
        return attrs


NOTIFICATION_EXAMPLE = {
    "id": 90,
    "kind": "response",
    "message": "The organisation responded to your idea “Lights on the canal path”",
    "url": "https://merseyside.example.org/dialogues/safer-streets/ideas/41/",
    "idea": 41,
    "comment": 12,
    "created_at": "2026-11-04T12:00:00Z",
    "read": False,
}


@extend_schema_serializer(examples=[OpenApiExample("A notification", value=NOTIFICATION_EXAMPLE)])
class NotificationSerializer(serializers.ModelSerializer[Notification]):
    read = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    idea: serializers.PrimaryKeyRelatedField[Idea] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    comment: serializers.PrimaryKeyRelatedField[Comment] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "idea", "comment", "created_at", "read"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, notification: Notification) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(notification.url) if request else notification.url


@extend_schema_serializer(
    examples=[
        OpenApiExample("Mark some as read", value={"ids": [90, 91]}, request_only=True),
        OpenApiExample("How many were marked", value={"marked": 2}, response_only=True),
    ]
)
class MarkReadSerializer(StrictInput):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=500,
        help_text="Leave out to mark every notification read.",
    )
    marked = serializers.IntegerField(read_only=True)


ME_EXAMPLE = {
    "username": "QuietOtter42",
    "email": "otter@example.org",
    "email_verified": True,
    "role": "resident",
    "age_band": "18_24",
    "demographic_answers": [{"question": "Which borough do you live in?", "answer": "Sefton"}],
    "email_notifications": "daily",
    "date_joined": "2026-10-30T19:00:00Z",
}


@extend_schema_serializer(examples=[OpenApiExample("My account", value=ME_EXAMPLE)])
class MeSerializer(StrictInput):
    """Your own account: only ever shown to you."""

    username = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True, allow_null=True)
    email_verified = serializers.BooleanField(read_only=True)
    role = serializers.CharField(read_only=True)
    age_band = serializers.CharField(read_only=True)
    demographic_answers = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), read_only=True
    )
    email_notifications = serializers.ChoiceField(
        choices=EmailPreference.Mode.choices,
        help_text="How notifications reach you by email; the one thing you can change here.",
    )
    date_joined = serializers.DateTimeField(read_only=True)

    def to_internal_value(self, data: Any) -> Any:
        # Read-only fields sent back unchanged are fine; anything else unknown is not.
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in self._read_only_names()}
        return super().to_internal_value(data)

    def _read_only_names(self) -> set[str]:
        return {name for name, field in self.fields.items() if field.read_only}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Delete, keeping what I posted",
            value={"password": "my password", "content": "keep"},
            request_only=True,
        )
    ]
)
class AccountDeleteSerializer(StrictInput):
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    content = serializers.ChoiceField(
        choices=[
            ("keep", "Keep what I posted, shown as a former participant's"),
            ("remove", "Remove my ideas and comments too"),
        ]
    )


QUEUE_EXAMPLE = {
    "kind": "comment",
    "id": 12,
    "idea": 41,
    "dialogue": "safer-streets",
    "title": "",
    "body": "Call me on 07700 900123",
    "author": {"username": "BrightHeron7"},
    "visibility": "held",
    "hold_reasons": [{"kind": "phone number", "text": "07700 900123"}],
    "held_at": "2026-11-03T08:15:00Z",
    "created_at": "2026-11-03T08:15:00Z",
}


@extend_schema_serializer(examples=[OpenApiExample("A held comment", value=QUEUE_EXAMPLE)])
class QueueItemSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["idea", "comment"])
    id = serializers.IntegerField()
    idea = serializers.IntegerField()
    dialogue = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    author = serializers.DictField(allow_null=True)
    visibility = serializers.CharField()
    hold_reasons = serializers.ListField(child=serializers.DictField())
    held_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Approve a held comment",
            value={"kind": "comment", "id": 12, "decision": "approve", "reason": ""},
            request_only=True,
        ),
        OpenApiExample(
            "Decided",
            value={"kind": "comment", "id": 12, "decision": "approve", "visibility": "published"},
            response_only=True,
        ),
    ]
)
class DecisionSerializer(StrictInput):
    kind = serializers.ChoiceField(choices=["idea", "comment"])
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    decision = serializers.ChoiceField(
        choices=[
            ("approve", "Publish a waiting post, or restore a hidden one"),
            ("reject", "Keep a waiting post out of view; its author is told why"),
            ("hide", "Take a public post out of view for review"),
        ]
    )
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", trim_whitespace=True
    )
    visibility = serializers.CharField(read_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["decision"] in {"reject", "hide"} and not attrs["reason"]:
            raise serializers.ValidationError({"reason": ["Say why, for the author and log."]})
        return attrs


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Report a comment",
            value={"kind": "comment", "id": 12, "reason": "bullying", "details": ""},
            request_only=True,
        ),
    ]
)
class ReportCreateSerializer(StrictInput):
    kind = serializers.ChoiceField(choices=["idea", "comment"])
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    details = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", trim_whitespace=True
    )


@extend_schema_serializer(
    examples=[OpenApiExample("Received", value={"received": True}, response_only=True)]
)
class ReportReceivedSerializer(serializers.Serializer[Any]):
    received = serializers.BooleanField(read_only=True)
