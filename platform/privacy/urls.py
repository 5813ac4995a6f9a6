"""A resident's data pages, under /accounts/ beside allauth's."""

from django.urls import path

from privacy import views

urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download/", views.my_data_download, name="my_data_download"),
    path("delete/", views.delete_account, name="delete_account"),
]
