from django.urls import path

from vcdhub.people import views
from vcdhub.people.models import CrimeRole, Flag, Person, PersonLink, PlaceLink
from vcdhub.platform.urls import record_urlpatterns

app_name = "people"
urlpatterns = [
    path("duplicates/", views.duplicate_queue, name="duplicates"),
    path("duplicates/<str:pk>/", views.duplicate_pair, name="duplicate_pair"),
    path("<str:pk>/add/<str:part>/", views.add_to_person, name="add_to_person"),
    path("<str:pk>/undo-merge/", views.undo_merge, name="undo_merge"),
    *record_urlpatterns("flags", Flag, list=views.FlagList, export=views.FlagExport, detail=views.FlagDetail),
    *record_urlpatterns("crime-roles", CrimeRole, detail=views.CrimeRoleDetail),
    *record_urlpatterns("person-links", PersonLink, detail=views.PersonLinkDetail),
    *record_urlpatterns("place-links", PlaceLink, detail=views.PlaceLinkDetail),
    *record_urlpatterns("", Person, list=views.PersonList, export=views.PersonExport, add=views.PersonEdit,
                        edit=views.PersonEdit, detail=views.PersonDetail),
]
