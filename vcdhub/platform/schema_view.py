"""The view of /api/schema/, apart from `api_schema`: drf-spectacular's views read the settings, which name
`api_schema.AutoSchema`, so the two cannot share a module."""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """/api/schema/: built once per process, API version and language, not on every request (0.3 to 0.4 s each
    here). It describes the code, not the reader or the data: it is served public (SERVE_PUBLIC, the same for
    every user; SERVE_PERMISSIONS decide only who may read it), and its choices are the code's
    (tests/test_api_schema.py checks both)."""

    _built: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language(), self.serve_public)
        schema = self._built.get(key)
        if schema is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            schema = self._built[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(data=schema,
                        headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'})
