"""The one place visibility is decided. Every view, export, API call and analysis input goes through
`restrict()` (or `RestrictedQuerySet.restrict`), so a rule changed here changes everywhere at once.

A user sees a record when an enabled VisibilityRule for one of their roles reaches the record's unit
and marking, or an active AccessGrant names the record (or its unit), and the record's model does not narrow
that further (`visibility_limit`); or the record is addressed to the user's unit (`visibility_also`: a case-work
action to its owner). Nobody is exempt: superusers and administrators see records by the same rules.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from vcdhub.access.choices import SENSITIVITY_ORDER, Scope
from vcdhub.access.models import AccessGrant, Membership, RoleAssignment, VisibilityRule

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class AccessProfile:
    units: frozenset[str]
    roles: frozenset[str]
    rules: tuple[VisibilityRule, ...]


def profile(user) -> AccessProfile:
    """The user's units, roles and applicable rules; cached on the user object for one request."""
    cached = getattr(user, "_vcdhub_access", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        result = AccessProfile(frozenset(), frozenset(), ())
    else:
        units = frozenset(Membership.objects.filter(user=user).values_list("unit__code", flat=True))
        roles = frozenset(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        rules = tuple(r for r in VisibilityRule.objects.filter(enabled=True) if roles & set(r.roles))
        result = AccessProfile(units, roles, rules)
    try:
        user._vcdhub_access = result
    except AttributeError:
        pass
    return result


def forget(user) -> None:
    """Drop the cached profile, after the user's units, roles, rules or grants change."""
    for cached in ("_vcdhub_access", "_vcdhub_grants"):
        if hasattr(user, cached):
            delattr(user, cached)


def has_role(user, *roles: str) -> bool:
    return bool(profile(user).roles & set(roles))


def _rules_q(access: AccessProfile) -> Q:
    """What the user's rules reach, by marking and owning unit alone."""
    q = NOTHING
    for rule in access.rules:
        reach = SENSITIVITY_ORDER[: SENSITIVITY_ORDER.index(rule.max_sensitivity) + 1]
        marking = Q(sensitivity__in=reach)
        if rule.scope == Scope.OWN_UNIT:
            q |= marking & Q(owner_unit_id__in=access.units)
        elif rule.scope == Scope.OTHER_UNITS:
            q |= marking & ~Q(owner_unit_id__in=access.units)
        else:
            q |= marking
    return q


def _grants(user, model: type[Model]) -> tuple[list, list]:
    """The user's live grants to `model`'s records: (record ids, unit codes). Every live grant of the user is
    read in one query and cached on the user object for one request, as the profile is (a page that counts
    several kinds of record asked once per kind)."""
    cache = getattr(user, "_vcdhub_grants", None)
    if cache is None:
        cache = _live_grants(user)
        try:
            user._vcdhub_grants = cache
        except AttributeError:
            pass
    return cache.get(ContentType.objects.get_for_model(model).pk, ([], []))


def _live_grants(user) -> dict[int, tuple[list, list]]:
    """{content type id: (record ids, unit codes)} of the user's approved, unrevoked, unexpired grants."""
    grants = AccessGrant.objects.filter(
        user=user, approved_at__isnull=False, revoked_at__isnull=True, expires_at__gt=timezone.now(),
    ).values_list("content_type_id", "object_id", "unit__code")
    by_type: dict[int, tuple[list, list]] = {}
    for content_type, object_id, unit in grants:
        record_ids, unit_codes = by_type.setdefault(content_type, ([], []))
        if object_id:
            record_ids.append(object_id)
        elif unit:
            unit_codes.append(unit)
    return by_type


def visibility_q(user, model: type[Model]) -> Q:
    access = profile(user)
    if not access.roles:
        return NOTHING
    q = _rules_q(access)
    record_ids, unit_codes = _grants(user, model)
    if record_ids:
        q |= Q(pk__in=record_ids)
    if unit_codes:
        q |= Q(owner_unit_id__in=unit_codes)
    return _limited(q, user, access, model)


def _limited(q: Q, user, access: AccessProfile, model: type[Model]) -> Q:
    """A model may narrow what the rules and grants reach: `visibility_limit(user, access)` returns a Q every
    visible record must also meet (an intelligence source is seen only by its own unit's handlers; a person's
    flag only by those who may see the person).

    A model may also name who a record is addressed to, whatever the rules say: `visibility_also(user,
    access)` returns a Q of the records addressed to the user (a case-work action, to the members of the unit
    or agency that owns the action). It is the one way past the rules, so it must only ever name the user's
    own units or the user: it is the record's own statement of who needs to know it."""
    limit = getattr(model, "visibility_limit", None)
    q = q & limit(user, access) if limit is not None else q
    also = getattr(model, "visibility_also", None)
    return q | also(user, access) if also is not None else q


def visible(user, model: type[Model]):
    """The ids of `model`'s records `user` may see, as a subquery: for a `visibility_limit` that needs another
    record to be visible too."""
    return model._default_manager.filter(visibility_q(user, model)).values("pk")


def marking_visibility_q(user, model: type[Model]) -> Q | None:
    """`visibility_q` for a table of counts of `model`'s records that keeps their owning unit and sensitivity
    as columns (such as crime.CrimeCell): the same records, reached by marking and unit alone. None when the
    user holds a grant to single records, which counts cannot honour (count the rows instead)."""
    access = profile(user)
    if not access.roles:
        return NOTHING
    record_ids, unit_codes = _grants(user, model)
    if record_ids:
        return None
    q = _rules_q(access)
    if unit_codes:
        q |= Q(owner_unit_id__in=unit_codes)
    return _limited(q, user, access, model)


def restrict(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(visibility_q(user, queryset.model))


def can_see(user, obj: Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
