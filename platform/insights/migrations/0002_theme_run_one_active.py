"""One theme run at a time per dialogue, held by the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="themerun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["queued", "running"])),
                fields=("dialogue",),
                name="theme_run_one_active",
            ),
        ),
    ]
