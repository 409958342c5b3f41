"""The root URLconf: the site's own pages, then every registered module's URLs and API endpoints
(platform.registry). A new module adds itself in its AppConfig, not here."""

import django.contrib.auth.admin  # noqa: F401 - user management; the admin does not autodiscover
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import include, path
from django.utils.module_loading import import_string
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

import vcdhub.access.admin  # noqa: F401
import vcdhub.platform.admin  # noqa: F401 - background jobs, read-only
from vcdhub.accounts.views import LoginView
from vcdhub.landing import views as landing_views
from vcdhub.platform.registry import modules
from vcdhub.platform.schema_view import SchemaView
from vcdhub.platform.views import add_journal_entry, job_download, job_page, job_status

router = DefaultRouter()
for module in modules():
    for endpoint in module.api:
        router.register(endpoint.prefix, import_string(endpoint.viewset), basename=endpoint.basename)

urlpatterns = [
    path("", landing_views.home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    *[path(module.url_prefix, include(module.urls)) for module in modules() if module.urls],
    path("journal/<slug:app_label>/<slug:model_name>/<str:pk>/", add_journal_entry, name="journal_add"),
    path("jobs/<str:pk>/", job_page, name="job"),
    path("jobs/<str:pk>/status/", job_status, name="job_status"),
    path("jobs/<str:pk>/download/", job_download, name="job_download"),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The app's own page for Swagger UI: started by a static script, as the CSP requires (templates/api/).
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("api/", include(router.urls)),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain")),
    path("favicon.ico", RedirectView.as_view(url=static("vcdhub/favicon.svg"), permanent=True)),
]

# The error pages, in the site's layout (platform.errors); the 500 page needs neither the request nor the database.
handler403 = "vcdhub.platform.errors.forbidden"
handler404 = "vcdhub.platform.errors.not_found"
handler500 = "vcdhub.platform.errors.server_error"
