import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import make_persona
from vcdhub.crime.models import ImportBatch
from vcdhub.ingest.pipeline import run_import
from vcdhub.platform.jobs import run_pending_jobs
from vcdhub.platform.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(london, demo_file):
    paths = [demo_file(m, k) for m in ("2016-07", "2017-07") for k in ("metropolitan-street",
                                                                       "metropolitan-stop-and-search")]
    assert run_import(paths, actor="test").ok


def test_the_authority_report_as_html_and_pdf(loaded, tmp_path):
    html = tmp_path / "report.html"
    call_command("report", "authority", "--period", "2017-07", "--format", "html", "-o", str(html),
                 stdout=io.StringIO())
    text = html.read_text()
    for section in ("Targets", "Trends", "Where violence concentrates", "Equality: stop and search",
                    "Data coverage", "Definitions", "Open Government Licence"):
        assert section in text, section
    assert text.count("<tr>") > 10 and "<svg" in text
    # The footer names every import batch behind the figures, and the code version.
    for batch in ImportBatch.objects.all():
        assert batch.sha256[:12] in text
    assert "vcdhub 0.1.0" in text
    pdf = tmp_path / "report.pdf"
    call_command("report", "authority", "--period", "2017-07", "-o", str(pdf), stdout=io.StringIO())
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_top_wards_add_up(loaded):
    from vcdhub.crime.models import Crime
    from vcdhub.performance.authority import top_violence_wards
    from vcdhub.performance.engine import parse_period

    top = top_violence_wards(parse_period("2017-07"))
    crimes = Crime.objects.filter(crime_type="Violence and sexual offences", month="2017-07-01")
    assert top["total"] == crimes.count()
    first = top["rows"][0]
    assert first["n"] == crimes.filter(ward__code=first["ward__code"]).count()
    assert [r["n"] for r in top["rows"]] == sorted((r["n"] for r in top["rows"]), reverse=True)
    assert top["rows"][-1]["cumulative"] == pytest.approx(sum(r["n"] for r in top["rows"]) / top["total"] * 100)


def test_the_report_in_the_app(loaded):
    client = Client()
    client.force_login(make_persona("authority_member"))
    page = client.get("/performance/report/", {"period": "2017-07"})
    assert page.status_code == 200 and b"Counts below 5 are withheld" in page.content
    queued = client.get("/performance/report/", {"period": "2017-07", "format": "pdf"})
    assert queued.status_code == 302 and queued["Location"].startswith("/jobs/")
    assert run_pending_jobs() == 1
    job = Job.objects.get()
    assert job.status == "done" and job.result_url == f"/jobs/{job.pk}/download/", job.error
    pdf = client.get(job.result_url)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other = Client()
    other.force_login(make_persona("vcd_analyst"))
    assert other.get(job.result_url).status_code == 404  # the file is its requester's


def test_the_report_for_the_authority_counts_the_top_wards_perturbed(loaded):
    from django.db.models import Sum

    from vcdhub.crime.models import Crime
    from vcdhub.performance.authority import top_violence_wards
    from vcdhub.performance.engine import parse_period
    from vcdhub.platform.disclosure import Disclosure, perturbation_table
    from vcdhub.stats.perturbation import CellKeyPerturbation

    def perturbed(queryset) -> int:
        key_sum = queryset.aggregate(k=Sum("record_key"))["k"] or 0
        return int(CellKeyPerturbation(perturbation_table()).fit([queryset.count()], [key_sum]).perturbed_[0])

    crimes = Crime.objects.filter(crime_type="Violence and sexual offences", month="2017-07-01")
    top = top_violence_wards(parse_period("2017-07"), disclosure=Disclosure.aggregate_only())
    assert top["total"] == perturbed(crimes)
    assert all(row["n"] == perturbed(crimes.filter(ward__code=row["ward__code"])) for row in top["rows"])
    assert any(row["n"] != crimes.filter(ward__code=row["ward__code"]).count() for row in top["rows"])
    assert top["rows"][0]["share"] == pytest.approx(top["rows"][0]["n"] / top["total"] * 100)


def test_the_report_in_the_app_has_the_site_header_and_a_way_back_and_the_file_does_not(loaded, tmp_path):
    client = Client()
    client.force_login(make_persona("vcd_analyst"))
    page = client.get("/performance/report/", {"period": "2017-07", "baseline": "2016-07"}).content.decode()
    assert 'class="report-header"' in page
    assert 'href="/performance/?period=2017-07&amp;baseline=2016-07"' in page
    assert "format=pdf" in page
    html = tmp_path / "report.html"
    call_command("report", "authority", "--period", "2017-07", "--format", "html", "-o", str(html),
                 stdout=io.StringIO())
    assert 'class="report-header"' not in html.read_text()  # the standalone file and the PDF: the report alone


def test_the_appendix_is_a_compact_table_of_every_file_and_headings_stay_with_their_content(loaded, tmp_path):
    import re

    html = tmp_path / "report.html"
    call_command("report", "authority", "--period", "2017-07", "--format", "html", "-o", str(html),
                 stdout=io.StringIO())
    text = html.read_text()
    appendix = text.split('<table class="appendix">')[1].split("</table>")[0]
    batches = ImportBatch.objects.filter(month__in=["2016-07-01", "2017-07-01"])
    assert appendix.count("<tr>") == batches.count() + 1  # a row per file, and the heading row
    for batch in batches:
        assert f"<code>{batch.sha256[:12]}</code>" in appendix
    assert re.search(r"h1, h2, h3[^{]*\{[^}]*break-after: avoid", text.split("</head>")[0])


def test_every_table_of_the_report_states_its_period(loaded):
    import re

    client = Client()
    client.force_login(make_persona("authority_member"))
    html = client.get("/performance/report/", {"period": "2017-07"}).content.decode()
    tables = re.findall(r"<table[^>]*>(.*?)</table>", html, re.S)
    assert len(tables) >= 3
    for table in tables:
        caption = re.search(r"<caption>(.*?)</caption>", table, re.S)
        assert caption and re.search(r"\d{4}-\d{2}", caption.group(1)), table[:200]
