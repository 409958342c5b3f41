"""The equality page and the authority report's equality section through the one disclosure policy (issue 11):
aggregate-only readers got raw small counts (2 searches and a 0% arrest rate; 7 weapons searches with a 14.3%
arrest rate). Now their counts are perturbed by the records' keys, small cells are withheld after perturbation,
and so is every rate or ratio resting on one; readers of records count exactly the open records they may see."""

import html
import re

import numpy as np
import pytest
from django.db.models import Sum

from tests.conftest import make_persona
from tests.kit import client_for
from tests.test_csp import inline_code
from tests.test_equality_figures import BRENT, JULY, JUNE, LAMBETH, LONDON_BOROUGHS, add_searches, census, report
from vcdhub.access.models import VisibilityRule
from vcdhub.audit.context import acting_as
from vcdhub.crime.models import StopSearch
from vcdhub.platform.disclosure import Disclosure, perturbation_table
from vcdhub.stats.perturbation import CellKeyPerturbation

pytestmark = pytest.mark.django_db
WEAPONS = "Offensive weapons"


def noisy(n: int, key_sum: int) -> int:
    """A count as an aggregate-only reader gets it, worked out from the ptable here."""
    return int(CellKeyPerturbation(perturbation_table()).fit([n], [key_sum]).perturbed_[0])


def perturbed(queryset) -> int:
    return noisy(queryset.count(), queryset.aggregate(k=Sum("record_key"))["k"] or 0)


def key_making_it_small(n: int) -> int:
    """A record key that, with n - 1 records keyed 0, leaves a cell of n perturbed to 1..4 (withheld)."""
    return next(k for k in range(256) if 1 <= noisy(n, k) <= 4)


@pytest.fixture
def small_groups(london):
    """Lambeth and Brent in one month: large White and Black groups, 2 Asian searches, and 7 Black weapons
    searches with one arrest, keyed so that the small cells stay small after perturbation."""
    add_searches(JULY, LAMBETH, 34, "White")
    add_searches(JULY, LAMBETH, 6, "White", outcome="Arrest")
    add_searches(JULY, LAMBETH, 25, "Black")
    add_searches(JULY, LAMBETH, 5, "Black", outcome="Suspect arrested")
    add_searches(JULY, LAMBETH, 2, "Asian", keys=[key_making_it_small(2), 0])
    add_searches(JULY, LAMBETH, 6, "Black", obj=WEAPONS)
    add_searches(JULY, LAMBETH, 1, "Black", obj=WEAPONS, outcome="Arrest", keys=[key_making_it_small(1)])
    add_searches(JULY, BRENT, 20, "White")
    add_searches(JULY, BRENT, 25, "Black")


def cells_of(page_html: str, caption_start: str) -> dict[str, list[str]]:
    """A table's rows by group, each a list of its cells' texts, from the page."""
    table = re.search(rf"<caption>{re.escape(caption_start)}.*?</table>", page_html, flags=re.S).group(0)
    result = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
                 for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        result[re.sub(r"\s*\(?too few to judge\)?", "", cells[0])] = cells[1:]
    return result


def test_an_authority_member_sees_small_groups_withheld_and_the_rates_resting_on_them(small_groups):
    page = client_for(make_persona("authority_member")).get("/equality/", {"month_from": JULY, "month_to": JULY})
    text = html.unescape(page.content.decode())
    assert page.context["report"]["perturbed"] and "cell key perturbation" in text
    # The force's table (Lambeth and Brent) and Lambeth's: Asian, 2 searches, withheld with its rates.
    for caption in ("Metropolitan Police Service, officer-defined", "Lambeth, officer-defined"):
        asian = cells_of(page.content.decode(), caption)["Asian"]
        searches, _, rate, ratio, arrest_rate, find_rate, rri = asian
        assert searches == "withheld (fewer than 5)", asian
        assert all(cell.startswith("withheld") for cell in (rate, ratio, arrest_rate, find_rate, rri)), asian
    # The weapons split: 7 Black searches are shown (perturbed), their one arrest is not, nor the arrest rate.
    weapons = cells_of(page.content.decode(), "Metropolitan Police Service, Weapons and firearms")["Black"]
    black = StopSearch.objects.filter(officer_defined_ethnicity="Black", object_of_search=WEAPONS)
    assert weapons[0] == f"{perturbed(black):,}"
    assert weapons[4] == "withheld: fewer than 5 arrests" and weapons[6].startswith("withheld")
    assert "14.3%" not in text
    # Rates are worked out from perturbed counts: the force's Black rate, independently.
    force = page.context["report"]["forces"][0]
    blacks = StopSearch.objects.filter(officer_defined_ethnicity="Black")
    pop = census(LAMBETH)["Black"] + census(BRENT)["Black"]
    row = next(r for r in force["officer"]["rows"] if r["group"] == "Black")
    assert row["searches"] == perturbed(blacks)
    assert row["rate"] == pytest.approx(perturbed(blacks) / pop * 1000, rel=1e-12)
    assert row["arrests"] == perturbed(blacks.filter(outcome__in=["Arrest", "Suspect arrested"]))
    # The page keeps to the CSP: no style attribute, no inline script.
    found = inline_code(page.content.decode())
    assert not (found.scripts or found.handlers or found.style_attributes)


def test_readers_of_records_see_exact_counts_of_small_groups(small_groups):
    page = client_for(make_persona("vcd_analyst")).get("/equality/", {"month_from": JULY, "month_to": JULY})
    assert not page.context["report"]["perturbed"] and "cell key perturbation" not in page.content.decode()
    asian = cells_of(page.content.decode(), "Lambeth, officer-defined")["Asian"]
    assert asian[0] == "2" and asian[4].startswith("0.0%")
    weapons = cells_of(page.content.decode(), "Metropolitan Police Service, Weapons and firearms")["Black"]
    assert weapons[0] == "7" and weapons[4].startswith("14.3%")


def test_the_authority_report_for_aggregate_only_readers_withholds_small_groups(small_groups):
    from vcdhub.performance.authority import build_context, render_html
    from vcdhub.performance.engine import parse_period

    protected = render_html(build_context(parse_period(JULY), aggregate_only=True))
    asian = cells_of(protected, "Metropolitan Police Service, all searches")["Asian"]
    assert asian[0] == "withheld (fewer than 5)" and all(c.startswith("withheld") for c in asian[1:]), asian
    weapons = cells_of(protected, "Metropolitan Police Service, Weapons and firearms")["Black"]
    assert weapons[3].startswith("withheld") and weapons[4].startswith("withheld")
    exact = render_html(build_context(parse_period(JULY)))
    assert cells_of(exact, "Metropolitan Police Service, all searches")["Asian"][0] == "2"


# --- differencing ---------------------------------------------------------------------------------------------------

@pytest.fixture
def asian_by_borough(london):
    """30 boroughs: Asian searches 20 to 40 in June and 1 to 4 (withheld) in July, keys from a seeded generator."""
    rng = np.random.default_rng(20261130)
    truth = {}
    for code in LONDON_BOROUGHS[:30]:
        for month, (low, high) in ((JUNE, (20, 41)), (JULY, (1, 5))):
            n = int(rng.integers(low, high))
            truth[(code, month)] = n
            add_searches(month, code, n, "Asian", keys=[int(k) for k in rng.integers(0, 256, n)])
            add_searches(month, code, 10, "White", keys=[int(k) for k in rng.integers(0, 256, 10)])
    return truth


def _asian(result: dict) -> dict[str, int | None]:
    return {b["code"]: next(r["searches"] for r in b["officer"]["rows"] if r["group"] == "Asian")
            for b in result["boroughs"]}


def test_two_periods_differenced_do_not_give_back_a_withheld_month(asian_by_borough):
    """June..July less June is July: with withholding only, every withheld July cell comes back exactly; with
    perturbation, most come back wrong, and nothing says which."""

    def attack(disclosure: Disclosure) -> float:
        july, june = (_asian(report(month, month, disclosure=disclosure)) for month in (JULY, JUNE))
        both = _asian(report(JUNE, JULY, disclosure=disclosure))
        withheld = [code for code, n in july.items() if n is None]
        assert len(withheld) >= 20
        return sum(both[c] - june[c] == asian_by_borough[(c, JULY)] for c in withheld) / len(withheld)

    assert attack(Disclosure(5)) == 1.0  # the control: the old rule gives every withheld cell back
    assert attack(Disclosure.aggregate_only()) < 0.5
    # The page an authority member opens is the protected one.
    page = client_for(make_persona("authority_member")).get("/equality/", {"month_from": JUNE, "month_to": JULY})
    assert _asian(page.context["report"]) == _asian(report(JUNE, JULY, disclosure=Disclosure.aggregate_only()))


# --- readers of records ---------------------------------------------------------------------------------------------

def test_readers_of_records_count_only_the_open_records_they_may_see(london):
    add_searches(JULY, LAMBETH, 20, "Black")
    add_searches(JULY, LAMBETH, 20, "White")
    # OFFICIAL-SENSITIVE searches of another unit: in no one's equality counts (the open channel).
    add_searches(JULY, LAMBETH, 3, "Black", owner_unit_id="csu", sensitivity="OFFICIAL-SENSITIVE")
    analyst, borough = make_persona("vcd_analyst"), make_persona("borough_analyst")

    def black(user) -> int | None:
        result = client_for(user).get("/equality/", {"month_from": JULY, "month_to": JULY}).context["report"]
        return next((r["searches"] for f in result["forces"] for r in f["officer"]["rows"] if r["group"] == "Black"),
                    None)

    assert black(analyst) == 20 and black(borough) == 20
    with acting_as("test:setup"):
        VisibilityRule.objects.filter(scope="other_units").update(enabled=False)
    # The police.uk records belong to the VCD analysts' unit: the Lambeth borough analyst may no longer open them,
    # so no count of theirs may include them.
    assert not StopSearch.objects.restrict(borough).exists()
    assert black(borough) is None and black(analyst) == 20
