"""URLs of the staff API, mounted at /api/v1/staff/."""

from rest_framework.routers import SimpleRouter

from requests_app.api.staff import StaffCallbackViewSet

router = SimpleRouter()
router.register("callbacks", StaffCallbackViewSet, basename="staff-callback")

urlpatterns = router.urls
