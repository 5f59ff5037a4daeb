"""Store request emails lowercased: the duplicate check compares them exactly, on an index."""

from django.db import migrations
from django.db.models.functions import Lower


def lowercase(apps, schema_editor):
    AppointmentRequest = apps.get_model("requests_app", "AppointmentRequest")
    AppointmentRequest.objects.update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0003_callback_open_queue")]

    operations = [migrations.RunPython(lowercase, migrations.RunPython.noop)]
