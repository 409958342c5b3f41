"""The demo's missing persons: seeded and fictitious, loaded once, with repeat episodes from placements that
propose referrals, Herbert forms for older adults with dementia, long-term missing adults, and durations with
a long tail."""

import datetime as dt
import statistics

from django.utils import timezone

from vcdhub.audit.context import acting_as
from vcdhub.casework.models import Case
from vcdhub.demo.missing import PREFIX, load_missing
from vcdhub.missing.models import Episode, Proposal, ProtocolForm
from vcdhub.people.models import Person


def test_the_demo_histories(db):
    with acting_as("test:demo"):
        made = load_missing(today=dt.date(2026, 11, 30))
        assert load_missing() == {}  # once
    people = Person.objects.filter(source_id__startswith=PREFIX)
    assert people.count() == made["people"] and all(p.fictitious for p in people)
    cases = Case.objects.filter(kind="missing")
    assert cases.count() == made["episodes"] and all(c.fictitious for c in cases)
    assert ProtocolForm.objects.filter(kind="herbert").count() == made["herbert forms"] > 0
    assert Proposal.objects.exists()  # looked-after children's repeat episodes
    assert Episode.objects.exclude(placement_key="").values("placement_key").distinct().count() == 4
    still = cases.filter(state="missing")
    assert still.count() == made["still missing"]
    long_term = [c for c in still if (timezone.now() - c.missing_episode.last_seen_at).days > 90]
    assert len(long_term) >= 5
    hours = [(e.found_at - e.last_seen_at).total_seconds() / 3600
             for e in Episode.objects.exclude(found_at=None)]
    assert statistics.mean(hours) > statistics.median(hours) * 1.2  # a long right tail
