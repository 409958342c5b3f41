import django.contrib.auth.admin  # noqa: F401 - user management; the admin does not autodiscover
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

import vcdhub.access.admin  # noqa: F401
from vcdhub.access.views import LoginView
from vcdhub.crime import views as crime_views
from vcdhub.crime.api.views import CrimeViewSet, StopSearchViewSet
from vcdhub.geography.api.views import BoroughViewSet, LsoaViewSet, WardViewSet

router = DefaultRouter()
router.register("crimes", CrimeViewSet, basename="crime")
router.register("stop-searches", StopSearchViewSet, basename="stopsearch")
router.register("boroughs", BoroughViewSet, basename="borough")
router.register("wards", WardViewSet, basename="ward")
router.register("lsoas", LsoaViewSet, basename="lsoa")

urlpatterns = [
    path("", crime_views.home, name="home"),
    path("", include("vcdhub.crime.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("account/", include("vcdhub.access.urls")),
    path("", include("vcdhub.audit.urls")),
    path("performance/", include("vcdhub.performance.urls")),
    path("equality/", include("vcdhub.equality.urls")),
    path("places/", include("vcdhub.places.urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include(router.urls)),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain")),
    path("favicon.ico", RedirectView.as_view(url=static("vcdhub/favicon.svg"), permanent=True)),
]
