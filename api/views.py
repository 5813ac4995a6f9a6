"""The tenant API at /api/v1/: what a resident or the organisation does on the site, through
the same selectors (who sees what) and services (rules, holds, limits, audit) as its pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import logout
from django.db.models import Case, F, FloatField, IntegerField, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.models import User
from accounts.roles import Capability
from api import serializers as s
from api.base import TenantApiView, posting_allowed, posting_counted
from api.pagination import KeysetPagination, Ordering, SortKey
from api.permissions import PlanIncludesApi, SiteTakesPosts, TokenScope
from dialogues import selectors, services
from dialogues.models import Comment, Dialogue, Idea, Tag
from moderation.messages import held_message
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import Follow
from privacy.selectors import account_export
from privacy.services import account_delete

NEWEST = (SortKey("created_at", "datetime"), SortKey("id", "int"))
IDEA_ORDERINGS = {
    "newest": Ordering("newest", NEWEST),
    "top_rated": Ordering(
        "top_rated",
        (SortKey("sort_rating", "float"), SortKey("rating_count", "int"), *NEWEST),
    ),
    "most_discussed": Ordering("most_discussed", (SortKey("comment_count", "int"), *NEWEST)),
    "responded": Ordering("responded", (SortKey("sort_responded", "datetime"), *NEWEST)),
}
OLDEST_FIRST = Ordering("oldest", NEWEST, descending=False)
NEWEST_FIRST = Ordering("newest", NEWEST)
# The epoch stands in for "never responded", so those sort last as on the site.
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _idea_sort_keys(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    """The site's sorts (selectors.idea_list) as plain columns a cursor can hold: no
    rating sorts below every rating, no response below every response."""
    return ideas.annotate(
        sort_rating=Case(
            When(rating_count=0, then=Value(-1.0)),
            default=Cast(F("rating_total"), FloatField()) / F("rating_count"),
            output_field=FloatField(),
        ),
        sort_responded=Coalesce(F("responded_at"), Value(_NEVER)),
    )


def _dialogue(slug: str) -> Dialogue:
    dialogue = selectors.dialogue_get_public(slug=slug)
    if dialogue is None:
        raise NotFound("There is no such dialogue on this site.")
    return dialogue


def _idea(request: Request, idea_id: int, *, review: bool = True) -> Idea:
    """An idea this caller may open (moderators, with `review`, also what waits for them)."""
    idea = (
        selectors.ideas_visible(viewer=request.user, review=review)
        .select_related("author", "dialogue", "gathering")
        .prefetch_related("tags", "status_changes")
        .filter(pk=idea_id)
        .first()
    )
    if idea is None:
        raise NotFound("There is no such idea on this site.")
    return idea


def _public_idea(request: Request, idea_id: int) -> Idea:
    return _idea(request, idea_id, review=False)


def _posted(notice_for: Idea | Comment, noun: str) -> str:
    if notice_for.is_published:
        return f"Your {noun} is posted."
    return held_message(notice_for, noun)


def _sent_before(model: type[Idea] | type[Comment], author: User, key: Any) -> bool:
    """Whether this author already posted with this submission key (a repeat is a 200)."""
    return key is not None and model.objects.filter(author=author, submission_key=key).exists()


def _posted_answer(
    request: Request, serializer: Any, post: Idea | Comment, noun: str, *, again: bool
) -> Response:
    """The post as its author sees it, with what happens next: 201, or 200 for a repeat."""
    body = serializer(post, context={"request": request, "notice": _posted(post, noun)}).data
    return Response(body, status=status.HTTP_200_OK if again else status.HTTP_201_CREATED)


class ApiRoot(TenantApiView):
    """The API's entry point: where each collection is."""

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Links to the collections of this site's API.",
        operation_id="api_root",
        examples=[
            OpenApiExample(
                "The collections",
                value={
                    "dialogues": "https://merseyside.example.org/api/v1/dialogues/",
                    "me": "https://merseyside.example.org/api/v1/me/",
                    "schema": "https://merseyside.example.org/api/schema/",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        names = ["dialogues", "tags", "follows", "notifications", "me", "moderation-queue"]
        return Response(
            {name: reverse(f"api:{name}", request=request) for name in names}
            | {"schema": reverse("api-schema", request=request)}
        )


class DialogueList(TenantApiView):
    """Open and closed dialogues this organisation lists, open ones first, newest first."""

    pagination_class = KeysetPagination

    @extend_schema(responses=s.DialogueSerializer(many=True))
    def get(self, request: Request) -> Response:
        dialogues = (
            selectors.dialogue_list_public()
            .annotate(
                open_first=Case(
                    When(state=Dialogue.State.OPEN, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
            .prefetch_related("tags")
        )
        ordering = Ordering("open_first", (SortKey("open_first", "int"), *NEWEST), descending=True)
        return self.paginate(dialogues, ordering, s.DialogueSerializer)


class DialogueDetail(TenantApiView):
    """A dialogue that is not a draft, listed or reachable by its link only."""

    etag = True

    @extend_schema(responses=s.DialogueSerializer)
    def get(self, request: Request, slug: str) -> Response:
        dialogue = _dialogue(slug)
        dialogue.idea_count = selectors.ideas_listed().filter(dialogue=dialogue).count()  # type: ignore[attr-defined]
        return Response(s.DialogueSerializer(dialogue, context={"request": request}).data)


class DialogueTags(TenantApiView):
    """Tags on this dialogue's public ideas, for filtering its list."""

    @extend_schema(responses=s.TagSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        tags = selectors.tag_list_for_dialogue(dialogue=_dialogue(slug))
        return Response(s.TagSerializer(tags, many=True).data)


class TagList(TenantApiView):
    """Every tag on a public dialogue or a public idea."""

    @extend_schema(responses=s.TagSerializer(many=True))
    def get(self, request: Request) -> Response:
        tags: QuerySet[Tag] = selectors.tags_public()
        return Response(s.TagSerializer(tags, many=True).data)


class DialogueIdeas(TenantApiView):
    """A dialogue's ideas, with the site's filters, sorts and search; and posting one."""

    pagination_class = KeysetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "sort",
                str,
                enum=list(IDEA_ORDERINGS),
                description="As on the site: newest, top rated, most discussed, responded to.",
            ),
            OpenApiParameter("tag", str, description="Only ideas with this tag (its slug)."),
            OpenApiParameter("q", str, description="Search titles and bodies (English stemming)."),
        ],
        responses=s.IdeaSerializer(many=True),
    )
    def get(self, request: Request, slug: str) -> Response:
        dialogue = _dialogue(slug)
        sort = request.query_params.get("sort", "newest")
        if sort not in IDEA_ORDERINGS:
            raise ValidationError({"sort": [f"Sort by one of: {', '.join(IDEA_ORDERINGS)}."]})
        tag = request.query_params.get("tag", "")
        query = request.query_params.get("q", "")
        if len(tag) > 40 or len(query) > 200:
            raise ValidationError({"q": ["Search for at most 200 characters, a tag of 40."]})
        ideas = _idea_sort_keys(
            selectors.idea_list(dialogue=dialogue, tag=tag, query=query).select_related("dialogue")
        )
        return self.paginate(ideas, IDEA_ORDERINGS[sort], s.IdeaSerializer)

    @extend_schema(
        request=s.IdeaCreateSerializer,
        responses={201: s.IdeaPostedSerializer, 200: s.IdeaPostedSerializer},
        description="Posts an idea as you. It is screened like one posted on the site: it may "
        "wait for a moderator (`visibility` is `held`, `notice` says why). Sending the same "
        "`submission_key` again returns the first idea (200) instead of a second one.",
    )
    def post(self, request: Request, slug: str) -> Response:
        dialogue = _dialogue(slug)
        data = s.IdeaCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tags = list(Tag.objects.filter(slug__in=data.validated_data["tags"]))
        if len(tags) != len(set(data.validated_data["tags"])):
            known = {tag.slug for tag in tags}
            unknown = [slug for slug in data.validated_data["tags"] if slug not in known]
            raise ValidationError({"tags": [f"No such tag: {', '.join(unknown)}."]})
        posting_allowed(request, "idea")
        key = data.validated_data.get("submission_key")
        before = _sent_before(Idea, self.signed_in(), key)
        idea = services.idea_create(
            dialogue=dialogue,
            author=self.signed_in(),
            title=data.validated_data["title"],
            body=data.validated_data["body"],
            tags=tags,
            submission_key=key,
        )
        posting_counted(request, "idea")
        return _posted_answer(
            request, s.IdeaPostedSerializer, _idea(request, idea.pk), "idea", again=before
        )


class IdeaDetail(TenantApiView):
    """An idea you may open, with its status history; its author edits it here."""

    etag = True

    @extend_schema(responses=s.IdeaDetailSerializer)
    def get(self, request: Request, idea_id: int) -> Response:
        return Response(
            s.IdeaDetailSerializer(_idea(request, idea_id), context={"request": request}).data
        )

    @extend_schema(
        request=s.IdeaUpdateSerializer,
        responses=s.IdeaPostedSerializer,
        description="Edits your own idea within the site's editing window, while the "
        "dialogue is open. The edit is screened again: it may now wait for a moderator, or "
        "be released from waiting.",
    )
    def patch(self, request: Request, idea_id: int) -> Response:
        idea = _idea(request, idea_id)
        if idea.author_id != request.user.pk:
            raise NotFound("There is no such idea of yours on this site.")
        data = s.IdeaUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.idea_update(
            idea=idea,
            editor=self.signed_in(),
            title=data.validated_data.get("title", idea.title),
            body=data.validated_data.get("body", idea.body),
        )
        idea = _idea(request, idea_id)
        body = s.IdeaPostedSerializer(
            idea, context={"request": request, "notice": _posted(idea, "idea")}
        ).data
        return Response(body)


class IdeaWithdraw(TenantApiView):
    """Withdraws your own idea: it leaves the lists; its page says it was withdrawn."""

    @extend_schema(request=None, responses=s.IdeaDetailSerializer)
    def post(self, request: Request, idea_id: int) -> Response:
        idea = _idea(request, idea_id)
        if idea.author_id != request.user.pk:
            raise NotFound("There is no such idea of yours on this site.")
        services.idea_withdraw(idea=idea, by=self.signed_in())
        return Response(
            s.IdeaDetailSerializer(_idea(request, idea_id), context={"request": request}).data
        )


class IdeaComments(TenantApiView):
    """The conversation on an idea, oldest first (replies carry their `parent`); and
    commenting or replying."""

    pagination_class = KeysetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "parent",
                str,
                description="`none` for top-level comments only, or a comment's id for its "
                "replies.",
            )
        ],
        responses=s.CommentSerializer(many=True),
    )
    def get(self, request: Request, idea_id: int) -> Response:
        idea = _idea(request, idea_id)
        comments = (
            selectors.comments_visible(viewer=request.user)
            .filter(idea=idea)
            .select_related("author", "gathering")
        )
        parent = request.query_params.get("parent")
        if parent == "none":
            comments = comments.filter(parent__isnull=True)
        elif parent is not None:
            if not parent.isascii() or not parent.isdigit() or len(parent) > 18:
                raise ValidationError({"parent": ["Give `none` or a comment's id."]})
            comments = comments.filter(parent_id=int(parent))
        return self.paginate(comments, OLDEST_FIRST, s.CommentSerializer)

    @extend_schema(
        request=s.CommentCreateSerializer,
        responses={201: s.CommentPostedSerializer, 200: s.CommentPostedSerializer},
        description="Comments on a public idea, or replies to one of its comments. Screened "
        "like a comment on the site; it may wait for a moderator.",
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = _public_idea(request, idea_id)
        data = s.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = (
                selectors.comments_visible(viewer=request.user)
                .filter(idea=idea, pk=data.validated_data["parent"])
                .first()
            )
            if parent is None:
                raise ValidationError({"parent": ["There is no such comment on this idea."]})
        posting_allowed(request, "comment")
        key = data.validated_data.get("submission_key")
        before = _sent_before(Comment, self.signed_in(), key)
        comment = services.comment_create(
            idea=idea,
            author=self.signed_in(),
            body=data.validated_data["body"],
            parent=parent,
            submission_key=key,
        )
        posting_counted(request, "comment")
        return _posted_answer(request, s.CommentPostedSerializer, comment, "comment", again=before)


class CommentDetail(TenantApiView):
    """A comment you may see."""

    etag = True

    @extend_schema(responses=s.CommentSerializer)
    def get(self, request: Request, comment_id: int) -> Response:
        comment = (
            selectors.comments_visible(viewer=request.user)
            .select_related("author", "gathering")
            .filter(pk=comment_id)
            .first()
        )
        if comment is None:
            raise NotFound("There is no such comment on this site.")
        return Response(s.CommentSerializer(comment).data)


class IdeaResponses(TenantApiView):
    """Official responses, as the organisation: staff whose role includes responding."""

    required_capability = Capability.RESPOND

    @extend_schema(
        request=s.ResponseCreateSerializer,
        responses={201: s.CommentSerializer, 200: s.CommentSerializer},
        description="Publishes an official response on a public idea at once, with the "
        "organisation's badge; the idea's followers are told.",
    )
    def post(self, request: Request, idea_id: int) -> Response:
        idea = _public_idea(request, idea_id)
        data = s.ResponseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data.get("submission_key")
        before = _sent_before(Comment, self.signed_in(), key)
        comment = services.comment_create(
            idea=idea,
            author=self.signed_in(),
            body=data.validated_data["body"],
            official=True,
            submission_key=key,
        )
        return Response(
            s.CommentSerializer(comment).data,
            status=status.HTTP_200_OK if before else status.HTTP_201_CREATED,
        )


class IdeaStatus(TenantApiView):
    """An idea's public status, set by staff who respond, with an explanation; kept as
    history."""

    required_capability = Capability.RESPOND

    @extend_schema(request=s.StatusSetSerializer, responses=s.IdeaDetailSerializer)
    def put(self, request: Request, idea_id: int) -> Response:
        idea = _public_idea(request, idea_id)
        data = s.StatusSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.idea_status_set(idea=idea, by=self.signed_in(), **data.validated_data)
        return Response(
            s.IdeaDetailSerializer(_idea(request, idea_id), context={"request": request}).data
        )


class IdeaRating(TenantApiView):
    """Your rating of an idea, 1 to 5 stars: see it, set or change it, remove it."""

    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]

    def _body(self, idea_id: int) -> dict[str, Any]:
        idea = Idea.objects.get(pk=idea_id)
        return {
            "stars": selectors.rating_of(idea=idea, user=self.signed_in()),
            "average": idea.rating_average,
            "count": idea.rating_count,
        }

    @extend_schema(responses=s.RatingSerializer)
    def get(self, request: Request, idea_id: int) -> Response:
        return Response(self._body(_public_idea(request, idea_id).pk))

    @extend_schema(request=s.RatingSerializer, responses=s.RatingSerializer)
    def post(self, request: Request, idea_id: int) -> Response:
        idea = _public_idea(request, idea_id)
        data = s.RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["stars"] is None:
            raise ValidationError({"stars": ["Choose between 1 and 5 stars."]})
        posting_allowed(request, "rating")
        services.rating_set(idea=idea, user=self.signed_in(), stars=data.validated_data["stars"])
        posting_counted(request, "rating")
        return Response(self._body(idea.pk))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, idea_id: int) -> Response:
        services.rating_withdraw(idea=_public_idea(request, idea_id), user=self.signed_in())
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowList(TenantApiView):
    """What you follow: you hear of new ideas in a dialogue, or new comments and
    responses on an idea."""

    pagination_class = KeysetPagination

    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]
    open_when_read_only = True

    @extend_schema(responses=s.FollowSerializer(many=True))
    def get(self, request: Request) -> Response:
        follows = notification_selectors.follow_list(user=self.signed_in())
        return self.paginate(follows, NEWEST_FIRST, s.FollowSerializer)

    @extend_schema(request=s.FollowCreateSerializer, responses={201: s.FollowSerializer})
    def post(self, request: Request) -> Response:
        data = s.FollowCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target: dict[str, Any] = {}
        if "idea" in data.validated_data:
            idea = selectors.idea_get_visible(
                idea_id=data.validated_data["idea"], viewer=request.user
            )
            if idea is None:
                raise ValidationError({"idea": ["There is no such idea on this site."]})
            target["idea"] = idea
        else:
            dialogue = selectors.dialogue_get_public(slug=data.validated_data["dialogue"])
            if dialogue is None:
                raise ValidationError({"dialogue": ["There is no such dialogue on this site."]})
            target["dialogue"] = dialogue
        notification_services.follow_set(user=self.signed_in(), following=True, **target)
        follow = Follow.objects.get(user=self.signed_in(), **target)
        return Response(s.FollowSerializer(follow).data, status=status.HTTP_201_CREATED)


class FollowDetail(TenantApiView):
    """One thing you follow; delete it to stop following."""

    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]
    open_when_read_only = True

    def _follow(self, follow_id: int) -> Follow:
        follow = (
            notification_selectors.follow_list(user=self.signed_in()).filter(pk=follow_id).first()
        )
        if follow is None:
            raise NotFound("You follow nothing with this id.")
        return follow

    @extend_schema(responses=s.FollowSerializer)
    def get(self, request: Request, follow_id: int) -> Response:
        return Response(s.FollowSerializer(self._follow(follow_id)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, follow_id: int) -> Response:
        follow = self._follow(follow_id)
        notification_services.follow_set(
            user=self.signed_in(), following=False, idea=follow.idea, dialogue=follow.dialogue
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationList(TenantApiView):
    """Your notifications, newest first, about posts that are still public."""

    pagination_class = KeysetPagination

    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]

    @extend_schema(responses=s.NotificationSerializer(many=True))
    def get(self, request: Request) -> Response:
        notifications = notification_selectors.notification_list(user=self.signed_in())
        return self.paginate(notifications, NEWEST_FIRST, s.NotificationSerializer)


class NotificationsRead(TenantApiView):
    """Marks notifications read: the ones named, or all of them."""

    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]
    open_when_read_only = True

    @extend_schema(request=s.MarkReadSerializer, responses=s.MarkReadSerializer)
    def post(self, request: Request) -> Response:
        data = s.MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notification_services.notifications_mark_read(
            user=self.signed_in(), ids=data.validated_data.get("ids")
        )
        return Response({"marked": marked})


def _me(user: User) -> dict[str, Any]:
    address = EmailAddress.objects.filter(user=user, primary=True).first() or (
        EmailAddress.objects.filter(user=user).first()
    )
    return {
        "username": user.username,
        "email": address.email if address else (user.email or None),
        "email_verified": bool(address and address.verified),
        "role": user.role or "resident",
        "age_band": user.age_band,
        "demographic_answers": [
            {"question": answer.question.text, "answer": answer.answer}
            for answer in user.demographic_answers.select_related("question")
        ],
        "email_notifications": notification_selectors.email_mode(user=user),
        "date_joined": user.date_joined,
    }


class Me(TenantApiView):
    """Your own account. Only here does the API show an email address or your answers to
    the sign-up questions, and only to you."""

    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]
    open_when_read_only = True
    etag = True

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(_me(self.signed_in())).data)

    @extend_schema(
        request=s.MeSerializer,
        responses=s.MeSerializer,
        description="Changes how notifications reach you by email.",
    )
    def patch(self, request: Request) -> Response:
        data = s.MeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "email_notifications" in data.validated_data:
            notification_services.email_preference_set(
                user=self.signed_in(), mode=data.validated_data["email_notifications"]
            )
        return Response(s.MeSerializer(_me(self.signed_in())).data)

    @extend_schema(
        request=s.AccountDeleteSerializer,
        responses={204: None},
        description="Deletes your account, as on the site, after checking your password: what "
        "you posted stays as a former participant's (`keep`) or is removed (`remove`). Your "
        "tokens go with it.",
    )
    def delete(self, request: Request) -> Response:
        data = s.AccountDeleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = self.signed_in()
        if not user.check_password(data.validated_data["password"]):
            raise ValidationError({"password": ["That is not your password."]})
        if request.auth is None:
            logout(request._request)
        account_delete(user=user, remove_content=data.validated_data["content"] == "remove")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyData(TenantApiView):
    """Everything this site holds about you, as the site's "download my data" gives it."""

    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]
    open_when_read_only = True

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        examples=[
            OpenApiExample(
                "Part of a download",
                value={
                    "account": {"username": "QuietOtter42", "role": "resident"},
                    "email_addresses": [{"email": "otter@example.org", "verified": True}],
                    "ideas": [{"title": "Lights on the canal path", "withdrawn": False}],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        response = Response(account_export(user=self.signed_in()))
        response["Cache-Control"] = "no-store"
        return response


class ReportCreate(TenantApiView):
    """Reports a public post that breaks the rules; anyone may, signed in or not. Enough
    reports hide it until a moderator decides."""

    permission_classes = [PlanIncludesApi, TokenScope, SiteTakesPosts]
    open_when_read_only = True

    @extend_schema(
        request=s.ReportCreateSerializer,
        responses={201: s.ReportReceivedSerializer},
        # Anyone may report: signing in is optional ({}), as the stubs do not know.
        auth=[{"personalAccessToken": []}, {"siteSession": []}, {}],  # type: ignore[list-item]
    )
    def post(self, request: Request) -> Response:
        data = s.ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = selectors.post_get(
            kind=data.validated_data["kind"], post_id=data.validated_data["id"], public=True
        )
        if post is None:
            raise ValidationError({"id": ["There is no such public post on this site."]})
        posting_allowed(request, "report")
        reporter = request.user if isinstance(request.user, User) else None
        services.post_report(
            item=post,
            reporter=reporter,
            reason=data.validated_data["reason"],
            details=data.validated_data["details"],
        )
        posting_counted(request, "report")
        return Response({"received": True}, status=status.HTTP_201_CREATED)


def _queue_entry(entry: selectors.QueueItem) -> dict[str, Any]:
    item = entry.item
    return {
        "kind": entry.kind,
        "id": item.pk,
        "idea": entry.idea.pk,
        "dialogue": entry.idea.dialogue.slug,
        "title": item.title if isinstance(item, Idea) else "",
        "body": item.body,
        "author": {"username": item.author.username} if item.author else None,
        "visibility": item.visibility,
        "hold_reasons": item.hold_reasons,
        "held_at": item.held_at,
        "created_at": item.created_at,
    }


class ModerationQueue(TenantApiView):
    """What waits for a moderator, oldest first: held and hidden posts, up to 200 ideas and
    200 comments at a time (as the site's queue). Posts held for safeguarding are not here;
    they stay with the safeguarding leads on the site."""

    required_capability = Capability.MODERATE
    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("reason", str, description="Only posts held for this kind of reason."),
            OpenApiParameter("dialogue", str, description="Only this dialogue's posts (slug)."),
            OpenApiParameter(
                "under_18", bool, description="Only posts by residents who said they are under 18."
            ),
        ],
        responses=s.QueueItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        under_18 = request.query_params.get("under_18", "false")
        if under_18 not in {"true", "false"}:
            raise ValidationError({"under_18": ["Give true or false."]})
        reason = request.query_params.get("reason", "")[:40]
        dialogue = request.query_params.get("dialogue", "")[:80]
        items = selectors.queue(reason=reason, dialogue_slug=dialogue, under_18=under_18 == "true")
        data = s.QueueItemSerializer([_queue_entry(entry) for entry in items], many=True).data
        return Response(data)


class ModerationDecision(TenantApiView):
    """A moderator's decision on a post, audited as on the site: approve (publish or
    restore), reject (with the reason its author is told) or hide a public post."""

    required_capability = Capability.MODERATE
    permission_classes = [*TenantApiView.permission_classes, IsAuthenticated]

    @extend_schema(
        request=s.DecisionSerializer,
        responses={
            200: s.DecisionSerializer,
            404: OpenApiResponse(description="There is no such post on this site."),
            409: OpenApiResponse(description="Another moderator decided first."),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = selectors.post_get(
            kind=data.validated_data["kind"], post_id=data.validated_data["id"]
        )
        if post is None:
            raise NotFound("There is no such post on this site.")
        decision = data.validated_data["decision"]
        reason = data.validated_data["reason"]
        if decision == "hide":
            done = services.post_hide(item=post, by=self.signed_in(), reason=reason)
        else:
            done = services.post_decide(
                item=post, by=self.signed_in(), approve=decision == "approve", reason=reason
            )
        if not done:
            raise Conflict()
        post.refresh_from_db(fields=["visibility"])
        return Response(
            {
                "kind": data.validated_data["kind"],
                "id": post.pk,
                "decision": decision,
                "reason": reason,
                "visibility": post.visibility,
            }
        )


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Another moderator decided on this post first."
    default_code = "already_decided"
