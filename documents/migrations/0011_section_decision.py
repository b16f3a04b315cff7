from django.db import migrations, models


def settle_earlier_sections(apps, schema_editor):  # noqa: ANN001, ANN201
    # Before this, a regenerated section's text went into the outline as soon as it succeeded, and
    # one that failed or was cancelled was only shown once: none of them waits for a decision.
    sections = apps.get_model("documents", "OutlineTask").objects.filter(section_index__isnull=False)
    sections.filter(status="succeeded").update(decision="kept")
    sections.filter(status__in=["failed", "cancelled"]).update(decision="discarded")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0010_api_token_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="outlinetask",
            name="decision",
            field=models.CharField(
                blank=True,
                choices=[("", "Undecided"), ("kept", "Kept"), ("discarded", "Discarded")],
                default="",
                max_length=10,
            ),
        ),
        migrations.RunPython(settle_earlier_sections, migrations.RunPython.noop),
    ]
