from django.urls import path

from vcdhub.ingest import views

app_name = "ingest"
urlpatterns = [path("", views.imports, name="imports")]
