from django.urls import path

from vcdhub.audit import views

app_name = "audit"
urlpatterns = [
    path("audit/", views.index, name="index"),
    path("history/<slug:app_label>/<slug:model_name>/<str:pk>/", views.history, name="history"),
]
