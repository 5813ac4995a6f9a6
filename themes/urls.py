"""Theme, pages and menu editing, mounted at /manage/theme/."""

from django.urls import path

from themes import views

app_name = "themes"

urlpatterns = [
    path("", views.editor, name="editor"),
    path("publish/", views.publish, name="publish"),
    path("preview.css", views.preview_css, name="preview_css"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:number>/restore/", views.restore, name="restore"),
    path("pages/", views.pages, name="pages"),
    path("pages/new/", views.page_edit, name="page_new"),
    path("pages/<slug:slug>/", views.page_edit, name="page_edit"),
    path(
        "pages/<slug:slug>/revisions/<int:revision_id>/restore/",
        views.page_revision_restore,
        name="page_restore",
    ),
]
