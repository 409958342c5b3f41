import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcdhub.settings")
application = get_wsgi_application()
# Import every view now, as the worker starts, rather than on its first request: that import takes seconds
# (the statistics libraries), and a worker that gunicorn restarts (--max-requests) would make a user wait.
URL_PATTERNS = get_resolver().url_patterns
