"""Generic restricted API viewsets, the API twin of platform.views.

`RecordViewSet` lists and fetches only what the user may see; a fetch of a record the user may not see is
the same 404 as a missing one and goes on the audit chain; reads of OFFICIAL-SENSITIVE records are audited.
Writes (when a module allows them with `change_roles`) go through the serializer, then are re-checked: a
change that would take the record out of its writer's sight is rolled back.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, views, viewsets
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.permissions import BasePermission, IsAuthenticated

from vcdhub.access.choices import Sensitivity
from vcdhub.access.policy import has_role
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.audit.log import record_denied, record_event, record_reads
from vcdhub.audit.models import EntryKind
from vcdhub.platform.actions import StateConflict
from vcdhub.platform.api_schema import MONTH_SCHEMA
from vcdhub.platform.inputs import InputError, day
from vcdhub.platform.permissions import ReadsRecords
from vcdhub.platform.views import NoLongerVisible, clean_pk


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.DateField):
    """A record's month as police.uk writes it, YYYY-MM (the model keeps the first day of the month)."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


def exception_handler(exc, context):
    """DRF's answer to an error, with every refusal for want of credentials (401: none, or a bad or expired
    token) on the audit chain, as the web's refusals are. A 403 is audited where it is decided
    (platform.permissions), so it is not written twice."""
    response = views.exception_handler(exc, context)
    if isinstance(exc, NotAuthenticated | AuthenticationFailed):
        request = context.get("request")
        record_event(EntryKind.DENIED, "api", object_type="api", object_id=request.path if request else "",
                     reason=f"401: {exc.detail}")
    return response


class Conflict(APIException):
    """409: the record's state does not allow the step (platform.actions.StateConflict), by field."""

    status_code = 409
    default_code = "conflict"


def answered(call):
    """Run an action for an API view: its Django ValidationError or InputError becomes a 400 by field, a
    StateConflict a 409 by field, and its PermissionDenied a 403 with the reason (which the action has put on
    the audit chain where it must)."""
    try:
        return call()
    except StateConflict as exc:
        raise Conflict(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
    except InputError as exc:
        raise ValidationError({field: [message] for field, message in exc.errors.items()}) from None
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None


def as_of(request):
    """The `as_of` query parameter (YYYY-MM-DD; None when absent) of a figures endpoint; a bad one is a 400."""
    return answered(lambda: day(request.query_params.get("as_of"), "as_of"))


def page_rule_permission(rule):
    """A DRF permission from a page's rule (platform.permissions.PageRule), refusals audited: an endpoint lets in
    exactly the users its page does."""

    class FollowsPageRule(BasePermission):
        message = rule.refusal

        def has_permission(self, request, view):
            allowed = rule.allows(request.user)
            if not allowed and request.user and request.user.is_authenticated:
                record_event(EntryKind.DENIED, "api", object_type="api", object_id=request.path, reason=rule.refusal)
            return allowed

    return FollowsPageRule


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only by default. A module sets `base_queryset`, `serializer_class` and `filterset_class`."""

    permission_classes = [IsAuthenticated, ReadsRecords]
    # Any id reaches the viewset, which answers 404 (JSON, audited) for one that is not a record's: the router's
    # default pattern leaves ids with a dot ("1.5") to the site's HTML "page not found".
    lookup_value_regex = "[^/]+"
    base_queryset = None
    change_roles: frozenset[str] | None = None

    def get_queryset(self):
        return self.base_queryset.restrict(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        record_reads(page if page is not None else queryset, "api")
        return page

    def get_object(self):
        raw = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if clean_pk(self.base_queryset.model, raw) is None:
            record_denied(self.base_queryset.model, raw, "api")
            raise NotFound("No such record, or you may not see it.")
        try:
            obj = super().get_object()
        except Http404:
            record_denied(self.base_queryset.model, raw, "api")
            raise
        record_reads([obj], "api")
        return obj


class WritableRecordViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                            RecordViewSet):
    """Create, update and delete for the roles in `change_roles`, with the after-save visibility check."""

    def check_may_change(self):
        if self.change_roles is None or not has_role(self.request.user, *self.change_roles):
            record_event(EntryKind.DENIED, "api", object_type="api", object_id=self.request.path,
                         reason="role may not change these records")
            raise PermissionDenied("Your role may not change these records.")

    def _save_visibly(self, serializer):
        try:
            with atomic_keeping_refusals():  # a refusal deep in the action outlives the rollback
                saved = serializer.save()
                if not self.get_queryset().filter(pk=saved.pk).exists():
                    raise NoLongerVisible
        except StateConflict as exc:
            raise Conflict(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        except DjangoValidationError as exc:  # an action's field-by-field refusal: a 400, never a 500
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        except InputError as exc:
            raise ValidationError(exc.errors) from None
        except NoLongerVisible:
            # Outside the rolled-back transaction, so the refusal stays on the chain.
            instance = getattr(serializer, "instance", None)
            record_denied(self.base_queryset.model, str(getattr(instance, "pk", "") or "new"), "api",
                          detail={"why": "the change would hide the record from its writer"})
            raise ValidationError({"non_field_errors": [
                "Not saved: after this change you could no longer see the record."]}) from None

    def perform_create(self, serializer):
        self.check_may_change()
        self._save_visibly(serializer)

    def perform_update(self, serializer):
        self.check_may_change()
        self._save_visibly(serializer)

    def perform_destroy(self, instance):
        self.check_may_change()
        instance.delete()


class TextField(serializers.CharField):  # noqa: TID251 - the one place DRF's CharField is used
    """Text, and only text. DRF's CharField also takes a number and keeps its digits (`{"result": 0}` was stored as
    "0"), which the schema's `type: string` does not allow. Every API serializer uses this (ruff bans the other)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):  # noqa: TID251 - the one place DRF's is used
    """DRF's ModelSerializer, with a model's text fields as TextField."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,  # noqa: TID251
                                models.CharField: TextField, models.TextField: TextField}


@extend_schema_field({"type": "string", "enum": list(Sensitivity.values)})
class SensitivityField(TextField):
    """A marking's sensitivity: the schema lists the values, and the action checks them (platform.actions)."""


class MarkingMixin(serializers.Serializer):
    owner_unit = TextField(source="owner_unit_id", help_text="The owning unit's code; one of yours")
    sensitivity = SensitivityField()
    descriptors = TextField(required=False, allow_blank=True, default="")
    handling = TextField(required=False, allow_blank=True, default="")

    @staticmethod
    def marking(data: dict) -> dict:
        return {"owner_unit": data.pop("owner_unit_id", ""), "sensitivity": data.pop("sensitivity", ""),
                "descriptors": data.pop("descriptors", ""), "handling": data.pop("handling", "")}

    def actor(self):
        return self.context["request"].user
