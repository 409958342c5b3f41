from django.urls import path

from vcdhub.casework.models import Case
from vcdhub.missing import views
from vcdhub.platform.urls import record_urlpatterns

app_name = "missing"
urlpatterns = [
    path("queue/", views.queue_page, name="queue"),
    path("patterns/", views.groups_page, name="groups"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("<str:pk>/step/<str:step>/", views.case_step, name="case_step"),
    *record_urlpatterns("", Case, list=views.CaseList, add=views.Report, detail=views.CaseDetail,
                        export=views.CaseExport),
]
