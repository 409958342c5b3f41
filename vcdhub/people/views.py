"""The people pages: search, a person's page, adding and changing what is known of them, and the review queue
for possible duplicates. Views convert and call people.actions or people.duplicates."""

import itertools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from vcdhub.access.policy import has_role, profile
from vcdhub.audit.log import record_reads
from vcdhub.people import actions, duplicates, forms
from vcdhub.people.apps import DUPLICATE_REVIEWERS, PEOPLE_EDITORS
from vcdhub.people.exports import person_row
from vcdhub.people.filtersets import FlagFilterSet, PersonFilterSet
from vcdhub.people.imports import COLUMNS
from vcdhub.people.models import CrimeRole, Flag, Person, PersonLink, PlaceLink
from vcdhub.people.tables import CrimeRoleTable, FlagTable, PersonLinkTable, PersonTable, PlaceLinkTable
from vcdhub.platform.csvsafe import csv_lines, safe_cell
from vcdhub.platform.pages import form_page
from vcdhub.platform.permissions import role_required
from vcdhub.platform.registry import panels_for
from vcdhub.platform.views import (
    RecordDetailView,
    RecordEditView,
    RecordExportView,
    RecordListView,
    clean_pk,
    visible_or_404,
)


class PersonCommon:
    model = Person
    table = PersonTable()
    change_roles = PEOPLE_EDITORS


class PersonList(PersonCommon, RecordListView):
    filterset_class = PersonFilterSet
    template_name = "people/person_list.html"

    def base_queryset(self):
        return Person.objects.order_by("surname_key", "given_key", "pk")


class PersonExport(PersonCommon, RecordExportView):
    """The search's people in the import schema, so a download imports again."""

    filterset_class = PersonFilterSet
    filename = "vcdhub-people.csv"

    def stream(self, queryset):
        people = queryset.prefetch_related("addresses", "identifiers").iterator(chunk_size=2000)
        rows = ([safe_cell(v) for v in person_row(p)] for p in people)
        return csv_lines(itertools.chain([COLUMNS], rows))


class PersonDetail(PersonCommon, RecordDetailView):
    template_name = "people/person_detail.html"
    queryset = Person.objects.select_related("merged_into")

    def get_context(self, person) -> dict:
        return person_page(self.request.user, person)


def person_page(user, person: Person) -> dict:
    """What the person's page shows: only what the user may see of each part, sensitive reads audited. A fixed
    number of queries, however many roles and links the person has."""
    from vcdhub.crime.models import Crime

    visible = Person.objects.restrict(user)
    group_ids = [p.pk for p in duplicates.merged_group(person)]
    group = list(visible.filter(pk__in=group_ids).prefetch_related(
        "other_names", "identifiers", "addresses__lsoa__ward", "addresses__lsoa__borough").order_by("pk"))
    group.sort(key=lambda p: p.pk != person.pk)  # the record asked for first
    ids = [p.pk for p in group]
    flags = list(Flag.objects.restrict(user).filter(person__in=ids).select_related("person")
                 .order_by("kind", "-flagged_on"))
    roles = list(CrimeRole.objects.restrict(user).filter(person__in=ids).select_related("person")
                 .order_by("-recorded_on", "pk"))
    refs = {r.crime_ref for r in roles}
    crimes = {c.crime_id: c for c in Crime.objects.restrict(user).filter(crime_id__in=refs)
              .select_related("ward", "borough")}
    others = list(CrimeRole.objects.restrict(user).filter(crime_ref__in=refs).exclude(person__in=ids)
                  .select_related("person"))
    links_out = list(PersonLink.objects.restrict(user).filter(person__in=ids).select_related("person", "other"))
    links_in = list(PersonLink.objects.restrict(user).filter(other__in=ids).select_related("person", "other"))
    shown = set(visible.filter(pk__in={r.person_id for r in others} | {link.other_id for link in links_out}
                               | {link.person_id for link in links_in}).values_list("pk", flat=True))
    others = [r for r in others if r.person_id in shown]
    links = [link for link in links_out if link.other_id in shown] + [
        link for link in links_in if link.person_id in shown]
    together: dict[str, list] = {}
    for other in others:
        together.setdefault(other.crime_ref, []).append(other)
    places = list(PlaceLink.objects.restrict(user).filter(person__in=ids).select_related("person", "lsoa"))
    record_reads([*group[1:], *flags, *roles, *links, *places, *others], "view")
    numbered = [{"role": r, "crime": crimes.get(r.crime_ref), "together": together.get(r.crime_ref, [])}
                for r in roles]
    points = []
    for item in numbered:
        crime = item["crime"]
        if crime is not None and crime.latitude is not None and crime.longitude is not None:
            item["n"] = len(points) + 1
            points.append({"n": item["n"], "lat": crime.latitude, "lon": crime.longitude,
                           "label": f"{item['role'].get_role_display()}: {crime.crime_type}, {crime.location}"})
    return {
        "person": person, "group": group, "flags": flags,
        "roles": numbered, "points": points, "tile_url": settings.VCDHUB_TILE_URL,
        "tile_attribution": settings.VCDHUB_TILE_ATTRIBUTION,
        "links": links, "places": places,
        "names": [n for p in group for n in p.other_names.all()],
        "identifiers": [i for p in group for i in p.identifiers.all()],
        "addresses": sorted((a for p in group for a in p.addresses.all()),
                            key=lambda a: (a.date_from is None, a.date_from)),
        "may_review": has_role(user, *DUPLICATE_REVIEWERS), "parts": PARTS,
        "panels": panels_for("person", user, person),
    }


class PersonEdit(PersonCommon, RecordEditView):
    template_name = "people/person_form.html"

    def get_form(self, data=None, obj=None):
        units = sorted(profile(self.request.user).units)
        if obj is None:
            return forms.PersonForm(data, units=units)
        initial = {"source_id": obj.source_id, "given_name": obj.given_name, "surname": obj.surname,
                   "date_of_birth": obj.date_of_birth, "birth_estimated": obj.birth_estimated,
                   "sex": obj.sex, "self_defined_ethnicity": obj.self_defined_ethnicity,
                   "officer_defined_ethnicity": obj.officer_defined_ethnicity, "description": obj.description,
                   "distinguishing_marks": obj.distinguishing_marks}
        return forms.PersonEditForm(data, initial=initial, units=units)

    def save(self, form, obj):
        return actions.save_person(self.request.user, form.values(), obj)


# --- adding to a person: names, identifiers, addresses, flags, crime roles, links ------------------------------

def _other_person(user, values):
    other = Person.objects.restrict(user).filter(source_id=values.pop("other", "")).first()
    if other is None:
        raise ValidationError({"other": ["No person you may see has that source id."]})
    return other


PARTS = {
    "names": ("Add a name", forms.NameForm,
              lambda user, person, v: actions.add_name(user, person, **v)),
    "identifiers": ("Add an identifier", forms.IdentifierForm,
                    lambda user, person, v: actions.add_identifier(user, person, **v)),
    "addresses": ("Add an address", forms.AddressForm, actions.add_address),
    "flags": ("Add a flag", forms.FlagForm, actions.add_flag),
    "roles": ("Add a role in a crime", forms.CrimeRoleForm, actions.add_crime_role),
    "links": ("Link to another person", forms.PersonLinkForm,
              lambda user, person, v: actions.link_people(user, person, _other_person(user, v), v)),
    "places": ("Link to a place", forms.PlaceLinkForm, actions.link_place),
}
def _form(form_class, data, user):
    if issubclass(form_class, forms.MarkingForm):
        return form_class(data, units=sorted(profile(user).units))
    return form_class(data)


@role_required(*sorted(PEOPLE_EDITORS))
def add_to_person(request, pk, part):
    """One page for each thing added to a person: the part's form, then its action."""
    if part not in PARTS:
        raise Http404("Nothing of that kind is added to a person.")
    title, form_class, action = PARTS[part]
    person = visible_or_404(request.user, Person, pk, "edit")
    form = _form(form_class, request.POST if request.method == "POST" else None, request.user)
    return form_page(request, form, lambda values: action(request.user, person, values),
                     template="people/add_to_person.html", context={"title": title, "person": person},
                     done=f"{title.removeprefix('Add ').capitalize()} saved.",
                     success_url=reverse("people:person_detail", args=[person.pk]))


# --- the marked parts' own pages (history, access requests and the API point here) ----------------------------

class FlagDetail(RecordDetailView):
    model, table = Flag, FlagTable()
    queryset = Flag.objects.select_related("person")


class FlagList(RecordListView):
    """Flags the user may see, soonest review first: what is overdue, what falls due."""

    model, table = Flag, FlagTable()
    filterset_class = FlagFilterSet
    queryset = Flag.objects.select_related("person").order_by("review_on", "pk")


class FlagExport(FlagList, RecordExportView):
    filename = "vcdhub-flags.csv"


class CrimeRoleDetail(RecordDetailView):
    model, table = CrimeRole, CrimeRoleTable()
    queryset = CrimeRole.objects.select_related("person")


class PersonLinkDetail(RecordDetailView):
    model, table = PersonLink, PersonLinkTable()
    queryset = PersonLink.objects.select_related("person", "other")


class PlaceLinkDetail(RecordDetailView):
    model, table = PlaceLink, PlaceLinkTable()
    queryset = PlaceLink.objects.select_related("person", "lsoa")


# --- possible duplicates ---------------------------------------------------------------------------------------

@role_required(*sorted(DUPLICATE_REVIEWERS))
def duplicate_queue(request):
    if request.method == "POST":  # score the register again, in the background, over the people they may see
        from vcdhub.platform.jobs import enqueue

        return redirect("job", pk=enqueue("people.duplicates", user=request.user, threshold=0.9).pk)
    pairs = list(duplicates.queue_for(request.user)[:200])
    record_reads([p for pair in pairs for p in (pair.left, pair.right)], "list")
    return render(request, "people/duplicate_queue.html", {"pairs": pairs})


@role_required(*sorted(DUPLICATE_REVIEWERS))
def duplicate_pair(request, pk):
    from vcdhub.people.models import DuplicatePair

    value = clean_pk(DuplicatePair, pk)
    pair = DuplicatePair.objects.filter(pk=value).select_related("left", "right").first() if value else None
    if pair is None:
        raise Http404("No such pair.")
    left = visible_or_404(request.user, Person, pair.left_id, "view")
    right = visible_or_404(request.user, Person, pair.right_id, "view")
    form = forms.DecisionForm(request.POST if request.method == "POST" else None)
    sides = [(left, person_row(left)), (right, person_row(right))]
    return form_page(request, form, lambda values: duplicates.decide(request.user, pair, **values),
                     template="people/duplicate_pair.html", context={
                         "pair": pair, "sides": sides,
                         "rows": [(label, sides[0][1][i], sides[1][1][i]) for i, label in enumerate(COLUMN_LABELS)]},
                     done=lambda: f"Decision recorded: {pair.get_status_display().lower()}.",
                     success_url=reverse("people:duplicates"))


COLUMN_LABELS = [c.replace("_", " ").capitalize() for c in COLUMNS]


@role_required(*sorted(DUPLICATE_REVIEWERS))
def undo_merge(request, pk):
    person = visible_or_404(request.user, Person, pk, "edit")
    form = forms.UndoMergeForm(request.POST if request.method == "POST" else None)
    return form_page(request, form, lambda values: duplicates.undo_merge(request.user, person, **values),
                     template="people/undo_merge.html", context={"person": person},
                     done="The record stands alone again.",
                     success_url=reverse("people:person_detail", args=[person.pk]))
