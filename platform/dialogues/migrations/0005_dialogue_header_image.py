from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0004_markdown_sources"),
    ]

    operations = [
        migrations.AddField(
            model_name="dialogue",
            name="header_image",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="dialogue",
            name="header_image_alt",
            field=models.CharField(blank=True, max_length=250),
        ),
        migrations.AddField(
            model_name="dialogue",
            name="header_image_width",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="dialogue",
            name="header_image_height",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
