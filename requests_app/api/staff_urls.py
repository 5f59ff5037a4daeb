"""URLs of the staff API, mounted at /api/v1/staff/."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from requests_app.api import staff_appointments
from requests_app.api.staff import StaffCallbackViewSet, staff_not_found

router = SimpleRouter()
router.register("callbacks", StaffCallbackViewSet, basename="staff-callback")

# Anything else under /api/v1/staff/ (a negative or non-numeric id...) is a
# JSON 404 behind the same authentication, never an HTML page.
urlpatterns = [*staff_appointments.urlpatterns, *router.urls, re_path(r"", staff_not_found)]
