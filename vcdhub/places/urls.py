from django.urls import path

from vcdhub.places import views

app_name = "places"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_map, name="run"),
    path("runs/<int:pk>/table/", views.run_table, name="table"),
    path("runs/<int:pk>/areas/<slug:code>/", views.area, name="area"),
    path("runs/<int:pk>/download.csv", views.download_csv, name="csv"),
    path("runs/<int:pk>/download.geojson", views.download_geojson, name="geojson"),
    path("runs/<int:pk>/download.png", views.download_png, name="png"),
]
