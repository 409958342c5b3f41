from django import forms
from django.db.models import Max
from django.shortcuts import render

from vcdhub.crime.models import StopSearch
from vcdhub.equality.charts import draw_charts
from vcdhub.equality.engine import equality_report
from vcdhub.equality.groups import OFFICER_GROUPS
from vcdhub.platform.disclosure import Disclosure, countable, open_records
from vcdhub.platform.fields import MonthField
from vcdhub.platform.months import month_range


class RangeForm(forms.Form):
    month_from = MonthField(label="From (YYYY-MM)")
    month_to = MonthField(label="To (YYYY-MM)")

    def clean(self):
        data = super().clean()
        if data.get("month_from") and data.get("month_to") and data["month_from"] > data["month_to"]:
            self.add_error("month_to", "The end month is before the start month.")
        return data


def index(request):
    latest = countable(open_records(StopSearch.objects.all()), request.user).aggregate(m=Max("month"))["m"]
    data = request.GET if "month_from" in request.GET else (
        {"month_from": month_range(latest.replace(year=latest.year - 1), latest)[1].strftime("%Y-%m"),
         "month_to": latest.strftime("%Y-%m")} if latest else None)
    form = RangeForm(data)
    context = {"form": form, "groups": OFFICER_GROUPS}
    if data and form.is_valid():
        disclosure = Disclosure.for_user(request.user)
        report = equality_report(form.cleaned_data["month_from"], form.cleaned_data["month_to"],
                                 disclosure=disclosure, user=request.user)
        draw_charts(report)
        context.update(report=report, disclosure=disclosure)
    return render(request, "equality/index.html", context)
