from django.apps import AppConfig

from vcdhub.intel.roles import REVIEWERS
from vcdhub.platform.registry import ApiEndpoint, Module, NavEntry


class IntelConfig(AppConfig):
    name = "vcdhub.intel"
    label = "intel"
    verbose_name = "Intelligence"
    registration = Module(
        name="intel",
        nav=(NavEntry("Search", "intel:search", records=True, order=11),
             NavEntry("Intelligence", "intel:report_list", records=True, order=15),
             NavEntry("To review", "intel:queue", roles=REVIEWERS, order=16),
             NavEntry("Shared with us", "intel:sharedreport_list", records=True, order=17),
             NavEntry("Proposed links", "intel:proposals", roles=REVIEWERS, order=18)),
        records=("intel.Report", "intel.Source", "intel.SourceLink", "intel.Dissemination", "intel.SharedReport",
                 "intel.LinkProposal"),
        grantable=("intel.Report", "intel.Dissemination", "intel.SharedReport"),
        urls="vcdhub.intel.urls", url_prefix="intel/",
        panels=(("person", "vcdhub.intel.profile.person_panel"),),
        api=(ApiEndpoint("intel-reports", "vcdhub.intel.api.views.ReportViewSet", "report"),
             ApiEndpoint("intel-disseminations", "vcdhub.intel.api.views.DisseminationViewSet", "dissemination"),
             ApiEndpoint("intel-shared", "vcdhub.intel.api.views.SharedReportViewSet", "sharedreport"),
             ApiEndpoint("intel-sources", "vcdhub.intel.api.views.SourceViewSet", "source"),
             ApiEndpoint("intel-proposals", "vcdhub.intel.api.views.LinkProposalViewSet", "linkproposal"),
             ApiEndpoint("intel-search", "vcdhub.intel.api.views.SearchViewSet", "intel-search"),
             ApiEndpoint("intel-network", "vcdhub.intel.api.views.LinkChartViewSet", "intel-network")),
    )

    def ready(self):
        from vcdhub.intel import jobs  # noqa: F401 - registers the link-proposal job
