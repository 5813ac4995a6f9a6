"""URLs served on each tenant's host (<slug>.<root domain>)."""

from django.urls import include, path

from accounts import views as account_views
from accounts.views import SignupView
from tenants import views as tenant_views
from themes import views as theme_views
from townsquare import views

urlpatterns = [
    path("", include("dialogues.urls")),
    path("", include("insights.suggest_urls")),
    path("accounts/signup/", SignupView.as_view(), name="account_signup"),
    path("join/", account_views.join_with_code, name="join_with_code"),
    path("accounts/", include("api.token_urls")),
    path("accounts/", include("privacy.urls")),
    path("accounts/", include("allauth.urls")),
    path("manage/theme/", include("themes.urls")),
    path("manage/billing/", include("billing.urls")),
    path("manage/insights/", include("insights.urls")),
    path("manage/webhooks/", include("api.webhooks.urls")),
    path("manage/domains/", include("tenants.manage_urls")),
    path("manage/", include("backoffice.urls")),
    path("theme/v<int:number>-<str:digest>.css", theme_views.theme_css, name="theme_css"),
    path("theme/draft.css", theme_views.theme_draft_css, name="theme_draft_css"),
    path("pages/<slug:slug>/", theme_views.page_show, name="page"),
    path("notifications/", include("notifications.urls")),
    path("", include("dialogues.report_urls")),
    path("api/", include("api.urls")),
    path("media/<path:path>", views.media, name="media"),
    path("staying-safe/", views.staying_safe, name="staying_safe"),
    path("exit/", views.quick_exit, name="quick_exit"),
    path("welcome/<str:token>/", tenant_views.welcome, name="welcome"),
]

handler400 = "townsquare.views.bad_request"
handler403 = "townsquare.views.permission_denied"
handler404 = "townsquare.views.page_not_found"
handler500 = "townsquare.views.server_error"
