from django.urls import path

from vcdhub.casework.models import Case
from vcdhub.platform.urls import record_urlpatterns
from vcdhub.ramp import views

app_name = "ramp"
urlpatterns = [
    path("priority/", views.priority_page, name="priority"),
    path("reviews/", views.reviews_page, name="reviews"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("<str:pk>/step/<str:step>/", views.case_step, name="case_step"),
    *record_urlpatterns("", Case, list=views.CaseList, add=views.Refer, detail=views.CaseDetail,
                        export=views.CaseExport),
]
