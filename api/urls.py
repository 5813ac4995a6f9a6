"""API URLs, mounted at /api/ on tenant hosts: version 1 at /api/v1/, its OpenAPI
description at /api/schema/ and interactive documentation at /api/docs/."""

from django.urls import include, path, register_converter

from api import views
from api.docs import DocsView, SchemaView


class IdConverter:
    """Ids as the database holds them: a longer number is no id (404), never a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

v1 = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("dialogues/", views.DialogueList.as_view(), name="dialogues"),
    path("dialogues/<slug:slug>/", views.DialogueDetail.as_view(), name="dialogue"),
    path("dialogues/<slug:slug>/ideas/", views.DialogueIdeas.as_view(), name="dialogue-ideas"),
    path("dialogues/<slug:slug>/tags/", views.DialogueTags.as_view(), name="dialogue-tags"),
    path("tags/", views.TagList.as_view(), name="tags"),
    path("ideas/<id:idea_id>/", views.IdeaDetail.as_view(), name="idea"),
    path("ideas/<id:idea_id>/withdraw/", views.IdeaWithdraw.as_view(), name="idea-withdraw"),
    path("ideas/<id:idea_id>/comments/", views.IdeaComments.as_view(), name="idea-comments"),
    path("ideas/<id:idea_id>/responses/", views.IdeaResponses.as_view(), name="idea-responses"),
    path("ideas/<id:idea_id>/status/", views.IdeaStatus.as_view(), name="idea-status"),
    path("ideas/<id:idea_id>/rating/", views.IdeaRating.as_view(), name="idea-rating"),
    path("comments/<id:comment_id>/", views.CommentDetail.as_view(), name="comment"),
    path("reports/", views.ReportCreate.as_view(), name="reports"),
    path("follows/", views.FollowList.as_view(), name="follows"),
    path("follows/<id:follow_id>/", views.FollowDetail.as_view(), name="follow"),
    path("notifications/", views.NotificationList.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationsRead.as_view(), name="notifications-read"),
    path("me/", views.Me.as_view(), name="me"),
    path("me/data/", views.MyData.as_view(), name="my-data"),
    path("moderation/queue/", views.ModerationQueue.as_view(), name="moderation-queue"),
    path("moderation/decisions/", views.ModerationDecision.as_view(), name="moderation-decisions"),
]

urlpatterns = [
    path("v1/", include((v1, "api"))),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(), name="api-docs"),
]
