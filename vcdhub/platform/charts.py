"""Charts as inline SVG, drawn here: no network, no JavaScript, and the same in the page and the PDF."""

from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 34


@dataclass
class Trend:
    """A monthly series with its control limits, as control_chart_svg draws it."""

    name: str
    months: list[str]
    counts: list[int]
    centre: float
    upper: float
    lower: float
    signals: list[int]
    method: str = "XmR"


def control_chart_svg(trend, title: str = "") -> str:
    """Monthly counts with the c-chart centre line and limits; points outside the limits are marked."""
    n = len(trend.counts)
    top = max(max(trend.counts), trend.upper) * 1.08 or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'class="chart" aria-label="{escape(title or trend.name)}">',
             f'<title>{escape(title or trend.name)}</title>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#999"/>']
    for value in _ticks(top):
        parts.append(f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}" '
                     f'stroke="#eee"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="10" fill="#555">{value:,.0f}</text>')
    for label, value, dash in (("UCL", trend.upper, "5 4"), ("median", trend.centre, ""), ("LCL", trend.lower, "5 4")):
        parts.append(f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}" '
                     f'stroke="#b42318" stroke-width="1" stroke-dasharray="{dash}" class="limit-{label.lower()}"/>'
                     f'<text x="{WIDTH - RIGHT}" y="{y(value) - 3:.1f}" text-anchor="end" font-size="9" '
                     f'fill="#b42318">{label} {value:,.1f}</text>')
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(trend.counts))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#0b4f8a" stroke-width="1.6"/>')
    for i, value in enumerate(trend.counts):
        special = i in trend.signals
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="{4 if special else 2.5}" '
                     f'fill="{"#b42318" if special else "#0b4f8a"}" class="{"signal" if special else "point"}">'
                     f'<title>{trend.months[i]}: {value:,}{" (special cause)" if special else ""}</title></circle>')
    step = max(1, n // 8)
    for i in range(0, n, step):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" text-anchor="middle" font-size="10" '
                     f'fill="#555">{trend.months[i]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _ticks(top: float) -> list[float]:
    raw = top / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = max(1, round(raw / magnitude) * magnitude)
    return [step * i for i in range(0, int(top // step) + 1)]


def ratio_chart_svg(rows: list[dict], title: str) -> str:
    """Each group's rate ratio to the reference with its 95% interval, on a log scale; 1 is parity."""
    shown = [r for r in rows if r.get("ratio")]
    if not shown:
        return ""
    import math

    values = [v for r in shown for v in (r["ratio"], r.get("ratio_low") or r["ratio"],
                                         r.get("ratio_high") or r["ratio"]) if v and math.isfinite(v)]
    lo, hi = min(min(values), 0.5), max(max(values), 2.0)
    width, row_h, left, right = 520, 26, 70, 60
    height = 30 + row_h * len(shown)

    def x(v: float) -> float:
        return left + (width - left - right) * (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{x(1):.1f}" y1="8" x2="{x(1):.1f}" y2="{height - 18}" stroke="#555" stroke-dasharray="3 3"/>',
             f'<text x="{x(1):.1f}" y="{height - 4}" text-anchor="middle" font-size="10">parity (1×)</text>']
    for i, r in enumerate(shown):
        y = 20 + i * row_h
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" font-size="11">{escape(r["group"])}</text>')
        if r.get("ratio_low") and r.get("ratio_high") and math.isfinite(r["ratio_high"]):
            parts.append(f'<line x1="{x(r["ratio_low"]):.1f}" y1="{y}" x2="{x(r["ratio_high"]):.1f}" y2="{y}" '
                         f'stroke="#0b4f8a" stroke-width="2"/>')
        colour = "#b42318" if r.get("too_small") else "#0b4f8a"
        parts.append(f'<circle cx="{x(r["ratio"]):.1f}" cy="{y}" r="4" fill="{colour}"><title>{escape(r["group"])}: '
                     f'{r["ratio"]:.2f}×</title></circle><text x="{x(r["ratio"]) + 7:.1f}" y="{y - 5}" '
                     f'font-size="10">{r["ratio"]:.2f}×</text>')
    parts.append("</svg>")
    return "".join(parts)

def bar_chart_svg(label: str, months: list[str], counts: list[int]) -> str:
    width, height, left, right, top, bottom = 640, 220, 48, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(months), 1)
    highest = max([*counts, 1]) * 1.08
    bar = plot_w / n

    def y(v: float) -> float:
        return top + plot_h * (1 - v / highest)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
             f'aria-label="{escape(label)}"><title>{escape(label)}</title>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="10" fill="#555">0</text>',
             f'<text x="{left - 6}" y="{y(highest / 1.08) + 4:.1f}" text-anchor="end" font-size="10" '
             f'fill="#555">{highest / 1.08:,.0f}</text>']
    for i, (month, count) in enumerate(zip(months, counts, strict=True)):
        x = left + i * bar + bar * 0.1
        parts.append(f'<rect x="{x:.1f}" y="{y(count):.1f}" width="{bar * 0.8:.1f}" '
                     f'height="{y(0) - y(count):.1f}" fill="#0b4f8a" class="point">'
                     f'<title>{month}: {count:,}</title></rect>')
    step = max(1, n // 8)
    for i in range(0, len(months), step):
        parts.append(f'<text x="{left + (i + 0.5) * bar:.1f}" y="{height - 12}" text-anchor="middle" '
                     f'font-size="10" fill="#555">{months[i]}</text>')
    parts.append("</svg>")
    return "".join(parts)
