"""Callback.is_open and Callback.priority_rank become generated columns, computed by the database.

save() used to set them, so bulk_create() and QuerySet.update() could leave
them behind (a check constraint caught a stale is_open; nothing caught a
stale rank). Django cannot turn a column into a generated one in place: with
the indexes and the constraint that use them set aside (0011), the columns
are dropped and added back as generated (the database fills them for every
existing row, historical ones included), then the indexes return.

Backwards, the plain columns come back with their old defaults and are set
from status and priority, last in this migration's transaction; 0011's way
back then restores the indexes and the constraint.
"""

from django.db import migrations, models

OPEN_STATUSES = ("new", "in_progress")
PRIORITY_RANK = {"emergency": 0, "urgent": 1, "routine": 2}


def set_plain_columns(apps, schema_editor):
    for name in ("Callback", "HistoricalCallback"):
        model = apps.get_model("requests_app", name)
        model.objects.exclude(status__in=OPEN_STATUSES).update(is_open=False)
        for priority, rank in PRIORITY_RANK.items():
            model.objects.filter(priority=priority).update(priority_rank=rank)


def is_open_field():
    return models.GeneratedField(
        db_persist=True,
        expression=models.Q(("status__in", OPEN_STATUSES)),
        output_field=models.BooleanField(),
    )


def priority_rank_field():
    return models.GeneratedField(
        db_persist=True,
        expression=models.Case(
            *(models.When(priority=priority, then=models.Value(rank)) for priority, rank in PRIORITY_RANK.items()),
            default=models.Value(2),
        ),
        output_field=models.PositiveSmallIntegerField(),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("requests_app", "0011_callback_derived_columns_unindexed"),
    ]

    operations = [
        # Backwards only: the last step of the way back (see the docstring).
        migrations.RunPython(migrations.RunPython.noop, set_plain_columns),
        migrations.RemoveField(model_name="callback", name="is_open"),
        migrations.RemoveField(model_name="callback", name="priority_rank"),
        migrations.RemoveField(model_name="historicalcallback", name="is_open"),
        migrations.RemoveField(model_name="historicalcallback", name="priority_rank"),
        migrations.AddField(model_name="callback", name="is_open", field=is_open_field()),
        migrations.AddField(model_name="callback", name="priority_rank", field=priority_rank_field()),
        migrations.AddField(model_name="historicalcallback", name="is_open", field=is_open_field()),
        migrations.AddField(model_name="historicalcallback", name="priority_rank", field=priority_rank_field()),
        migrations.AddIndex(
            model_name="callback",
            index=models.Index(fields=["priority_rank", "due_at"], name="callback_queue_order_idx"),
        ),
        migrations.AddIndex(
            model_name="callback",
            index=models.Index(fields=["is_open", "priority_rank", "due_at", "id"], name="callback_open_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="callback",
            index=models.Index(fields=["status", "priority_rank", "due_at"], name="callback_status_queue_idx"),
        ),
    ]
