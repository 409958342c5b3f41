"""The missing-persons figures (and `vcdhub report missing`) against a small history worked out by hand: people
outstanding and children on a date, by grade as it stood then, overdue reviews and interviews as of then, and the
published, perturbed figures an authority member gets."""

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tests.missing.factories import as_, child, report
from tests.people.factories import make_person
from vcdhub.missing import actions
from vcdhub.missing.dashboard import figures

LONDON = ZoneInfo("Europe/London")
TIMING = {"review_hours": {"high": 2, "medium": 8, "low": 24, "very_low": 72},
          "supervision_hours": {"high": 6, "medium": 24, "low": 72, "very_low": 168},
          "interview_hours": {"high": 24, "medium": 72, "low": 72, "very_low": 72}}


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=LONDON)


@pytest.fixture
def history(personas):
    """Four episodes in November 2026 (each reviewed and supervised as they say):
    - 1: a child (15), reported on the 2nd, graded high on the 10th, still missing;
    - 2: an adult, reported on the 3rd (low), found on the 5th, interviewed on the 6th, closed;
    - 3: a child (12), reported on the 20th (medium), still missing, reviewed by a supervisor every day;
    - 4: an adult, reported on the 21st (very low), found on the 22nd, no interview yet.
    """
    worker, supervisor = personas["compass_officer"], personas["compass_supervisor"]
    with override_settings(VCDHUB_MISSING_TIMING=TIMING):
        one = report(worker, subject=child(age=15), grade="low", now=at(2), last_seen_at=at(2, 9))
        as_(worker, lambda: actions.regrade(worker, one, {"grade": "high", "reason": "Seen with older men."},
                                            now=at(10)))
        two = report(worker, subject=make_person("compass", "OFFICIAL", birth_year=1970), grade="low", now=at(3),
                     last_seen_at=at(3, 8))
        as_(worker, lambda: actions.found(worker, two, {"found_at": at(5), "found_how": "returned",
                                                        "found_place": "Home", "reason": "Came home."}, now=at(5)))
        two.refresh_from_db()
        as_(worker, lambda: actions.close(worker, two, {"interview_at": at(6), "interview_by": "PC Ray",
                                                        "interview_summary": "Stayed with a friend."}, now=at(6)))
        three = report(worker, subject=child(age=12), grade="medium", now=at(20), last_seen_at=at(20, 10))
        for day in range(21, 30):
            as_(supervisor, lambda day=day: actions.review(supervisor, three, {"summary": "No news."},
                                                           now=at(day, 11)))
        four = report(worker, subject=make_person("compass", "OFFICIAL", birth_year=1960), grade="very_low",
                      now=at(21), last_seen_at=at(21, 6))
        as_(worker, lambda: actions.found(worker, four, {"found_at": at(22), "found_how": "by_police",
                                                         "found_place": "A park", "reason": "Found asleep."},
                                          now=at(22)))
    return personas


@override_settings(VCDHUB_MISSING_TIMING=TIMING)
def test_figures_on_a_date_from_the_history(history):
    worker = history["compass_officer"]
    # On the 4th: episodes 1 (low then) and 2 (missing); both reviews long overdue (24 h for low).
    f = figures(worker, as_of=dt.date(2026, 11, 4))
    assert (f["outstanding"], f["children"]) == (2, 1)
    assert f["by_risk"] == {"high": 0, "medium": 0, "low": 2, "very_low": 0}
    assert f["overdue_reviews"] == 2 and f["overdue_interviews"] == 0
    # At the end of the 21st: 1 is high since the 10th and not reviewed since (due 2 h later): overdue. 3 is medium,
    # last reviewed on the 21st at 11:00: its next review fell due at 19:00, before midnight: overdue too.
    f = figures(worker, as_of=dt.date(2026, 11, 21))
    assert (f["outstanding"], f["children"]) == (3, 2)  # 1, 3 and 4 (found only on the 22nd)
    assert f["by_risk"] == {"high": 1, "medium": 1, "low": 0, "very_low": 1}
    assert f["overdue_reviews"] == 2  # 1 and 3; 4's very-low review is 72 h away
    # On the 26th: 4 found on the 22nd, its interview due by the 25th at 12:00 and not held: overdue.
    f = figures(worker, as_of=dt.date(2026, 11, 26))
    assert (f["outstanding"], f["children"], f["overdue_interviews"]) == (2, 2, 1)
    assert f["episodes_by_month"]["2026-11"] == 4 and f["episodes_by_month"]["2026-10"] == 0


@override_settings(VCDHUB_MISSING_TIMING=TIMING)
def test_another_unit_counts_nothing_and_the_authority_gets_published_figures(history):
    f = figures(history["csu_investigator"], as_of=dt.date(2026, 11, 21))
    assert f["outstanding"] == 0 and not f["perturbed"]
    published = figures(history["authority_member"], as_of=dt.date(2026, 11, 21))
    assert published["perturbed"]
    # Three, perturbed by at most two: withheld unless the noise lifts it to the minimum of five.
    assert published["outstanding"] in (None, 5)
    assert all(row["placement"].startswith("Placement") for row in published["top_placements"])
    assert all(row["found_within"] is None for row in published["time_to_found"])  # too few for a curve


@override_settings(VCDHUB_MISSING_TIMING=TIMING)
def test_the_report_command_prints_the_same_figures(history):
    out = io.StringIO()
    call_command("report", "missing", "--as-of", "2026-11-21", "--user", "compass_officer", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["outstanding"] == 3 and printed["children"] == 2 and printed["overdue_reviews"] == 2
    assert printed["by_risk"]["high"] == 1
    table = io.StringIO()
    call_command("report", "missing", "--as-of", "2026-11-21", "--user", "compass_officer", stdout=table)
    assert "Of whom children" in table.getvalue()
    with pytest.raises(CommandError):
        call_command("report", "missing", "--as-of", "21/11/2026", stdout=io.StringIO())


def test_the_export_command_writes_what_the_user_may_see(history, tmp_path):
    out = tmp_path / "episodes.csv"
    call_command("missing", "export", "-o", str(out), "--user", "compass_officer", stderr=io.StringIO())
    lines = out.read_text().splitlines()
    assert lines[0].startswith("reference,") and len(lines) == 5
    call_command("missing", "export", "-o", str(out), "--user", "csu_investigator", "--state", "missing",
                 stderr=io.StringIO())
    assert len(out.read_text().splitlines()) == 1


def test_every_label_of_the_time_axis_fits_inside_the_chart():
    from vcdhub.missing.dashboard import CURVE_HOURS, chart

    drawn = chart({"curve_hours": list(CURVE_HOURS), "time_to_found": []})
    for tick in drawn["x_ticks"]:
        width = 6.5 * len(tick["label"])  # 11 px text: about 6.5 px a character, generously
        left, right = {"middle": (tick["x"] - width / 2, tick["x"] + width / 2),
                       "end": (tick["x"] - width, tick["x"]), "start": (tick["x"], tick["x"] + width)}[tick["anchor"]]
        assert 0 <= left and right <= drawn["width"], tick  # "28 days" was cut to "28 day" at the right edge
