from django.urls import path

from vcdhub.crime import views

app_name = "crime"
urlpatterns = [
    path("crimes/", views.explorer, name="explorer"),
    path("crimes/export.csv", views.export_csv, name="export_csv"),
    path("crimes/<int:pk>/", views.crime_detail, name="detail"),
    path("crimes/ward-options/", views.ward_options, name="ward_options"),
    path("map/", views.crime_map, name="map"),
]
