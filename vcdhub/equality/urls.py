from django.urls import path

from vcdhub.equality import views

app_name = "equality"
urlpatterns = [path("", views.index, name="index")]
