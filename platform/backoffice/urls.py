"""URLs of the tenant admin area, mounted at /manage/."""

from django.urls import path

from backoffice import card_views, gathering_views, markdown_views, moderation_views, views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dialogues/", views.dialogues, name="dialogues"),
    path("style/", views.style_guide, name="style"),
    path("dialogues/new/", views.dialogue_new, name="dialogue_new"),
    path("dialogues/<slug:slug>/", views.dialogue_edit, name="dialogue_edit"),
    path("dialogues/<slug:slug>/state/", views.dialogue_state, name="dialogue_state"),
    path("dialogues/<slug:slug>/outcome/", views.dialogue_outcome, name="dialogue_outcome"),
    path("responses/", views.awaiting_response, name="awaiting"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:user_id>/remove/", views.staff_remove, name="staff_remove"),
    path(
        "invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
    path("settings/", views.site_settings, name="settings"),
    path("codes/", views.invite_codes, name="codes"),
    path("questions/", views.questions, name="questions"),
    path("questions/<int:question_id>/toggle/", views.question_toggle, name="question_toggle"),
    path("insights/demographics/", views.demographics, name="demographics"),
    path("codes/<int:code_id>/revoke/", views.invite_code_revoke, name="code_revoke"),
    path("codes/<int:code_id>/cards/", card_views.code_cards, name="code_cards"),
    path("sessions/", gathering_views.gathering_index, name="gatherings"),
    path(
        "dialogues/<slug:slug>/sessions/",
        gathering_views.dialogue_gatherings,
        name="dialogue_gatherings",
    ),
    path("sessions/<int:gathering_id>/", gathering_views.gathering_detail, name="gathering"),
    path(
        "sessions/<int:gathering_id>/ideas/",
        gathering_views.gathered_idea_new,
        name="gathered_idea_new",
    ),
    path(
        "sessions/<int:gathering_id>/comments/",
        gathering_views.gathered_comment_new,
        name="gathered_comment_new",
    ),
    path(
        "sessions/<int:gathering_id>/uploads/",
        gathering_views.gathering_upload_new,
        name="gathering_upload_new",
    ),
    path(
        "sessions/<int:gathering_id>/uploads/<int:upload_id>/",
        gathering_views.gathering_upload_preview,
        name="gathering_upload",
    ),
    path(
        "sessions/<int:gathering_id>/uploads/<int:upload_id>/import/",
        gathering_views.gathering_upload_import,
        name="gathering_upload_import",
    ),
    path(
        "sessions/<int:gathering_id>/uploads/<int:upload_id>/discard/",
        gathering_views.gathering_upload_discard,
        name="gathering_upload_discard",
    ),
    path("moderation/", moderation_views.queue, name="moderation"),
    path(
        "moderation/<str:kind>/<int:item_id>/",
        moderation_views.decide,
        name="moderation_decide",
    ),
    path("moderation/audit/", moderation_views.audit, name="audit"),
    path("moderation/bulk/", moderation_views.bulk, name="moderation_bulk"),
    path("moderation/<str:kind>/<int:item_id>/hide/", moderation_views.hide, name="hide"),
    path("moderation/<str:kind>/<int:item_id>/redact/", moderation_views.redact, name="redact"),
    path(
        "moderation/<str:kind>/<int:item_id>/dismiss/",
        moderation_views.dismiss_reports,
        name="dismiss_reports",
    ),
    path("moderation/<str:kind>/<int:item_id>/ban/", moderation_views.ban, name="ban"),
    path(
        "moderation/<str:kind>/<int:item_id>/safeguarding/",
        moderation_views.escalate,
        name="escalate",
    ),
    path("safeguarding/", moderation_views.safeguarding, name="safeguarding"),
    path(
        "safeguarding/<int:concern_id>/",
        moderation_views.safeguarding_handle,
        name="safeguarding_handle",
    ),
    path(
        "markdown/preview/dialogues/",
        markdown_views.dialogue_text_preview,
        name="markdown_preview_dialogues",
    ),
    path(
        "markdown/preview/theme/", markdown_views.theme_text_preview, name="markdown_preview_theme"
    ),
    path("helplines/", views.signposts, name="signposts"),
    path("helplines/<int:signpost_id>/remove/", views.signpost_remove, name="signpost_remove"),
]
