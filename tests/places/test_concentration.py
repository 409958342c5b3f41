import csv
import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import read_rows
from vcdhub.geography.loader import BUNDLED_LOOKUP
from vcdhub.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db
MONTHS = ("2017-05", "2017-06", "2017-07")


def _independent(demo_file, crime_type: str, share: float):
    """From the raw files and the ONS lookup, without the database."""
    with open(BUNDLED_LOOKUP, encoding="utf-8-sig") as f:
        ward_of = {r["LSOA11CD"]: r["WD19CD"] for r in csv.DictReader(f)}
    counts, covered = Counter(), set()
    for month in MONTHS:
        for kind in ("metropolitan-street", "btp-street"):
            _, rows = read_rows(demo_file(month, kind))
            for r in rows:
                ward = ward_of.get(r[7])
                covered.add(ward)
                if r[9] == crime_type and ward:
                    counts[ward] += 1
    ranked = sorted(((w, counts[w]) for w in covered if w), key=lambda item: (-item[1], item[0]))
    total, running, needed = sum(counts.values()), 0, 0
    for needed, (_, n) in enumerate(ranked, start=1):  # noqa: B007 - the count is the answer
        running += n
        if running >= share * total:
            break
    return total, needed, ranked[:needed]


def test_concentration_matches_an_independent_computation(london, demo_file):
    assert run_import([demo_file(m, k) for m in MONTHS for k in ("metropolitan-street", "btp-street")],
                      actor="test").ok
    out = io.StringIO()
    call_command("analyse", "concentration", "--crime-type", "Robbery", "--from", MONTHS[0], "--to", MONTHS[-1],
                 "--level", "ward", "--share", "0.2", "--json", stdout=out)
    result = json.loads(out.getvalue())
    total, needed, top = _independent(demo_file, "Robbery", 0.2)
    assert (result["total"], result["areas_needed"]) == (total, needed)
    assert [(a["code"], a["count"]) for a in result["areas"]] == top
    assert result["areas"][-1]["cumulative_share"] >= 0.2 > result["areas"][-2]["cumulative_share"]
    assert 0 < result["gini"] < 1 and result["unplaced"] == 0


def test_bad_arguments_are_usage_errors(london):
    for args in (["--crime-type", "Jaywalking"], ["--crime-type", "Robbery", "--share", "1.5"],
                 ["--crime-type", "Robbery", "--from", "2017-08"]):
        base = {"--from": "2017-01", "--to": "2017-06"}
        argv = list(args)
        for flag, value in base.items():
            if flag not in argv:
                argv += [flag, value]
        with pytest.raises(CommandError) as caught:
            call_command("analyse", "concentration", *argv, stdout=io.StringIO())
        assert caught.value.returncode == 2
