"""Charts as inline SVG, drawn here: no network, no JavaScript, and the same in the page and the PDF."""

from dataclasses import dataclass, field
from html import escape

WIDTH, HEIGHT = 640, 230
# The left margin holds the y-axis label and its ticks; the right margin holds the control limits' labels,
# off the data.
LEFT, RIGHT, TOP, BOTTOM = 62, 92, 14, 34


@dataclass
class Trend:
    """A monthly series with its control limits, as control_chart_svg draws it. A value of None is a gap (a
    month not loaded, or withheld): it is neither drawn nor read as zero."""

    name: str
    months: list[str]
    counts: list
    centre: float
    upper: float
    lower: float
    signals: list[int]
    method: str = "XmR"
    y_label: str = "crimes a month"
    unit: str = ""  # "%" for rates
    gaps: list[str] = field(default_factory=list)  # why values are missing, e.g. "2016-03: not loaded"


def control_chart_svg(trend, title: str = "") -> str:
    """The monthly values with the XmR centre line and limits; points outside the limits are marked. The y
    axis says what is plotted and in which unit; the limits are labelled in the right margin, off the data."""
    n = len(trend.counts)
    shown = [v for v in trend.counts if v is not None]
    unit = trend.unit
    top = max([*shown, trend.upper, 0]) * 1.08 or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    decimals = 1 if unit == "%" else 0

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    def text(value: float, places: int = decimals) -> str:
        return f"{value:,.{places}f}{unit}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'class="chart" aria-label="{escape(title or trend.name)}">',
             f'<title>{escape(title or trend.name)}</title>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#767676"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#767676"/>',
             f'<text x="12" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" font-size="10" fill="#333" '
             f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})" class="y-label">{escape(trend.y_label)}</text>']
    for value in _ticks(top):
        parts.append(f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}" '
                     f'stroke="#eee"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="10" fill="#555">{text(value, 0)}</text>')
    limits = (("upper limit", trend.upper, "5 4"), ("median", trend.centre, ""), ("lower limit", trend.lower, "5 4"))
    label_y = _spread([y(value) for _, value, _ in limits], gap=11)
    for (label, value, dash), at in zip(limits, label_y, strict=True):
        parts.append(f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}" '
                     f'stroke="#b42318" stroke-width="1" stroke-dasharray="{dash}" class="limit"/>'
                     f'<text x="{WIDTH - RIGHT + 4}" y="{at + 3:.1f}" font-size="9" fill="#b42318" '
                     f'class="limit-label">{label} {text(value)}</text>')
    for run in _runs(trend.counts):
        points = " ".join(f"{x(i):.1f},{y(trend.counts[i]):.1f}" for i in run)
        parts.append(f'<polyline points="{points}" fill="none" stroke="#0b4f8a" stroke-width="1.6"/>')
    for i, value in enumerate(trend.counts):
        if value is None:
            continue
        special = i in trend.signals
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="{4 if special else 2.5}" '
                     f'fill="{"#b42318" if special else "#0b4f8a"}" class="{"signal" if special else "point"}">'
                     f'<title>{trend.months[i]}: {text(value)}{" (special cause)" if special else ""}</title></circle>')
    for i in _label_positions(n):
        anchor = "end" if i == n - 1 and n > 1 else "start" if i == 0 and n > 1 else "middle"
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}" font-size="10" '
                     f'fill="#555" class="x-label">{trend.months[i]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _runs(values: list) -> list[list[int]]:
    """Indexes of the unbroken runs of values (None breaks a run)."""
    runs: list[list[int]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(i)
    return [run for run in runs if run]


def _label_positions(n: int, most: int = 8) -> list[int]:
    """Which months get an x label: evenly spaced, always the first and the last."""
    if n <= 0:
        return []
    step = max(1, -(-n // most))
    chosen = list(range(0, n, step))
    if chosen[-1] != n - 1:
        if n - 1 - chosen[-1] < step / 2 and len(chosen) > 1:
            chosen[-1] = n - 1  # too close to the last label: it gives way
        else:
            chosen.append(n - 1)
    return chosen


def _spread(positions: list[float], gap: float) -> list[float]:
    """Label positions at least `gap` apart, in the same order, each as near its own position as it may be."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed: dict[int, float] = {}
    previous = None
    for i in order:
        at = positions[i] if previous is None else max(positions[i], previous + gap)
        placed[i] = previous = at
    return [placed[i] for i in range(len(positions))]


def _ticks(top: float) -> list[float]:
    raw = top / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = max(1, round(raw / magnitude) * magnitude)
    return [step * i for i in range(0, int(top // step) + 1)]


@dataclass(frozen=True)
class RatioScale:
    """The x range of the equality charts, shared by every chart on a page, so their points compare by eye."""

    low: float = 0.5
    high: float = 2.0

    def ticks(self) -> list[float]:
        """Powers of two from low to high: 0.25×, 0.5×, 1×, 2×, 4×, ..."""
        import math

        first, last = round(math.log2(self.low)), round(math.log2(self.high))
        return [2.0 ** p for p in range(first, last + 1)]


RATIO_LIMITS = (1 / 64, 64.0)  # a shared scale wider than this would squeeze every other chart flat


def ratio_scale(*tables: list[dict]) -> RatioScale:
    """One scale for several charts: powers of two around every ratio and interval shown, 0.5× to 2× at least."""
    import math

    values = [v for rows in tables for r in rows for v in (r.get("ratio"), r.get("ratio_low"), r.get("ratio_high"))
              if isinstance(v, int | float) and v > 0 and math.isfinite(v)]
    low = min([*values, 0.5], default=0.5)
    high = max([*values, 2.0], default=2.0)
    low = max(RATIO_LIMITS[0], 2.0 ** math.floor(math.log2(low)))
    high = min(RATIO_LIMITS[1], 2.0 ** math.ceil(math.log2(high)))
    return RatioScale(low, high)


def _ratio_text(value: float) -> str:
    return f"{value:,.2f}×" if value < 100 else f"{value:,.0f}×"


def ratio_chart_svg(rows: list[dict], title: str, scale: RatioScale | None = None,
                    axis_label: str = "search rate per head, ratio to the White rate (log scale)") -> str:
    """Each group's rate ratio to the reference with its 95% interval, on a log scale with its axis; 1× is parity.

    `scale`: the range shared by every chart beside this one (`ratio_scale`); by default, this chart's own. A
    group whose ratio is withheld or cannot be worked out keeps its row, marked, so every chart has the same
    rows. Intervals running off the scale end in an arrow. No group compared with the reference: no chart ("")."""
    import math

    if not any(isinstance(r.get("ratio"), int | float) and r.get("ratio_low") is not None for r in rows):
        return ""  # nothing to compare with the reference group
    scale = scale or ratio_scale(rows)
    width, left, right, top, row_h = 560, 92, 64, 10, 26
    plot_bottom = top + row_h * len(rows)
    height = plot_bottom + 44
    log_low, log_high = math.log(scale.low), math.log(scale.high)

    def x(v: float) -> float:
        v = min(max(v, scale.low), scale.high)
        return left + (width - left - right) * (math.log(v) - log_low) / (log_high - log_low)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'class="chart ratio-chart" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    ticks = scale.ticks()
    every = 1 if len(ticks) <= 7 else 2  # labels far enough apart to read; 1× is always labelled
    parity = ticks.index(1.0) if 1.0 in ticks else 0
    for i, tick in enumerate(ticks):  # the x axis: grid, ticks and labels
        label = (f'<text x="{x(tick):.1f}" y="{plot_bottom + 15}" text-anchor="middle" font-size="10" fill="#555" '
                 f'class="x-tick">{tick:.3g}×</text>') if (i - parity) % every == 0 else ""
        parts.append(f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{plot_bottom}" stroke="#eee"/>'
                     f'<line x1="{x(tick):.1f}" y1="{plot_bottom}" x2="{x(tick):.1f}" y2="{plot_bottom + 4}" '
                     f'stroke="#767676"/>{label}')
    parts += [f'<line x1="{left}" y1="{plot_bottom}" x2="{width - right}" y2="{plot_bottom}" stroke="#767676" '
              f'class="x-axis"/>',
              f'<line x1="{left}" y1="{top}" x2="{left}" y2="{plot_bottom}" stroke="#767676" class="y-axis"/>',
              f'<text x="{(left + width - right) / 2:.1f}" y="{plot_bottom + 32}" text-anchor="middle" '
              f'font-size="10" fill="#333" class="x-label">{escape(axis_label)}</text>']
    if scale.low <= 1 <= scale.high:
        parts.append(f'<line x1="{x(1):.1f}" y1="{top}" x2="{x(1):.1f}" y2="{plot_bottom}" stroke="#555" '
                     f'stroke-dasharray="3 3" class="parity"><title>parity (1×)</title></line>')
    for i, r in enumerate(rows):
        y = top + row_h * i + row_h / 2
        group = escape(str(r["group"]))
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'class="y-tick">{group}</text>')
        ratio = r.get("ratio")
        if not isinstance(ratio, int | float) or not math.isfinite(ratio):
            why = (r.get("notes") or {}).get("ratio") or "no ratio"
            short = "withheld" if why.startswith("withheld") else why
            parts.append(f'<text x="{left + 6}" y="{y + 4:.1f}" font-size="10" fill="#555" class="no-ratio">'
                         f'{escape(short)}<title>{group}: {escape(why)}</title></text>')
            continue
        low, high = r.get("ratio_low"), r.get("ratio_high")
        if isinstance(low, int | float) and isinstance(high, int | float):
            x1, x2 = x(low if low > 0 else scale.low), x(high if math.isfinite(high) else scale.high)
            parts.append(f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" stroke="#0b4f8a" '
                         f'stroke-width="2" class="interval"/>')
            for end, off in ((x1, low < scale.low), (x2, not math.isfinite(high) or high > scale.high)):
                if off:  # the interval runs off the scale: an arrow at the edge
                    d = -5 if end == x1 else 5
                    parts.append(f'<path d="M{end + d:.1f},{y:.1f} L{end:.1f},{y - 4:.1f} L{end:.1f},{y + 4:.1f} Z" '
                                 f'fill="#0b4f8a" class="off-scale"/>')
        interval = (f" (95% interval {_ratio_text(low)} to {_ratio_text(high)})"
                    if isinstance(low, int | float) and isinstance(high, int | float) and math.isfinite(high) else "")
        colour = "#b42318" if r.get("too_small") else "#0b4f8a"
        reference = " (reference)" if r.get("ratio") == 1.0 and r.get("ratio_low") is None else ""
        parts.append(f'<circle cx="{x(ratio):.1f}" cy="{y:.1f}" r="4" fill="{colour}" class="point">'
                     f'<title>{group}: {_ratio_text(ratio)}{interval}{reference}</title></circle>'
                     f'<text x="{width - right + 6}" y="{y + 4:.1f}" font-size="10" class="value">'
                     f'{_ratio_text(ratio)}</text>')
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
