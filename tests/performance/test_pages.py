import pytest
from django.test import Client

from tests.conftest import make_persona
from vcdhub.audit.models import AuditEntry
from vcdhub.performance.engine import monthly_trend, parse_period
from vcdhub.performance.indicators import parse_targets
from vcdhub.performance.models import TargetSet

pytestmark = pytest.mark.django_db

ROBBERY = "[[indicator]]\nname='Robbery'\nkind='reduction'\ncrime_types=['Robbery']\ntarget=7\n"


def test_trend_starts_at_the_first_loaded_month_and_marks_a_spike(make_crimes):
    for month in ("2017-01", "2017-02", "2017-03", "2017-04", "2017-05", "2017-06", "2017-07"):
        make_crimes(month, "Robbery", 40 if month == "2017-06" else 10 + int(month[-1]) % 2)
    targets = parse_targets(ROBBERY)
    period = parse_period("2016-01..2017-07")
    trend = monthly_trend(targets.indicators[0], targets, period.start, period.end)
    assert trend.months[0] == "2017-01" and len(trend.counts) == 7
    assert trend.signals == [5]  # June's 40 against about 10 a month


def test_performance_page_and_editing_targets(make_crimes):
    make_crimes("2016-07", "Robbery", 20)
    make_crimes("2017-07", "Robbery", 10)
    supervisor, analyst = make_persona("vcd_supervisor"), make_persona("vcd_analyst")
    client = Client()
    client.force_login(analyst)
    page = client.get("/performance/", {"period": "2017-07"})
    rows = {r.name: r for r in page.context["results"]}
    assert rows["Personal robbery"].current_count == 10 and rows["Personal robbery"].baseline_count == 20
    assert client.get("/performance/targets/").status_code == 403
    assert "period" in client.get("/performance/", {"period": "2017-13"}).context["form"].errors

    client.force_login(supervisor)
    bad = client.post("/performance/targets/", {"toml": ROBBERY.replace("reduction", "reducton"), "reason": "x"})
    assert "'kind' must be one of" in " ".join(bad.context["problems"])
    assert not TargetSet.objects.exists()
    client.post("/performance/targets/", {"toml": ROBBERY, "reason": "one indicator for the pilot"})
    page = client.get("/performance/", {"period": "2017-07"})
    assert [r.name for r in page.context["results"]] == ["Robbery"]
    entry = AuditEntry.objects.get(object_type="performance.targetset")
    assert entry.reason == "one indicator for the pilot" and entry.actor == "user:vcd_supervisor"


def test_authority_members_do_not_see_small_counts(make_crimes):
    # Perturbed, 1 is 0 to 2 and 2 is 0 to 4 (docs/disclosure.md): small, or zero, whatever the record keys.
    make_crimes("2016-07", "Robbery", 1)
    make_crimes("2017-07", "Robbery", 2)
    client = Client()
    client.force_login(make_persona("authority_member"))
    row = {r.name: r for r in client.get("/performance/", {"period": "2017-07"}).context["results"]}[
        "Personal robbery"]
    assert row.verdict in ("withheld", "no data")  # "no data" when both perturb to zero
    assert (row.current_count, row.baseline_count, row.current_value, row.change_pct) == (None, None, None, None)
    client.force_login(make_persona("vcd_analyst"))
    rows = {r.name: r for r in client.get("/performance/", {"period": "2017-07"}).context["results"]}
    assert rows["Personal robbery"].current_value == 2


def _perturbed(queryset) -> int:
    """The count an aggregate-only reader should see, worked out here from the records' keys and the ptable."""
    from django.db.models import Sum

    from vcdhub.platform.disclosure import perturbation_table
    from vcdhub.stats.perturbation import CellKeyPerturbation

    key_sum = queryset.aggregate(k=Sum("record_key"))["k"] or 0
    return int(CellKeyPerturbation(perturbation_table()).fit([queryset.count()], [key_sum]).perturbed_[0])


def test_authority_members_get_perturbed_counts_and_rates_worked_out_from_them(make_crimes):
    from vcdhub.crime.models import Crime
    from vcdhub.stats.rates import rate_ratio

    make_crimes("2016-07", "Robbery", 40)
    make_crimes("2017-07", "Robbery", 31)
    before, now = (_perturbed(Crime.objects.filter(month=m)) for m in ("2016-07-01", "2017-07-01"))
    client = Client()
    client.force_login(make_persona("authority_member"))
    page = client.get("/performance/", {"period": "2017-07"})
    row = {r.name: r for r in page.context["results"]}["Personal robbery"]
    assert (row.baseline_count, row.current_count) == (before, now)
    assert row.change_pct == pytest.approx(rate_ratio(now, before, 1, 1, 0.95).change_pct)
    assert b'id="perturbed-note"' in page.content
    # Readers of records see the exact counts, and no such note.
    client.force_login(make_persona("vcd_analyst"))
    page = client.get("/performance/", {"period": "2017-07"})
    row = {r.name: r for r in page.context["results"]}["Personal robbery"]
    assert (row.baseline_count, row.current_count) == (40, 31) and b'id="perturbed-note"' not in page.content

