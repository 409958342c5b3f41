"""The intelligence on a person's page (the subject profile): the reports that name them, by grade and date, and
for domestic-abuse and hate-crime offenders ("men of violence", seed §8) their other criminality and
intelligence (drugs, weapons, vehicles, phones, associates): the openings for other tactics. Added to the
people module's page through the registry (platform.registry.panels_for), only as the user may see it."""

from collections import Counter

from vcdhub.audit.log import record_reads
from vcdhub.intel.choices import GRADES, LinkKind
from vcdhub.intel.models import Report, ReportLink
from vcdhub.people.choices import OFFENDER_ROLES, FlagKind
from vcdhub.people.models import CrimeRole, Flag, Person, PersonLink
from vcdhub.platform.registry import Panel

# Crime types (police.uk) that are the other criminality a violent offender may be tackled through.
OTHER_CRIMINALITY = ("Drugs", "Possession of weapons", "Robbery", "Burglary", "Vehicle crime", "Public order")
SHOWN = 50


def _assessment_order(report: Report) -> int:
    """A, B, ... (3x5x2) or 1, 2, ... (5x5x5): the surest first, ungraded last."""
    codes = [code for code, _ in GRADES.get(report.grading_scheme, {}).get("intelligence_assessment", ())]
    return codes.index(report.intelligence_assessment) if report.intelligence_assessment in codes else 99


def person_panel(user, person: Person) -> Panel | None:
    reports = list(Report.objects.restrict(user).filter(
        links__kind=LinkKind.PERSON, links__person=person).distinct()[:500])
    reports.sort(key=lambda r: (_assessment_order(r), -r.submitted_at.timestamp()))
    shown = reports[:SHOWN]
    record_reads(shown, "view")
    flags = set(Flag.objects.restrict(user).filter(person=person).values_list("kind", flat=True))
    roles = CrimeRole.objects.restrict(user).filter(person=person, role__in=OFFENDER_ROLES)
    violent = FlagKind.DA_PERPETRATOR in flags or roles.filter(owner_unit_id="csu").exists()
    context = {"person": person, "reports": shown, "more": len(reports) - len(shown), "violent": violent}
    if violent:
        from vcdhub.crime.models import Crime

        refs = list(roles.values_list("crime_ref", flat=True))
        types = Counter(Crime.objects.restrict(user).filter(crime_id__in=refs, crime_type__in=OTHER_CRIMINALITY)
                        .values_list("crime_type", flat=True))
        items = (ReportLink.objects.filter(report__in=[r.pk for r in reports],
                                           kind__in=[LinkKind.VEHICLE, LinkKind.PHONE])
                 .values_list("kind", "value").distinct())
        visible = Person.objects.restrict(user)
        associates = (PersonLink.objects.restrict(user).filter(person=person, other__in=visible).count()
                      + PersonLink.objects.restrict(user).filter(other=person, person__in=visible).count())
        context.update({"other_crimes": sorted(types.items()), "items": sorted(items),
                        "associates": associates,
                        "other_flags": sorted(flags & {FlagKind.DRUGS, FlagKind.WEAPONS, FlagKind.GANG})})
    return Panel("Intelligence", "intel/_person_panel.html", context, anchor="intelligence")
