"""The Lorenz curve of a concentration run as an SVG, or why it is withheld from this reader.

Drawn on the server at a fixed size (the page scales it down on a narrow screen, never up), with ticks and
grid lines at every quarter on both axes. Presentation is in attributes only: the Content-Security-Policy
forbids style attributes."""

import math
from html import escape

from vcdhub.places.prose import level_words

WIDTH, HEIGHT = 400, 386  # the drawing, in CSS pixels: a square plot of 318 px
LEFT, RIGHT, TOP, BOTTOM = 58, 24, 16, 52  # margins: tick labels and axis titles on the left and bottom
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
INK, GRID, CURVE = "#333333", "#dddddd", "#b2182b"


def lorenz_withheld(result: dict) -> str:
    """Why a concentration run shows no Lorenz curve to this user, or ''."""
    if result.get("kind") == "concentration" and "lorenz" in result.get("summary_withheld", []):
        return f"Lorenz curve withheld: it would reveal counts under {result['suppressed_below']}."
    return ""


def lorenz_svg(result: dict) -> str:
    """The Lorenz curve of a concentration run (areas from least to most crime), with the line of equality."""
    summary = result.get("summary", {})
    points = summary.get("lorenz")
    if result.get("kind") != "concentration" or not points:
        return ""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_at(x: float) -> float:
        return LEFT + x * plot_w

    def y_at(y: float) -> float:
        return TOP + (1 - y) * plot_h

    def xy(x: float, y: float) -> str:
        return f"{x_at(x):.1f},{y_at(y):.1f}"

    step = max(1, len(points) // 600)  # enough vertices for the eye; the stored run keeps every point
    curve = " ".join(xy(x, y) for x, y in points[::step] + [points[-1]])
    level = escape(level_words(result)[1])
    gini = summary["gini"]
    label = (f"Lorenz curve of {', '.join(result.get('crime_types', []))} by {level_words(result)[0]}, "
             f"{result.get('from')} to {result.get('to')}; Gini {gini:.3f}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="chart lorenz" aria-label="{escape(label)}"><title>{escape(label)}</title>',
    ]
    for t in TICKS:  # grid lines, then tick marks and labels, on both axes
        parts.append(f'<line class="grid" x1="{x_at(t):.1f}" y1="{y_at(0):.1f}" x2="{x_at(t):.1f}" '
                     f'y2="{y_at(1):.1f}" stroke="{GRID}"/>')
        parts.append(f'<line class="grid" x1="{x_at(0):.1f}" y1="{y_at(t):.1f}" x2="{x_at(1):.1f}" '
                     f'y2="{y_at(t):.1f}" stroke="{GRID}"/>')
    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{INK}"/>')
    for t in TICKS:
        text = f"{t:.0%}"
        parts += [
            f'<line class="tick" x1="{x_at(t):.1f}" y1="{y_at(0):.1f}" x2="{x_at(t):.1f}" y2="{y_at(0) + 5:.1f}" '
            f'stroke="{INK}"/>',
            f'<text class="tick-label x" x="{x_at(t):.1f}" y="{y_at(0) + 18:.1f}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{text}</text>',
            f'<line class="tick" x1="{x_at(0) - 5:.1f}" y1="{y_at(t):.1f}" x2="{x_at(0):.1f}" y2="{y_at(t):.1f}" '
            f'stroke="{INK}"/>',
            f'<text class="tick-label y" x="{x_at(0) - 8:.1f}" y="{y_at(t) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="{INK}">{text}</text>',
        ]
    parts += [
        f'<line x1="{x_at(0):.1f}" y1="{y_at(0):.1f}" x2="{x_at(1):.1f}" y2="{y_at(1):.1f}" stroke="#767676" '
        f'stroke-dasharray="4 3" class="equality"/>',
        f'<polyline points="{curve}" fill="none" stroke="{CURVE}" stroke-width="2" class="lorenz-curve"/>',
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="12" fill="{INK}">'
        f'share of {level}, least crime first</text>',
        f'<text x="14" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" font-size="12" fill="{INK}" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">share of crimes</text>',
        f'<text x="{LEFT + 10}" y="{TOP + 20}" font-size="12" fill="{INK}">Gini {gini:.3f}</text>',
        f'<text x="{x_at(0.3):.1f}" y="{y_at(0.3) - 6:.1f}" font-size="11" fill="#595959" '
        f'transform="rotate(-{math.degrees(math.atan2(plot_h, plot_w)):.1f} {x_at(0.3):.1f} {y_at(0.3) - 6:.1f})">'
        "equal shares</text>",
        "</svg>"]
    return "".join(parts)

