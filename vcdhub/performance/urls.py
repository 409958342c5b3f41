from django.urls import path

from vcdhub.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.index, name="index"),
    path("targets/", views.edit_targets, name="edit"),
    path("report/", views.authority_report, name="report"),
]
