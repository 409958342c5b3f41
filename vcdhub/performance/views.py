
from django import forms
from django.contrib import messages
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from vcdhub.access.choices import Role
from vcdhub.access.policy import has_role
from vcdhub.crime.models import Crime
from vcdhub.performance.engine import Period, coverage_warnings, evaluate_all, parse_period, trend_charts
from vcdhub.performance.indicators import TargetsFileError, parse_targets
from vcdhub.performance.models import TargetSet
from vcdhub.performance.published import withhold_small_cells
from vcdhub.performance.targets import BUNDLED_TARGETS, current_targets, save_targets, targets_text
from vcdhub.performance.targets_form import formset_to_toml, indicator_formset, to_toml
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.jobs import enqueue
from vcdhub.platform.months import month_range
from vcdhub.platform.permissions import role_required


class PeriodForm(forms.Form):
    period = forms.CharField(help_text="YYYY-MM..YYYY-MM")
    baseline = forms.CharField(required=False, help_text="Empty: the same months a year earlier")

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_baseline(self):
        text = self.cleaned_data["baseline"]
        if not text:
            return None
        try:
            return parse_period(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


def default_period() -> Period | None:
    latest = Crime.objects.aggregate(m=Max("month"))["m"]
    if latest is None:
        return None
    start = month_range(latest.replace(year=latest.year - 1), latest)[-5]
    return Period(start, latest)


def index(request):
    initial = default_period()
    data = request.GET if "period" in request.GET else (
        {"period": initial.label} if initial else None)
    form = PeriodForm(data)
    context = {"form": form, "can_edit": has_role(request.user, Role.SUPERVISOR, Role.ADMINISTRATOR)}
    if data and form.is_valid():
        period = form.cleaned_data["period"]
        baseline = form.cleaned_data["baseline"] or period.year_before()
        try:
            targets = current_targets()
            disclosure = Disclosure.for_user(request.user)
            results = evaluate_all(targets, period, baseline, disclosure)
        except TargetsFileError as exc:
            context["targets_errors"] = exc.problems
            return render(request, "performance/index.html", context)
        if disclosure.protects:
            results = withhold_small_cells(results, disclosure)
        context.update(period=period, baseline=baseline, results=results,
                       charts=trend_charts(targets, period.end, disclosure=disclosure), disclosure=disclosure,
                       warnings=coverage_warnings(period, baseline), outcome_sets=targets.outcome_sets,
                       source=targets.source)
    return render(request, "performance/index.html", context)


@role_required(Role.SUPERVISOR, Role.ADMINISTRATOR)
def edit_targets(request):
    """One row per indicator, each field checked on its own; or a whole TOML file imported (the `toml` field).
    Either way the action (targets.save_targets) checks and saves."""
    try:
        targets = current_targets()
    except TargetsFileError:
        targets = parse_targets(BUNDLED_TARGETS.read_text(encoding="utf-8"))
    if request.GET.get("format") == "toml":
        response = HttpResponse(to_toml(targets), content_type="application/toml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="vcdhub-targets.toml"'
        return response
    formset = indicator_formset(targets)
    text, problems = request.POST.get("toml", ""), []
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        if "toml" not in request.POST:
            formset = indicator_formset(targets, data=request.POST)
            text, problems = formset_to_toml(formset, targets)
        if text is not None and not any(form.errors for form in formset.forms):
            try:
                save_targets(text, reason)
            except TargetsFileError as exc:
                problems = exc.problems
            else:
                messages.success(request, "Targets saved. The previous version is in the history.")
                return redirect("performance:index")
    target_set = TargetSet.objects.filter(name="default").first()
    return render(request, "performance/edit.html", {
        "formset": formset, "toml": request.POST.get("toml") or targets_text(), "problems": problems,
        "target_set": target_set, "targets": targets})


def authority_report(request):
    """The authority's report in the app, as HTML or PDF; small counts withheld for authority members."""
    from django.http import HttpResponse

    from vcdhub.performance.authority import build_context, render_html

    initial = default_period()
    form = PeriodForm(request.GET if "period" in request.GET else ({"period": initial.label} if initial else None))
    if not form.is_valid():
        return render(request, "performance/index.html", {"form": form})
    aggregate_only = Disclosure.for_user(request.user).protects
    if request.GET.get("format") == "pdf":
        # Built as a background job; its page offers the PDF when it is ready.
        baseline = form.cleaned_data["baseline"]
        job = enqueue("performance.authority_pdf", user=request.user, period=form.cleaned_data["period"].label,
                      baseline=baseline.label if baseline else None, aggregate_only=aggregate_only)
        return redirect("job", pk=job.pk)
    context = build_context(form.cleaned_data["period"], form.cleaned_data["baseline"], aggregate_only=aggregate_only)
    # In the app the report has the site's header and a way back; the file and the PDF are the report alone.
    query = request.GET.copy()
    query.pop("format", None)
    context.update(back_url=f"{reverse('performance:index')}?{query.urlencode()}",
                   pdf_url=f"{reverse('performance:report')}?{query.urlencode()}&format=pdf")
    return HttpResponse(render_html(context))
