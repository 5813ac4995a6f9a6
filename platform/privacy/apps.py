"""App config for privacy: a resident's data export, account deletion and retention."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    label = "privacy"
    verbose_name = "Privacy"
