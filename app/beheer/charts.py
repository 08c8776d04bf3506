"""Server-side SVG bar charts for the statistics page.

The Content-Security-Policy forbids inline styles, so the charts carry no style attributes and no
<style> element: colours and fonts come from classes styled in static/css/app.css (chart-*),
geometry from SVG attributes. Each chart is an accessible image (role="img", labelled by its
<title> and <desc>); the page shows the same numbers in a table beside it.
"""

from markupsafe import Markup, escape

from ..formatting import integer_nl

WIDTH = 720
LABEL_WIDTH = 300  # room for the category labels on the left
VALUE_WIDTH = 90  # room for the value text right of the longest bar
BAR_HEIGHT = 18
ROW_GAP = 8
TOP = 8
MAX_LABEL = 42  # longer labels are shortened in the chart (the table has them in full)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1].rstrip() + "…"


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg class="chart" id="{escape(chart_id)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _bar(parts: list[str], y: float, value: float, scale: float, text: str, css: str,
         tooltip: str) -> None:
    width = max(value * scale, 0)
    x = LABEL_WIDTH
    parts.append(f'<g><title>{escape(tooltip)}</title>'
                 f'<rect class="{css}" x="{x}" y="{y:.1f}" width="{width:.1f}" '
                 f'height="{BAR_HEIGHT}"/>'
                 f'<text class="chart-value" x="{x + width + 6:.1f}" y="{y + BAR_HEIGHT - 5:.1f}">'
                 f'{escape(text)}</text></g>')


def bar_chart(chart_id: str, title: str, desc: str,
              bars: list[tuple[str, float, str]]) -> Markup:
    """Horizontal bars; `bars` holds (label, value, value text) per category."""
    step = BAR_HEIGHT + ROW_GAP
    height = TOP * 2 + max(len(bars), 1) * step
    parts = _open(chart_id, title, desc, height)
    top = max((value for _, value, _ in bars), default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / top if top > 0 else 0
    parts.append(f'<line class="chart-axis" x1="{LABEL_WIDTH}" y1="{TOP / 2}" '
                 f'x2="{LABEL_WIDTH}" y2="{height - TOP / 2}"/>')
    for i, (label, value, text) in enumerate(bars):
        y = TOP + i * step
        parts.append(f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 5:.1f}" '
                     f'text-anchor="end">{escape(_short(label))}</text>')
        _bar(parts, y, value, scale, text, "chart-bar", f"{label}: {text}")
    parts.append("</svg>")
    return Markup("".join(parts))


def paired_chart(chart_id: str, title: str, desc: str, series: tuple[str, str],
                 groups: list[tuple[str, float, float]]) -> Markup:
    """Two bars per category (e.g. the previous year and the chosen year) with a legend.

    `series` names the two bars; `groups` holds (label, first value, second value).
    """
    legend_height = 26
    step = BAR_HEIGHT * 2 + ROW_GAP * 2
    height = legend_height + TOP * 2 + max(len(groups), 1) * step
    parts = _open(chart_id, title, desc, height)
    top = max((max(a, b) for _, a, b in groups), default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / top if top > 0 else 0
    classes = ("chart-bar chart-bar-prev", "chart-bar")
    for i, (name, css) in enumerate(zip(series, classes, strict=True)):
        x = LABEL_WIDTH + i * 160
        parts.append(f'<rect class="{css}" x="{x}" y="4" width="14" height="14"/>'
                     f'<text class="chart-label" x="{x + 20}" y="16">{escape(name)}</text>')
    parts.append(f'<line class="chart-axis" x1="{LABEL_WIDTH}" y1="{legend_height}" '
                 f'x2="{LABEL_WIDTH}" y2="{height - TOP / 2}"/>')
    for i, (label, first, second) in enumerate(groups):
        y = legend_height + TOP + i * step
        parts.append(f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT + 4:.1f}" '
                     f'text-anchor="end">{escape(_short(label))}</text>')
        for j, (value, css) in enumerate(zip((first, second), classes, strict=True)):
            text = integer_nl(value)
            _bar(parts, y + j * BAR_HEIGHT, value, scale, text, css,
                 f"{label} ({series[j]}): {text}")
    parts.append("</svg>")
    return Markup("".join(parts))


LINE_LEFT = 64  # room for the value axis labels
LINE_RIGHT = 24
LINE_TOP = 16
LINE_PLOT_HEIGHT = 220
LEGEND_ROW = 20
SERIES_CLASSES = 7  # chart-line-1 … chart-line-7 in app.css (colour and marker shape per series)


def _nice_top(value: float) -> float:
    """A round number >= value for the top of the value axis (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * power:
            return factor * power
    return 10 * power


def line_chart(chart_id: str, title: str, desc: str, categories: list[str],
               series: list[tuple[str, list[float]]]) -> Markup:
    """One line per series over the categories (e.g. years), with a value axis and a legend.

    `series` holds (name, values), one value per category. Each series has its own class
    (chart-line-N: colour and marker shape), so the lines differ by more than colour.
    """
    legend_height = LEGEND_ROW * ((len(series) + 1) // 2) + 8
    height = LINE_TOP + LINE_PLOT_HEIGHT + 28 + legend_height
    parts = _open(chart_id, title, desc, height)
    top = _nice_top(max((v for _, values in series for v in values), default=0))
    plot_width = WIDTH - LINE_LEFT - LINE_RIGHT
    bottom = LINE_TOP + LINE_PLOT_HEIGHT
    step = plot_width / max(len(categories) - 1, 1)

    def x(i: int) -> float:
        return LINE_LEFT + i * step if len(categories) > 1 else LINE_LEFT + plot_width / 2

    def y(value: float) -> float:
        return bottom - value / top * LINE_PLOT_HEIGHT

    for k in range(5):  # value axis: 0, ¼, ½, ¾ and the top
        value = top * k / 4
        parts.append(f'<line class="chart-grid" x1="{LINE_LEFT}" y1="{y(value):.1f}" '
                     f'x2="{WIDTH - LINE_RIGHT}" y2="{y(value):.1f}"/>'
                     f'<text class="chart-value" x="{LINE_LEFT - 6}" y="{y(value) + 4:.1f}" '
                     f'text-anchor="end">{escape(integer_nl(value))}</text>')
    parts.append(f'<line class="chart-axis" x1="{LINE_LEFT}" y1="{bottom}" '
                 f'x2="{WIDTH - LINE_RIGHT}" y2="{bottom}"/>')
    for i, category in enumerate(categories):
        parts.append(f'<text class="chart-label" x="{x(i):.1f}" y="{bottom + 18}" '
                     f'text-anchor="middle">{escape(category)}</text>')
    for n, (name, values) in enumerate(series):
        css = f"chart-line chart-line-{n % SERIES_CLASSES + 1}"
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<g class="{css}"><title>{escape(name)}</title>'
                     f'<polyline class="chart-line-path" points="{points}"/>')
        for i, v in enumerate(values):
            parts.append(f'<circle class="chart-line-point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="4">'
                         f'<title>{escape(name)} {escape(categories[i])}: '
                         f'{escape(integer_nl(v))}</title></circle>')
        parts.append("</g>")
    for n, (name, _) in enumerate(series):
        lx = LINE_LEFT + (n % 2) * (plot_width / 2)
        ly = bottom + 36 + (n // 2) * LEGEND_ROW
        css = f"chart-line chart-line-{n % SERIES_CLASSES + 1}"
        parts.append(f'<g class="{css}"><line class="chart-line-path" x1="{lx:.1f}" y1="{ly:.1f}" '
                     f'x2="{lx + 24:.1f}" y2="{ly:.1f}"/>'
                     f'<circle class="chart-line-point" cx="{lx + 12:.1f}" cy="{ly:.1f}" r="4"/>'
                     f'<text class="chart-label" x="{lx + 32:.1f}" y="{ly + 4:.1f}">'
                     f'{escape(_short(name))}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
