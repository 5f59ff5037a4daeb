"""The site's URLs plus the baselines. Used only under `bench.settings`, never in production."""

from django.urls import path

from bench import views
from clinic.urls import handler500
from clinic.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/hello/", views.hello, name="bench-hello"),
    path("bench/create/", views.create, name="bench-create"),
    path("bench/peer/", views.peer, name="bench-peer"),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
