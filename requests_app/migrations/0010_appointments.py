"""Appointments of their own: booked, rescheduled, cancelled, missed or attended.

Every callback already scheduled gets its appointment, booked, with the UID
its confirmation's calendar file carried (built from the reference and
SITE_URL) and the 45 minutes that file said, so a later change updates the
event the patient already has.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def book_scheduled_callbacks(apps, schema_editor):
    Callback = apps.get_model("requests_app", "Callback")
    Appointment = apps.get_model("requests_app", "Appointment")
    zone = ZoneInfo(settings.TIME_ZONE)
    host = settings.SITE_URL.split("://")[-1]
    scheduled = Callback.objects.filter(status="scheduled", appointment_date__isnull=False).select_related("request")
    for callback in scheduled.iterator():
        Appointment.objects.create(
            callback=callback,
            uid=f"appointment-{callback.request.reference}@{host}",
            starts_at=datetime.combine(callback.appointment_date, callback.appointment_time or time(0), zone),
            minutes=45,
            location=callback.appointment_location or settings.CLINIC_LOCATIONS[0],
            note=callback.appointment_note,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0009_requests_to_check'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalAppointment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('uid', models.CharField(db_index=True, max_length=255)),
                ('status', models.CharField(choices=[('booked', 'Booked'), ('cancelled', 'Cancelled'), ('no_show', 'Did not come'), ('attended', 'Attended')], default='booked', max_length=10)),
                ('starts_at', models.DateTimeField()),
                ('minutes', models.PositiveSmallIntegerField()),
                ('location', models.CharField(max_length=200)),
                ('note', models.TextField(blank=True, max_length=1000)),
                ('sequence', models.PositiveIntegerField(default=0)),
                ('hours_override_reason', models.TextField(blank=True, max_length=1000)),
                ('cancel_reason', models.TextField(blank=True, max_length=1000)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                ('outcome_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('callback', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requests_app.callback')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical appointment',
                'verbose_name_plural': 'historical appointments',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Appointment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.CharField(max_length=255, unique=True)),
                ('status', models.CharField(choices=[('booked', 'Booked'), ('cancelled', 'Cancelled'), ('no_show', 'Did not come'), ('attended', 'Attended')], default='booked', max_length=10)),
                ('starts_at', models.DateTimeField()),
                ('minutes', models.PositiveSmallIntegerField()),
                ('location', models.CharField(max_length=200)),
                ('note', models.TextField(blank=True, max_length=1000)),
                ('sequence', models.PositiveIntegerField(default=0)),
                ('hours_override_reason', models.TextField(blank=True, max_length=1000)),
                ('cancel_reason', models.TextField(blank=True, max_length=1000)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                ('outcome_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('callback', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='appointments', to='requests_app.callback')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['status', 'starts_at'], name='appointment_status_start_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'booked')), fields=('callback',), name='appointment_one_booked_per_callback'), models.CheckConstraint(condition=models.Q(('minutes__gt', 0)), name='appointment_has_a_length'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'cancelled'), _negated=True), ('cancelled_at__isnull', False), _connector='OR'), name='appointment_cancelled_has_a_time')],
            },
        ),
        migrations.RunPython(book_scheduled_callbacks, migrations.RunPython.noop),
    ]
