"""Charts as inline SVG, drawn here: no network, no JavaScript, and the same in the page and the PDF."""

from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 34


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
