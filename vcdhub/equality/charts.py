"""The equality report's charts: every ratio chart of a page or report on one scale, with its axes."""

from vcdhub.platform.charts import ratio_chart_svg, ratio_scale


def draw_charts(report: dict, boroughs: bool = True) -> None:
    """Each force's chart of its officer-defined groups' ratios to the White rate, one for each object-of-search
    split, and each borough's, all on one scale so that they compare by eye: `chart` beside each table."""
    tables = [force["officer"]["rows"] for force in report["forces"]]
    tables += [split["rows"] for force in report["forces"] for split in force["objects"]]
    if boroughs:
        tables += [borough["officer"]["rows"] for borough in report["boroughs"]]
    scale = ratio_scale(*tables)
    period = report["period"]
    for force in report["forces"]:
        title = f"{force['force']}: search rate ratio to White, officer-defined ethnicity, {period}"
        force["chart"] = force["officer"]["chart"] = ratio_chart_svg(force["officer"]["rows"], title, scale)
        for split in force["objects"]:
            title = f"{force['force']}, {split['object'].lower()}: search rate ratio to White, {period}"
            split["chart"] = ratio_chart_svg(split["rows"], title, scale)
    for borough in report["boroughs"] if boroughs else ():
        title = f"{borough['name']}: search rate ratio to White, officer-defined ethnicity, {period}"
        borough["chart"] = borough["officer"]["chart"] = ratio_chart_svg(borough["officer"]["rows"], title, scale)
    report["chart_scale"] = scale
