"""Set aside what names Callback.is_open and .priority_rank, so that 0012 can rebuild them as generated columns.

The constraint that kept is_open in step with status, and the queue's three
indexes that use the two columns. 0012 adds the indexes back. Two
migrations, because PostgreSQL refuses to build an index or a constraint in
the transaction that just updated the rows (0012's way back does).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("requests_app", "0010_appointments"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="callback",
            name="callback_is_open_matches_status",
        ),
        migrations.RemoveIndex(
            model_name="callback",
            name="callback_queue_order_idx",
        ),
        migrations.RemoveIndex(
            model_name="callback",
            name="callback_open_queue_idx",
        ),
        migrations.RemoveIndex(
            model_name="callback",
            name="callback_status_queue_idx",
        ),
    ]
