from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "vcdhub.places"
    label = "places"
    verbose_name = "Places"
