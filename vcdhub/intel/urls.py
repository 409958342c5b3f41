from django.urls import path

from vcdhub.intel import views
from vcdhub.intel.models import Dissemination, LinkProposal, Report, SharedReport, Source, SourceLink
from vcdhub.platform.urls import record_urlpatterns

app_name = "intel"
urlpatterns = [
    path("queue/", views.review_queue, name="queue"),
    path("search/", views.search_page, name="search"),
    path("network/<str:pk>/", views.link_chart, name="link_chart"),
    path("proposals/", views.proposal_queue, name="proposals"),
    path("proposals/<str:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("<str:pk>/step/<str:step>/", views.report_step, name="report_step"),
    *record_urlpatterns("sources", Source, list=views.SourceList, detail=views.SourceDetail, add=views.SourceAdd),
    *record_urlpatterns("proposals", LinkProposal, detail=views.LinkProposalDetail),
    *record_urlpatterns("source-links", SourceLink, detail=views.SourceLinkDetail),
    *record_urlpatterns("disseminations", Dissemination, list=views.DisseminationList,
                        detail=views.DisseminationDetail),
    *record_urlpatterns("shared", SharedReport, list=views.SharedReportList, detail=views.SharedReportDetail),
    *record_urlpatterns("", Report, list=views.ReportList, export=views.ReportExport, add=views.ReportSubmit,
                        detail=views.ReportDetail),
]
