from django.db import migrations, models


class Migration(migrations.Migration):
    """A questionnaire response is a `Submission`, so that it is not mistaken for an HTTP response
    or an answer to an event; the tables, columns and index follow the names."""

    dependencies = [
        ("workgroups", "0011_interest_questionnaire"),
    ]

    operations = [
        migrations.RenameModel(old_name="Response", new_name="Submission"),
        migrations.AlterField(
            model_name="submission",
            name="questionnaire",
            field=models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="submissions",
                                    to="workgroups.questionnaire"),
        ),
        migrations.RenameIndex(
            model_name="submission",
            old_name="workgroups__questio_d88724_idx",
            new_name="workgroups__questio_edd7b2_idx",
        ),
        # The constraint names the column: taken off while the column is renamed, then put back.
        migrations.RemoveConstraint(model_name="answer", name="workgroups_answer_once"),
        migrations.RenameField(model_name="answer", old_name="response", new_name="submission"),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.UniqueConstraint(fields=("submission", "question"), name="workgroups_answer_once"),
        ),
        migrations.RenameField(model_name="expressionofinterest", old_name="response", new_name="submission"),
    ]
