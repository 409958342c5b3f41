from django.urls import path

from vcdhub.casework import views
from vcdhub.casework.models import CaseAction, Meeting
from vcdhub.platform.urls import record_urlpatterns

app_name = "casework"
urlpatterns = [
    path("actions/", views.queue, name="queue"),
    path("actions/<str:pk>/complete/", views.complete_action, name="action_complete"),
    path("actions/<str:pk>/cancel/", views.cancel_action, name="action_cancel"),
    path("meetings/calendar.ics", views.meeting_calendar, name="meeting_calendar"),
    path("meetings/<str:pk>/minutes.pdf", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<str:pk>/attendees/", views.meeting_attendee, name="meeting_attendee"),
    path("meetings/<str:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("meetings/<str:pk>/items/<str:item>/discussion/", views.item_discuss, name="item_discuss"),
    path("meetings/<str:pk>/items/<str:item>/decision/", views.item_decide, name="item_decide"),
    path("meetings/<str:pk>/items/<str:item>/action/", views.item_action, name="item_action"),
    *record_urlpatterns("actions", CaseAction, detail=views.CaseActionDetail),
    *record_urlpatterns("meetings", Meeting, list=views.MeetingList, add=views.MeetingAdd,
                        detail=views.MeetingDetail),
]
