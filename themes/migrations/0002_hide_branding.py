# Hide "Powered by Townsquare": a theme setting, honoured on plans that include it.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("themes", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="themedraft",
            name="hide_branding",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="themeversion",
            name="hide_branding",
            field=models.BooleanField(default=False),
        ),
    ]
