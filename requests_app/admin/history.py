"""History pages in the admin show past versions; they never save one."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history 3.10 saves whatever is POSTed to a history page for anyone who may view the
    object (no change-permission check), and a save there would bypass the services."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
