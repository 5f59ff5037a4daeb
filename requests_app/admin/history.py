"""History pages in the admin show past versions on the clinic's clock; they never save one."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper
from typing_extensions import override

from requests_app.formatting import short_moment


class ClinicClockHistoryHelper(HistoricalRecordContextHelper):
    """A changed date and time reads "Tue 1 Dec, 10:12 am EST", not str(datetime) in UTC; no user is "nobody"."""

    def prepare_delta_change_value(self, change, value):
        if isinstance(value, datetime):
            return short_moment(value)
        if isinstance(value, DeletedObject) and value.pk is None:
            return "nobody"
        return super().prepare_delta_change_value(change, value)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history 3.10 saves whatever is POSTed to a history page for anyone who may view the
    object (no change-permission check), and a save there would bypass the services."""

    object_history_list_template = "admin/clinic_history_list.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    @override
    def get_historical_record_context_helper(self, request, historical_record):
        return ClinicClockHistoryHelper(self.model, historical_record)
