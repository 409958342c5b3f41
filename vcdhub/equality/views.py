from django import forms
from django.db.models import Max
from django.shortcuts import render

from vcdhub.crime.models import StopSearch
from vcdhub.equality.engine import equality_report
from vcdhub.equality.groups import OFFICER_GROUPS
from vcdhub.platform.charts import ratio_chart_svg
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
    latest = StopSearch.objects.aggregate(m=Max("month"))["m"]
    data = request.GET if "month_from" in request.GET else (
        {"month_from": month_range(latest.replace(year=latest.year - 1), latest)[1].strftime("%Y-%m"),
         "month_to": latest.strftime("%Y-%m")} if latest else None)
    form = RangeForm(data)
    context = {"form": form, "groups": OFFICER_GROUPS}
    if data and form.is_valid():
        report = equality_report(form.cleaned_data["month_from"], form.cleaned_data["month_to"])
        for force in report["forces"]:
            force["chart"] = ratio_chart_svg(force["officer"]["rows"], f"{force['force']}: search rate ratio to White")
        for borough in report["boroughs"]:
            borough["chart"] = ratio_chart_svg(borough["officer"]["rows"], f"{borough['name']}: ratio to White")
        context["report"] = report
    return render(request, "equality/index.html", context)
