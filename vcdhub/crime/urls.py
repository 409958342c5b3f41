from django.urls import path

from vcdhub.crime import views

app_name = "crime"
urlpatterns = [
    path("crimes/", views.Explorer.as_view(), name="explorer"),
    path("crimes/export.csv", views.CrimeExport.as_view(), name="export_csv"),
    path("crimes/ward-options/", views.ward_options, name="ward_options"),
    # Any text reaches the detail view, which answers "not found" (audited) for what cannot be an id.
    path("crimes/<str:pk>/", views.CrimeDetail.as_view(), name="detail"),
    path("map/", views.crime_map, name="map"),
]
