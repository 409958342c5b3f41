"""A published run as files to download: CSV, a GeoJSON feature collection and a PNG map."""

import csv
import io
import math

from vcdhub.crime.counts import LEVELS
from vcdhub.geography.loader import geometry_feature
from vcdhub.geography.models import Borough
from vcdhub.places.prose import level_words, options_text, plural, span, title
from vcdhub.places.published import WITHHELD, crimes_text, total_text
from vcdhub.places.tables import colours, csv_label, detail_columns
from vcdhub.platform.csvsafe import safe_cell


def csv_text(result: dict) -> str:
    columns = detail_columns(result)
    hue = colours(result)
    minimum = result["suppressed_below"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    # Words a spreadsheet user reads; the GeoJSON keeps the machine names (docs/hot-spots.md, "Downloads").
    # The count's column states its period, as the page's table does.
    crimes = (f"Crimes in {result['to']}" if result["kind"] == "alerts"
              else f"Crimes, {span(result['from'], result['to'])}")
    writer.writerow([safe_cell(h) for h in ["Code", "Name", crimes, "Class", "Colour",
                                            *(csv_label(c) for c in columns)]])
    for a in result["areas"]:
        count = f"fewer than {minimum}" if a["withheld"] else a["count"]
        details = [WITHHELD if key in a["withheld_fields"] else a["detail"].get(key) for key in columns]
        writer.writerow([safe_cell(v) for v in [a["code"], a["name"], count, a["class"], hue.get(a["class"]),
                                                *details]])
    return out.getvalue()


def _areas_with_geometry(result: dict) -> dict:
    """The run's areas as rows with geometry, by code (an area no longer in the boundaries is simply absent)."""
    model = LEVELS[result["level"]]
    boroughs = result.get("boroughs") or []
    rows = model.objects.filter(code__in=boroughs) if model is Borough else model.objects.filter(
        borough__code__in=boroughs)
    return {a.code: a for a in rows.only("code", "name", "geometry")}


def feature_collection(run, result: dict) -> dict:
    """One feature per area of the run, in the run's order, with its count, class and colour."""
    shapes = _areas_with_geometry(result)
    hue = colours(result)
    features = []
    for a in result["areas"]:
        properties = {"count": a["count"], "withheld": a["withheld"], "class": a["class"],
                      "colour": hue.get(a["class"]), "detail": a["detail"]}
        if a["code"] in shapes:
            feature = geometry_feature(shapes[a["code"]], properties)
            feature["properties"]["name"] = a["name"]
        else:
            feature = {"type": "Feature", "id": a["code"], "geometry": None,
                       "properties": {"code": a["code"], "name": a["name"], **properties}}
        features.append(feature)
    return {"type": "FeatureCollection", "features": features, "properties": {
        "run": run.pk, "kind": run.kind, "level": result["level"], "crime_types": result["crime_types"],
        "from": result["from"], "to": result["to"], "boroughs": result["boroughs"], "total": result["total"],
        "total_at_least": result.get("total_at_least"), "total_text": total_text(result),
        "unplaced": result["unplaced"], "outside": result["outside"], "suppressed_below": result["suppressed_below"],
        "legend": result["legend"], "parameters": run.parameters, "input_sha256": run.input_sha256,
        "code_version": run.code_version}}


# --- PNG ---------------------------------------------------------------------------------------------------------

def _path(geometry):
    """A matplotlib Path for a (multi)polygon: exteriors anticlockwise and holes clockwise, so holes stay empty."""
    import numpy as np
    import shapely
    from matplotlib.path import Path

    vertices, codes = [], []
    parts = getattr(geometry, "geoms", [geometry])
    for part in parts:
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        part = shapely.geometry.polygon.orient(part, 1.0)
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            vertices.append(xy)
            codes += [Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY]
    return Path(np.concatenate(vertices), codes) if vertices else None


def png_subtitle(run, result: dict) -> str:
    """The PNG's first line under the title: areas and crimes, with the total as this user may see it."""
    one, many = level_words(result)
    text = f"{plural(len(result['areas']), one, many)}; {crimes_text(result)} placed"
    if result["kind"] == "alerts":
        text += (f" over {span(result['from'], result['to'])} (baseline and month assessed); "
                 f"the map shows {result['to']}")
    if result["suppressed_below"]:
        text += f"; counts under {result['suppressed_below']} withheld"
    return text + "."


def png_bytes(run, result: dict) -> bytes:
    """A choropleth of the run's classes with its legend, drawn in memory with matplotlib's Agg canvas."""
    import shapely
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, PathPatch

    shapes = _areas_with_geometry(result)
    hue = colours(result)
    figure = Figure(figsize=(11, 8.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.02, 0.08, 0.68, 0.80))
    latitudes = []
    for a in result["areas"]:
        row = shapes.get(a["code"])
        if row is None or not row.geometry:
            continue
        geometry = shapely.from_geojson(row.geometry)
        path = _path(geometry)
        if path is None:
            continue
        latitudes.append(geometry.centroid.y)
        axes.add_patch(PathPatch(path, facecolor=hue.get(a["class"], "#ffffff"), edgecolor="#555555",
                                 linewidth=0.3 if len(result["areas"]) > 800 else 0.5))
    if result["level"] != "borough":  # borough outlines, for bearings
        for row in Borough.objects.filter(code__in=result.get("boroughs") or []).only("geometry"):
            path = _path(shapely.from_geojson(row.geometry)) if row.geometry else None
            if path is not None:
                axes.add_patch(PathPatch(path, facecolor="none", edgecolor="#222222", linewidth=1.0))
    axes.autoscale_view()
    if latitudes:
        axes.set_aspect(1 / math.cos(math.radians(sum(latitudes) / len(latitudes))))
    axes.set_axis_off()
    handles = [Patch(facecolor=item["colour"], edgecolor="#555555", label=f"{item['class']} ({item['areas']:,})")
               for item in result["legend"] if item["areas"]]
    many = level_words(result)[1]
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.71, 0.86), frameon=False, fontsize=10,
                  title=f"Class ({many})", title_fontsize=11, alignment="left")
    figure.suptitle(title(run, result), x=0.02, y=0.97, ha="left", fontsize=14, fontweight="bold")
    figure.text(0.02, 0.925, png_subtitle(run, result), fontsize=9, color="#444444")
    figure.text(0.02, 0.900, f"Options: {options_text(run.parameters)}. vcdhub run {run.pk}, "
                f"input {run.input_sha256[:12]}, {run.code_version}.", fontsize=9, color="#444444")
    figure.text(0.02, 0.02, "Contains public sector information licensed under the Open Government Licence v3.0. "
                "Contains OS data © Crown copyright and database right.", fontsize=7, color="#666666")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
