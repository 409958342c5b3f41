"""The Lorenz curve of a concentration run as an SVG, or why it is withheld from this reader."""

from html import escape

from vcdhub.places.prose import level_words


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
    size, pad = 320, 40
    plot = size - 2 * pad

    def xy(x: float, y: float) -> str:
        return f"{pad + x * plot:.1f},{pad + (1 - y) * plot:.1f}"

    step = max(1, len(points) // 600)  # enough vertices for the eye; the stored run keeps every point
    curve = " ".join(xy(x, y) for x, y in points[::step] + [points[-1]])
    level = escape(level_words(result)[1])
    label = f"Lorenz curve; Gini {summary['gini']:.3f}"
    return "".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" class="chart lorenz" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>',
        f'<rect x="{pad}" y="{pad}" width="{plot}" height="{plot}" fill="none" stroke="#999"/>',
        f'<line x1="{pad}" y1="{pad + plot}" x2="{pad + plot}" y2="{pad}" stroke="#999" stroke-dasharray="4 3"/>',
        f'<polyline points="{curve}" fill="none" stroke="#b2182b" stroke-width="2" class="lorenz-curve"/>',
        f'<text x="{pad + plot / 2}" y="{size - 8}" text-anchor="middle" font-size="11" fill="#333">'
        f'share of {level}, least crime first</text>',
        f'<text x="12" y="{pad + plot / 2}" text-anchor="middle" font-size="11" fill="#333" '
        f'transform="rotate(-90 12 {pad + plot / 2})">share of crimes</text>',
        f'<text x="{pad + 8}" y="{pad + 16}" font-size="12" fill="#333">Gini {summary["gini"]:.3f}</text>',
        "</svg>"])
