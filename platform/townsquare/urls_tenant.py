"""URLs served on each tenant's host (<slug>.<root domain>)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from townsquare import views

urlpatterns = [
    path("", include("dialogues.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="townsquare/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("api.urls")),
    path("media/<path:path>", views.media, name="media"),
]

handler404 = "townsquare.views.page_not_found"
handler500 = "townsquare.views.server_error"
