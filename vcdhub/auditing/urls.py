from django.urls import path

from vcdhub.auditing import views
from vcdhub.platform.views import record_history

app_name = "audit"
urlpatterns = [
    path("audit/", views.index, name="index"),
    # Any registered record's history; the kit's generic view (the name is kept for existing links).
    path("history/<slug:app_label>/<slug:model_name>/<str:pk>/", record_history, name="history"),
]
