"""The site's URLs. The apps' own are included by name, so this module imports none of them."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from clinic import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # drf-spectacular's page has one small inline <style>: allowed by its hash, nothing else.
    path(
        "api/docs/",
        csp_update({"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("", include("articles.crawler_urls")),
    path("", include("articles.urls")),
    path("", include("requests_app.urls")),
]

# The 500 page shows the clinic's phone number; it is rendered from settings
# alone, never from the request or the database.
handler500 = "articles.views.server_error"
