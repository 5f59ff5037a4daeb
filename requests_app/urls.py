from django.urls import include, path

from requests_app import views
from requests_app.api import public

app_name = "requests_app"

urlpatterns = [
    path("request-appointment/", views.request_appointment, name="request"),
    path("request-appointment/received/<str:token>/", views.request_received, name="received"),
    path("request-appointment/better-time/<str:token>/", views.better_time, name="better-time"),
    path("privacy/", views.privacy, name="privacy"),
    path("api/v1/appointment-requests/", public.AppointmentRequestCreateView.as_view(), name="api-create"),
    path("api/v1/staff/", include("requests_app.api.staff_urls")),
]
