from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """An answer to an event (going, maybe, not going) is an `EventAnswer`, so that it is not mistaken
    for an HTTP response or a questionnaire's submission; the table follows the name."""

    dependencies = [
        ("events", "0001_events_answers_feeds_reminders_experts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="Response", new_name="EventAnswer"),
        migrations.AlterField(
            model_name="eventanswer",
            name="event",
            field=models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="answers", to="events.event"),
        ),
        migrations.AlterField(
            model_name="eventanswer",
            name="user",
            field=models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="event_answers",
                                    to=settings.AUTH_USER_MODEL),
        ),
    ]
