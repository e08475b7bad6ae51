"""Charts described once, as a small tree of plain shapes (`Drawing`), and drawn from that one
description both on the pages (SVG text, `to_svg`) and in the PDFs (`draw_pdf`, on a reportlab
canvas).

Every chart comes with its text alternative: a one- or two-sentence description naming the main
finding, and the data as a table whose values are already formatted. Accessibility choices:

- colours from the Okabe-Ito palette (safe for the common colour-vision deficiencies), in an
  order whose first four each have at least 3:1 contrast on white (WCAG 1.4.11);
- series differ by more than colour: line series by dash pattern and marker shape, bar series
  by a hatch, and every bar and heatmap cell prints its value;
- heatmap text is black or white, whichever contrasts more with the cell (always >= 4.5:1);
- DejaVu Sans (bundled in `fonts/`), at sizes readable both at page width on screen and on a
  printed page: unlike the PDF standard fonts it draws names in Latin with every accent
  (Vietnamese included), Greek, Cyrillic, Hebrew and Arabic, which a district's people, schools
  and frameworks bring. Layout measures text with its metrics.

Sizes are in points, y upwards as in a PDF: a drawing is `WIDTH` wide, which a page scales to
its column and a PDF to its frame (about 500 pt on Letter or A4).
"""

import hashlib
import html
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
FONT, BOLD_FONT = "DejaVuSans", "DejaVuSans-Bold"
# Registered once, when charts are first imported: every drawing measures its text with the
# font, and the PDFs (reports/pdf.py) set their paragraphs in it too, <b> included.
for _name, _file in ((FONT, "DejaVuSans.ttf"), (BOLD_FONT, "DejaVuSans-Bold.ttf")):
    registerFont(TTFont(_name, FONT_DIR / _file))
for _bold, _italic, _name in ((0, 0, FONT), (1, 0, BOLD_FONT), (0, 1, FONT), (1, 1, BOLD_FONT)):
    addMapping(FONT, _bold, _italic, _name)

WIDTH = 480
LABEL_SIZE = 10
SMALL_SIZE = 8.5
LINE_HEIGHT = 1.2
MISSING = "—"
NO_DATA = "No data to show yet."

# Colours are "#rrggbb" strings: what SVG writes, and what the PDF canvas is given (`_pdf_color`).
INK = "#1b2430"
MUTED = "#4d5968"
GRID = "#c9d1db"
WHITE = "#ffffff"
BLACK = "#000000"
NEUTRAL = "#eceff3"
# Okabe-Ito: blue, vermillion, bluish green, reddish purple, black, then the two lighter ones.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9")
DASHES = (None, (6, 3), (2, 2), (8, 3, 2, 3), (4, 2, 1, 2))
MARKERS = ("circle", "square", "triangle", "diamond", "circle")
# ColorBrewer "Blues" (one hue, so it reads in greyscale and for every colour vision): low to high.
HEAT_STOPS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")


# -- the description: plain shapes ------------------------------------------------------------
# Attribute names follow reportlab's shapes, which the charts were first drawn with.

@dataclass(frozen=True)
class Hatch:
    """Diagonal lines `spacing` apart (along an edge) in `color`, over a rectangle shrunk by
    `inset` on every side: one SVG pattern per kind of hatch, one clipped path in a PDF."""

    color: str
    spacing: float
    inset: float = 0.0


WITHHELD_HATCH = Hatch(GRID, 5, inset=1)
BAR_HATCH = Hatch(WHITE, 3.5)


@dataclass(slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fillColor: str | None = None
    strokeColor: str | None = None
    strokeWidth: float = 1.0
    hatch: Hatch | None = None


@dataclass(slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    strokeColor: str = INK
    strokeWidth: float = 1.0
    strokeDashArray: tuple | None = None


@dataclass(slots=True)
class Polygon:
    points: list[float]          # x0, y0, x1, y1, ...
    fillColor: str | None = None
    fillOpacity: float = 1.0
    strokeColor: str | None = None
    strokeWidth: float = 1.0
    strokeDashArray: tuple | None = None


@dataclass(slots=True)
class PolyLine:
    points: list[float]
    strokeColor: str = INK
    strokeWidth: float = 1.0
    strokeDashArray: tuple | None = None


@dataclass(slots=True)
class Circle:
    cx: float
    cy: float
    r: float
    fillColor: str | None = None
    strokeColor: str | None = None
    strokeWidth: float = 1.0


@dataclass(slots=True)
class String:
    """A line of text in FONT; (x, y) is the baseline's start, middle or end (`textAnchor`)."""

    x: float
    y: float
    text: str
    fontSize: float = LABEL_SIZE
    fillColor: str = INK
    textAnchor: str = "start"


@dataclass(slots=True)
class Group:
    contents: list = field(default_factory=list)

    def add(self, shape) -> None:
        self.contents.append(shape)


@dataclass(slots=True)
class Drawing:
    width: float
    height: float
    contents: list = field(default_factory=list)

    def add(self, shape) -> None:
        self.contents.append(shape)


def walk(node):
    """Every shape of a drawing or group, groups opened, in drawing order."""
    for shape in node.contents:
        if isinstance(shape, Group):
            yield from walk(shape)
        else:
            yield shape


@dataclass(frozen=True)
class Series:
    """One named line, polygon or set of bars; None is "no value" (not rated, or suppressed)."""

    name: str
    values: tuple[float | None, ...]


# Any change to this file changes every chart's digest: a kept SVG is never one that older
# drawing code made.
CODE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@dataclass(frozen=True)
class Chart:
    """A drawing with its text alternative: `description` for a screen reader's first hearing,
    and `columns`/`rows` (strings, ready to print) as the data table, and a `note` (may be empty)
    that the page and the PDF print under the drawing.

    The drawing is made when first asked for: a page whose SVG is kept never builds it.
    `inputs` holds everything the drawing is made from (the values unformatted, the scale's top
    level ...), so that with the title and text alternative it names the drawing (`digest`).
    `svg`, when given, is its SVG already written for the id `svg_id` (kept with the figures it
    draws: dashboards.queries.page_charts)."""

    draw: Callable[[], Drawing] = field(repr=False, compare=False)
    title: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    inputs: tuple = ()
    svg_id: str | None = None
    svg: str | None = field(default=None, repr=False, compare=False)
    note: str = ""      # printed under the drawing: what it leaves out, and why

    @cached_property
    def drawing(self) -> Drawing:
        return self.draw()

    def digest(self, chart_id: str) -> str:
        """What names this chart's SVG under `chart_id`: equal digests, equal SVG."""
        named = repr((CODE_DIGEST, chart_id, self.title, self.description, self.columns, self.rows,
                      self.inputs, self.note))
        return hashlib.sha256(named.encode()).hexdigest()


# -- formatting -------------------------------------------------------------------------------

def format_level(value: float | None) -> str:
    """A level as people read it: "2" for a whole level, "2.5" for a mean, "—" for none."""
    if value is None:
        return MISSING
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def format_mean(value: float | None) -> str:
    return MISSING if value is None else f"{value:.1f}"


def _listing(names: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _extremes(labels: Sequence[str], values: Sequence[float | None], fmt) -> str:
    """"highest COG.1 (3), lowest INST.2 and INST.4 (1)", or "3 on every one" when flat."""
    known = [(label, v) for label, v in zip(labels, values, strict=True) if v is not None]
    top, bottom = max(v for _, v in known), min(v for _, v in known)
    if math.isclose(top, bottom):
        return f"{fmt(top)} on every one with a value"
    highest = [label for label, v in known if math.isclose(v, top)]
    lowest = [label for label, v in known if math.isclose(v, bottom)]
    return f"highest {_listing(highest)} ({fmt(top)}), lowest {_listing(lowest)} ({fmt(bottom)})"


def _has_values(series: Sequence[Series]) -> bool:
    return any(v is not None for s in series for v in s.values)


def _drawn_entries(series: Sequence[Series]) -> list[tuple[str, int]]:
    """Legend entries (name, series index) of the series that have something drawn: a legend
    naming a line the reader cannot find is a puzzle. The index keeps each series' style."""
    return [(s.name, i) for i, s in enumerate(series) if any(v is not None for v in s.values)]


# -- drawing helpers --------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def _text_width(text: str, size: float) -> float:
    return stringWidth(text, FONT, size)


def _fit_lines(text: str, width: float, size: float, max_lines: int = 2) -> list[str]:
    """`text` wrapped at spaces into at most `max_lines` lines of `width`; the last line that
    does not fit ends with an ellipsis (the data table always has the whole text)."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and _text_width(f"{line} {words[0]}", size) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words or any(_text_width(line, size) > width for line in lines):
        last = lines[-1] + (" " + " ".join(words) if words else "")
        while last and _text_width(last + "…", size) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return lines or [""]


def _label(x: float, y: float, text: str, size: float = LABEL_SIZE, anchor: str = "start",
           color=INK) -> String:
    return String(x, y, text, fontSize=size, fillColor=color, textAnchor=anchor)


def _marker(kind: str, x: float, y: float, color, size: float = 3.5):
    """A filled marker with a white edge, so it stays visible where lines cross."""
    style = {"fillColor": color, "strokeColor": WHITE, "strokeWidth": 0.75}
    if kind == "square":
        return Rect(x - size, y - size, 2 * size, 2 * size, **style)
    if kind == "triangle":
        return Polygon([x, y + size * 1.2, x - size * 1.1, y - size * 0.8, x + size * 1.1, y - size * 0.8],
                       **style)
    if kind == "diamond":
        return Polygon([x, y + size * 1.3, x + size * 1.1, y, x, y - size * 1.3, x - size * 1.1, y], **style)
    return Circle(x, y, size, **style)


def _series_style(index: int) -> tuple:
    return (PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)], MARKERS[index % len(MARKERS)])


def _legend(entries: Sequence[tuple[str, int]], y_top: float, kind: str) -> tuple[Group, float]:
    """Legend entries (name, series index) laid out in rows across the width, starting at
    `y_top`; `kind` is "line" (dash and marker) or "bar" (swatch, hatched after the first).
    Returns the group and the height it took."""
    group = Group()
    sample = 26 if kind == "line" else 12
    row_height = LABEL_SIZE * 1.6
    x, y = 0.0, y_top - row_height + 4
    rows = 1
    for name, index in entries:
        text = _fit_lines(name, WIDTH / 2, LABEL_SIZE, max_lines=1)[0]
        width = sample + 6 + _text_width(text, LABEL_SIZE) + 16
        if x > 0 and x + width > WIDTH:
            x, y, rows = 0.0, y - row_height, rows + 1
        color, dash, marker = _series_style(index)
        if kind == "line":
            group.add(Line(x, y + 3.5, x + sample, y + 3.5, strokeColor=color, strokeWidth=2,
                           strokeDashArray=dash))
            group.add(_marker(marker, x + sample / 2, y + 3.5, color))
        else:
            group.add(Rect(x, y - 1, sample, 10, fillColor=color, strokeColor=INK, strokeWidth=0.5,
                           hatch=BAR_HATCH if index else None))
        group.add(_label(x + sample + 6, y, text))
        x += width
    return group, rows * row_height


def _no_data(title: str, columns: Sequence[str], height: float = 120) -> Chart:
    def draw() -> Drawing:
        drawing = Drawing(WIDTH, height)
        drawing.add(Rect(0.5, 0.5, WIDTH - 1, height - 1, fillColor=NEUTRAL, strokeColor=GRID))
        drawing.add(_label(WIDTH / 2, height / 2 - LABEL_SIZE / 3, NO_DATA, size=LABEL_SIZE + 2,
                           anchor="middle", color=MUTED))
        return drawing

    return Chart(draw, title, NO_DATA, tuple(columns), (), inputs=(height,))


# -- radar ------------------------------------------------------------------------------------

def radar_chart(axes: Sequence[str], series: Sequence[Series], *, max_level: int, title: str,
                axis_name: str = "Competency", names: Sequence[str] = ()) -> Chart:
    """A spider chart of a profile: one spoke per axis (competency codes or short names), rings
    at levels 1..max_level, one polygon per series (self, coach, target ...).

    `names`, one per axis, name what the codes on the spokes stand for: a key under the drawing
    ("COG.1 Critical thinking"), the table's first column ("Critical thinking (COG.1)") and the
    description use them, so nobody has to know the codes.

    A None value leaves a gap: the series' line is broken either side of that spoke, rather
    than drawn to the centre (which would read as level 0) or across it (which would invent a
    value). The table shows "—" there. `axis_name` heads the table's first column.
    """
    axes, series, names = tuple(axes), tuple(series), tuple(names)   # the drawing is made later
    if names and len(names) != len(axes):
        raise ValueError(f"radar chart {title!r}: {len(names)} names for {len(axes)} axes")
    columns = (axis_name, *(s.name for s in series))
    if not axes or not _has_values(series):
        return _no_data(title, columns)

    def draw() -> Drawing:
        legend_entries = _drawn_entries(series)
        _, legend_height = _legend(legend_entries, 0, "line")
        key, key_height = _axis_key(axes, names)
        label_lines = [_fit_lines(a, 90, LABEL_SIZE) for a in axes]
        label_width = max(_text_width(line, LABEL_SIZE) for lines in label_lines for line in lines)
        line_height = LABEL_SIZE * LINE_HEIGHT
        radius = min(WIDTH / 2 - label_width - 14, 150)
        below = key_height + legend_height + 8
        height = 2 * (radius + 2 * line_height + 12) + below
        cx, cy = WIDTH / 2, below + radius + 2 * line_height + 12
        drawing = Drawing(WIDTH, height)
        angles = [math.pi / 2 - 2 * math.pi * i / len(axes) for i in range(len(axes))]

        def point(i: int, level: float) -> tuple[float, float]:
            r = radius * level / max_level
            return cx + r * math.cos(angles[i]), cy + r * math.sin(angles[i])

        for level in range(1, max_level + 1):
            ring = [c for i in range(len(axes)) for c in point(i, level)]
            drawing.add(Polygon(ring, fillColor=None, strokeColor=GRID, strokeWidth=0.75))
        for i, lines in enumerate(label_lines):
            drawing.add(Line(cx, cy, *point(i, max_level), strokeColor=GRID, strokeWidth=0.75))
            drawing.add(_axis_label(lines, *point(i, max_level), angles[i], line_height))
        for level in range(1, max_level + 1):
            # Left of the top spoke and just inside each ring: clear of the top label and of the
            # markers, which sit on the spokes.
            x, y = point(0, level)
            drawing.add(_label(x - 4, y - SMALL_SIZE - 1, str(level), size=SMALL_SIZE, anchor="end",
                               color=MUTED))
        for index, s in enumerate(series):
            drawing.add(_radar_series(s, index, point))
        legend, _ = _legend(legend_entries, key_height + legend_height + 2, "line")
        drawing.add(legend)
        if key is not None:
            drawing.add(key)
        return drawing

    shown = tuple(f"{name} ({axis})" for axis, name in zip(axes, names, strict=True)) if names else axes
    rows = tuple((label, *(format_level(s.values[i]) for s in series)) for i, label in enumerate(shown))
    described = [f"{s.name}: {_extremes(names or axes, s.values, format_level)}."
                 for s in series if any(v is not None for v in s.values)]
    return Chart(draw, title, " ".join(described), columns, rows,
                 inputs=("radar", axes, series, max_level, names))


def _axis_key(axes: Sequence[str], names: Sequence[str]) -> tuple[Group | None, float]:
    """What the spokes' codes stand for, in two columns under the drawing ("COG.1 Critical
    thinking"); (None, 0) without names. Returns the group, laid out from its height down to
    0, and that height."""
    if not names:
        return None, 0.0
    column_width, row_height = WIDTH / 2, SMALL_SIZE * LINE_HEIGHT + 1
    code_width = max(_text_width(a, SMALL_SIZE) for a in axes) + 6
    rows = math.ceil(len(axes) / 2)
    height = rows * row_height + 6
    group = Group()
    for i, (axis, name) in enumerate(zip(axes, names, strict=True)):
        x = column_width * (i // rows)
        y = height - row_height * (i % rows + 1)
        text = _fit_lines(name, column_width - code_width - 8, SMALL_SIZE, max_lines=1)[0]
        group.add(_label(x, y, axis, size=SMALL_SIZE))
        group.add(_label(x + code_width, y, text, size=SMALL_SIZE, color=MUTED))
    return group, height


def _axis_label(lines: list[str], x: float, y: float, angle: float, line_height: float) -> Group:
    """Spoke labels sit outside the outer ring, anchored away from the centre."""
    cos, sin = math.cos(angle), math.sin(angle)
    anchor = "start" if cos > 0.25 else "end" if cos < -0.25 else "middle"
    x += 6 * cos
    block = line_height * len(lines)
    # Above the centre the block's bottom sits on the spoke's end; below, its top does.
    top = y + 6 * sin + (block if sin > 0.25 else 0 if sin < -0.25 else block / 2)
    group = Group()
    for n, text in enumerate(lines):
        group.add(_label(x, top - line_height * (n + 1) + 2.5, text, anchor=anchor))
    return group


def _radar_series(s: Series, index: int, point) -> Group:
    color, dash, marker = _series_style(index)
    group = Group()
    points = [point(i, v) if v is not None else None for i, v in enumerate(s.values)]
    stroke = {"strokeColor": color, "strokeWidth": 2, "strokeDashArray": dash}
    if all(p is not None for p in points):
        # Only the first series is shaded: overlapping tints would muddy each other.
        group.add(Polygon([c for p in points for c in p], fillColor=color if index == 0 else None,
                          fillOpacity=0.10, **stroke))
    else:
        for run in _runs(points):
            if len(run) > 1:
                group.add(PolyLine([c for p in run for c in p], **stroke))
    for p in points:
        if p is not None:
            group.add(_marker(marker, *p, color))
    return group


def _runs(points: list) -> list[list]:
    """The unbroken stretches of a closed ring of points in which some are None."""
    first_gap = points.index(None)
    ordered = points[first_gap + 1:] + points[:first_gap + 1]
    runs, current = [], []
    for p in ordered:
        if p is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(p)
    return runs + ([current] if current else [])


# -- domain means across cycles ----------------------------------------------------------------

def domain_means_chart(cycles: Sequence[str], series: Sequence[Series], *, max_level: int,
                       title: str) -> Chart:
    """One line per domain across cycles (the x axis, oldest first), levels 1..max_level on the
    y axis: growth since baseline. A None breaks the line; the table shows "—"."""
    cycles, series = tuple(cycles), tuple(series)    # the drawing is made later, from these
    columns = ("Cycle", *(s.name for s in series))
    if not cycles or not _has_values(series):
        return _no_data(title, columns)

    def draw() -> Drawing:
        legend_entries = _drawn_entries(series)
        _, legend_height = _legend(legend_entries, 0, "line")
        line_height = SMALL_SIZE * LINE_HEIGHT
        plot_height, left, right = 190.0, 30.0, 16.0
        step = (WIDTH - left - right) / len(cycles)
        cycle_lines = [_fit_lines(c, step - 6, SMALL_SIZE) for c in cycles]
        x_label_height = line_height * max(len(lines) for lines in cycle_lines) + 6
        bottom = legend_height + 10 + x_label_height
        height = bottom + plot_height + 12
        drawing = Drawing(WIDTH, height)

        def y_of(level: float) -> float:
            return bottom + plot_height * (level - 1) / max(max_level - 1, 1)

        for level in range(1, max_level + 1):
            drawing.add(Line(left, y_of(level), WIDTH - right, y_of(level), strokeColor=GRID,
                             strokeWidth=0.75))
            drawing.add(_label(left - 6, y_of(level) - 3, str(level), size=SMALL_SIZE, anchor="end",
                               color=MUTED))
        xs = [left + step * (i + 0.5) for i in range(len(cycles))]
        for x, lines in zip(xs, cycle_lines, strict=True):
            for n, text in enumerate(lines):
                drawing.add(_label(x, bottom - line_height * (n + 1) - 2, text, size=SMALL_SIZE,
                                   anchor="middle"))
        for index, s in enumerate(series):
            color, dash, marker = _series_style(index)
            points = [(x, y_of(v)) if v is not None else None for x, v in zip(xs, s.values, strict=True)]
            for run in _runs(points + [None]):
                if len(run) > 1:
                    drawing.add(PolyLine([c for p in run for c in p], strokeColor=color, strokeWidth=2,
                                         strokeDashArray=dash))
            for p in points:
                if p is not None:
                    drawing.add(_marker(marker, *p, color))
        legend, _ = _legend(legend_entries, legend_height + 2, "line")
        drawing.add(legend)
        return drawing

    rows = tuple((cycle, *(format_mean(s.values[i]) for s in series)) for i, cycle in enumerate(cycles))
    return Chart(draw, title, _growth_sentence(cycles, series), columns, rows,
                 inputs=("means", cycles, series, max_level))


def _growth_sentence(cycles: Sequence[str], series: Sequence[Series]) -> str:
    """The latest rated cycle's highest and lowest, and the largest change since the first."""
    names = [s.name for s in series]
    rated = [i for i in range(len(cycles)) if any(s.values[i] is not None for s in series)]
    first, last = rated[0], rated[-1]
    text = f"In {cycles[last]}: {_extremes(names, [s.values[last] for s in series], format_mean)}."
    changes = [(s.name, s.values[last] - s.values[first], s.values[first], s.values[last]) for s in series
               if s.values[first] is not None and s.values[last] is not None]
    if first != last and changes:
        name, change, before, after = max(changes, key=lambda c: c[1])
        text += (f" Largest change since {cycles[first]}: {name}, {change:+.1f} "
                 f"({format_mean(before)} to {format_mean(after)}).")
    return text


# -- heatmap ----------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def heat_color(value: float, max_level: int) -> str:
    """The cell colour for a level: HEAT_STOPS spread evenly over 1..max_level."""
    t = min(max((value - 1) / max(max_level - 1, 1), 0.0), 1.0) * (len(HEAT_STOPS) - 1)
    index = min(int(t), len(HEAT_STOPS) - 2)
    low, high, f = _rgb(HEAT_STOPS[index]), _rgb(HEAT_STOPS[index + 1]), t - index
    return "#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in zip(low, high, strict=True))


@cache
def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


@cache
def _luminance(color: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (c / 255 for c in _rgb(color))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(a, b) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@cache
def text_color_on(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill` (the better one is always >= 4.58:1)."""
    return BLACK if contrast_ratio(BLACK, fill) >= contrast_ratio(WHITE, fill) else WHITE


def heatmap_chart(row_labels: Sequence[str], column_labels: Sequence[str],
                  values: Sequence[Sequence[float | None]], *, max_level: int, title: str,
                  missing_label: str = MISSING, row_name: str = "Competency",
                  row_nouns: tuple[str, str] = ("row", "rows"),
                  column_nouns: tuple[str, str] = ("column", "columns"),
                  hidden_reason: str = "") -> Chart:
    """Mean level per row (competency) and column (cohort, team, school): a shaded grid with the
    value printed in every cell. A None cell (no value, or suppressed for privacy) is hatched
    grey and reads `missing_label` in the table; the legend explains both. Rows and columns
    without any value are left out of the drawing, and the chart's `note` says how many and
    why ("2 competencies and 4 cohorts are not shown: `hidden_reason`"): only counts, which the
    data table (still listing each, as `missing_label`) already gives."""
    row_labels, column_labels = tuple(row_labels), tuple(column_labels)   # the drawing is made later
    values = tuple(tuple(row) for row in values)
    columns = (row_name, *column_labels)
    if not row_labels or not column_labels or not any(v is not None for row in values for v in row):
        return _no_data(title, columns)
    shown_rows = [r for r, row in enumerate(values) if any(v is not None for v in row)]
    shown_columns = [c for c in range(len(column_labels)) if any(row[c] is not None for row in values)]

    def draw() -> Drawing:
        row_height, header_gap = 20.0, 6.0
        lefts = [row_labels[r] for r in shown_rows]
        heads = [column_labels[c] for c in shown_columns]
        label_width = min(max(_text_width(r, LABEL_SIZE) for r in lefts) + 8, WIDTH * 0.35)
        cell_width = (WIDTH - label_width) / len(heads)
        header_lines = [_fit_lines(c, cell_width - 4, SMALL_SIZE, max_lines=3) for c in heads]
        line_height = SMALL_SIZE * LINE_HEIGHT
        header_height = line_height * max(len(lines) for lines in header_lines) + header_gap
        legend_height = 40.0
        grid_height = row_height * len(lefts)
        height = legend_height + grid_height + header_height
        drawing = Drawing(WIDTH, height)
        top = legend_height + grid_height
        for c, lines in enumerate(header_lines):
            x = label_width + cell_width * (c + 0.5)
            for n, text in enumerate(lines):
                drawing.add(_label(x, top + header_height - line_height * (n + 1), text, size=SMALL_SIZE,
                                   anchor="middle"))
        cell_label = missing_label if _text_width(missing_label, SMALL_SIZE) <= cell_width - 6 else MISSING
        for r, label in enumerate(lefts):
            text = _fit_lines(label, label_width - 8, LABEL_SIZE, max_lines=1)[0]
            drawing.add(_label(0, top - row_height * (r + 0.5) - 3.5, text))
        for r, row in enumerate(shown_rows):
            y = top - row_height * (r + 1)
            for c, column in enumerate(shown_columns):
                drawing.add(_heat_cell(label_width + cell_width * c, y, cell_width, row_height,
                                       values[row][column], max_level, cell_label))
        drawing.add(_heat_legend(max_level, missing_label, legend_height))
        return drawing

    rows = tuple((label, *(format_mean(v) if v is not None else missing_label for v in values[r]))
                 for r, label in enumerate(row_labels))
    described = _heat_sentence(row_labels, column_labels, values, missing_label)
    hidden = [_counted(len(row_labels) - len(shown_rows), row_nouns),
              _counted(len(column_labels) - len(shown_columns), column_nouns)]
    hidden = [h for h in hidden if h]
    note = ""
    if hidden:
        verb = "is" if len(hidden) == 1 and hidden[0].startswith("1 ") else "are"
        note = f"{' and '.join(hidden)} {verb} not shown in the chart"
        note += f": {hidden_reason or f'no cell there has a value ({missing_label})'}."
    return Chart(draw, title, described, columns, rows, note=note,
                 inputs=("heatmap", row_labels, column_labels, values, max_level, row_nouns, column_nouns,
                         hidden_reason))


def _counted(n: int, nouns: tuple[str, str]) -> str:
    """"1 cohort", "4 cohorts"; "" for none."""
    return "" if n == 0 else f"{n} {nouns[0] if n == 1 else nouns[1]}"


def _heat_cell(x: float, y: float, width: float, height: float, value: float | None, max_level: int,
               missing_label: str) -> Group:
    cell = Group()
    if value is None:
        cell.add(Rect(x, y, width, height, fillColor=NEUTRAL, strokeColor=WHITE, strokeWidth=1,
                      hatch=WITHHELD_HATCH))
        cell.add(_label(x + width / 2, y + height / 2 - 3, missing_label, size=SMALL_SIZE, anchor="middle",
                        color=INK))
        return cell
    fill = heat_color(value, max_level)
    cell.add(Rect(x, y, width, height, fillColor=fill, strokeColor=WHITE, strokeWidth=1))
    cell.add(_label(x + width / 2, y + height / 2 - 3.5, format_mean(value), size=LABEL_SIZE - 1,
                    anchor="middle", color=text_color_on(fill)))
    return cell


def _heat_legend(max_level: int, missing_label: str, height: float) -> Group:
    legend = Group()
    y = height - 26
    legend.add(_label(0, y + 3, "Level:", size=SMALL_SIZE, color=MUTED))
    x = 34.0
    for level in range(1, max_level + 1):
        fill = heat_color(level, max_level)
        legend.add(Rect(x, y, 26, 14, fillColor=fill, strokeColor=GRID, strokeWidth=0.5))
        legend.add(_label(x + 13, y + 3.5, str(level), size=SMALL_SIZE, anchor="middle",
                          color=text_color_on(fill)))
        x += 28
    x += 12
    legend.add(Rect(x, y, 26, 14, fillColor=NEUTRAL, strokeColor=GRID, strokeWidth=0.5, hatch=WITHHELD_HATCH))
    legend.add(_label(x + 32, y + 3, f"No value shown ({missing_label})", size=SMALL_SIZE, color=MUTED))
    return legend


def _heat_sentence(row_labels, column_labels, values, missing_label: str) -> str:
    cells = [(f"{row} in {column}", v) for r, row in enumerate(row_labels)
             for c, column in enumerate(column_labels) if (v := values[r][c]) is not None]
    missing = sum(v is None for row in values for v in row)
    text = f"Across {len(row_labels)} rows and {len(column_labels)} columns: "
    text += _extremes([c for c, _ in cells], [v for _, v in cells], format_mean) + "."
    if missing:
        text += f" {missing} cell{'s' if missing != 1 else ''} not shown ({missing_label})."
    return text


# -- horizontal bars --------------------------------------------------------------------------

def bar_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, value_format: str = "{:.0f}",
              max_value: float | None = None, label_name: str = "Group") -> Chart:
    """Horizontal bars, one group per label and one bar per series (the second and later
    hatched, so they differ in greyscale too), each with its value printed at its end. The
    scale runs from 0 to `max_value` (default: the largest value)."""

    def fmt(value: float | None) -> str:
        return MISSING if value is None else value_format.format(value)

    ends = [[fmt(v) for v in s.values] for s in series]
    chart = _bars(labels, series, ends, title=title, max_value=max_value, label_name=label_name)
    if not chart.rows:
        return chart
    described = [f"{s.name}: {_extremes(labels, s.values, fmt)}." for s in series
                 if any(v is not None for v in s.values)]
    return replace(chart, title=title, description=" ".join(described))


def _bars(labels: Sequence[str], series: Sequence[Series], ends: list[list[str]], *, title: str,
          max_value: float | None, label_name: str) -> Chart:
    """The bar drawing with `ends[s][i]` printed after bar i of series s; the table shows the
    same strings."""
    labels, series = tuple(labels), tuple(series)    # the drawing is made later, from these
    ends = [list(row) for row in ends]
    columns = (label_name, *(s.name for s in series))
    if not labels or not _has_values(series):
        return _no_data(title, columns)

    def draw() -> Drawing:
        bar, gap = 14.0, 10.0
        entries = _drawn_entries(series) if len(series) > 1 else []
        _, legend_height = _legend(entries, 0, "bar") if entries else (None, 0.0)
        label_lines = [_fit_lines(label, WIDTH * 0.3, LABEL_SIZE) for label in labels]
        label_width = max(_text_width(line, LABEL_SIZE) for lines in label_lines for line in lines) + 10
        end_width = max(_text_width(text, SMALL_SIZE) for row in ends for text in row) + 8
        group_height = bar * len(series) + gap
        plot_width = WIDTH - label_width - end_width
        top_value = max_value or max((v for s in series for v in s.values if v is not None), default=0) or 1
        height = group_height * len(labels) + legend_height + 6
        drawing = Drawing(WIDTH, height)
        top = height
        for i, lines in enumerate(label_lines):
            group_top = top - group_height * i - gap / 2
            middle = group_top - bar * len(series) / 2
            line_height = LABEL_SIZE * LINE_HEIGHT
            for n, text in enumerate(lines):
                baseline = middle + line_height * len(lines) / 2 - line_height * (n + 1) + 2.5
                drawing.add(_label(label_width - 10, baseline, text, anchor="end"))
            for s_index, s in enumerate(series):
                y = group_top - bar * (s_index + 1)
                value = s.values[i]
                length = plot_width * min(max(value or 0, 0) / top_value, 1.0)
                color = _series_style(s_index)[0]
                if length > 0:
                    drawing.add(Rect(label_width, y + 1, length, bar - 2, fillColor=color, strokeColor=INK,
                                     strokeWidth=0.5, hatch=BAR_HATCH if s_index else None))
                drawing.add(_label(label_width + length + 4, y + 4, ends[s_index][i], size=SMALL_SIZE))
        drawing.add(Line(label_width, top, label_width, legend_height + 6, strokeColor=INK, strokeWidth=0.75))
        if entries:
            legend, _ = _legend(entries, legend_height, "bar")
            drawing.add(legend)
        return drawing

    rows = tuple((label, *(ends[s][i] for s in range(len(series)))) for i, label in enumerate(labels))
    return Chart(draw, title, "", columns, rows, inputs=("bars", labels, series, ends, max_value))


def lane_distribution_chart(lane_counts: Sequence[tuple[str, int]], *, title: str) -> Chart:
    """How many educators are in each lane, by the district's lane labels."""
    labels = [label for label, _ in lane_counts]
    counts = tuple(count for _, count in lane_counts)
    chart = bar_chart(labels, [Series("Educators", counts)], title=title, label_name="Lane")
    if not chart.rows:
        return chart
    total = sum(counts)
    parts = "; ".join(f"{label}: {count} ({count / total:.0%})" if total else f"{label}: {count}"
                      for label, count in lane_counts)
    return replace(chart, title=title, description=f"{total} educators in lanes. {parts}.")


def participation_chart(labels: Sequence[str], completed: Sequence[int], totals: Sequence[int], *,
                        title: str, label_name: str = "Group") -> Chart:
    """The share of each group (school, team) that completed, as bars of 0-100%, each reading
    "12 of 19 (63%)"."""
    counts = list(zip(completed, totals, strict=True))
    shares = tuple(done / total * 100 if total else None for done, total in counts)
    ends = [[f"{done} of {total} ({share:.0f}%)" if share is not None else f"{done} of {total}"
             for done, total, share in zip(completed, totals, shares, strict=True)]]
    chart = _bars(labels, [Series("Completed", shares)], ends, title=title, max_value=100,
                  label_name=label_name)
    if not chart.rows:
        return chart
    done, total = sum(completed), sum(totals)
    overall = f"{done} of {total} completed ({done / total:.0%}) overall" if total else "Nobody to count yet"
    known = [(label, share) for label, share in zip(labels, shares, strict=True) if share is not None]
    detail = _extremes([k for k, _ in known], [v for _, v in known], lambda v: f"{v:.0f}%") if known else ""
    return replace(chart, title=title, description=f"{overall}; {detail}." if detail else f"{overall}.")


# -- SVG for pages ----------------------------------------------------------------------------

CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# The description names the one font charts use; a browser needs a family it has: DejaVu Sans
# where it is installed, else Verdana, whose widths are close to it (Vera, DejaVu's base, was
# drawn to Verdana's proportions), else a narrower sans-serif, in which labels placed for
# DejaVu's widths still fit.
BROWSER_FONT = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, sans-serif"
_TEXT = f'<text font-family="{BROWSER_FONT}"'


def to_svg(chart: Chart, *, chart_id: str) -> str:
    """The chart as inline SVG for a page: role="img", labelled by its own <title> and <desc>
    (ids `<chart_id>-title` and `-desc`), scaling to its container (viewBox, no fixed size).

    Written as text from the description: every label is escaped here, and colours and sizes
    are presentation attributes (the Content-Security-Policy, style-src 'self', blocks inline
    style attributes, not these). Each kind of hatch is one <pattern> (id `<chart_id>-hatch<n>`)
    that hatched shapes fill with, so several charts can share a page."""
    if not CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must be an HTML id made of letters, digits, - and _: {chart_id!r}")
    drawing = chart.drawing
    patterns: dict[Hatch, str] = {}
    body: list[str] = []
    _svg_shapes(drawing, drawing.height, body, patterns, chart_id)
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(drawing.width)} {_n(drawing.height)}" '
            f'preserveAspectRatio="xMidYMid meet" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart__svg" '
            f'font-family="{BROWSER_FONT}">',
            f'<title id="{chart_id}-title">{_escape(chart.title)}</title>',
            f'<desc id="{chart_id}-desc">{_escape(chart.description)}</desc>']
    if patterns:
        head.append("<defs>" + "".join(_svg_pattern(hatch, pattern_id)
                                       for hatch, pattern_id in patterns.items()) + "</defs>")
    return "".join(head) + "".join(body) + "</svg>"


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _n(value: float) -> str:
    """A coordinate in at most six digits, without trailing zeros (hundredths of a point for
    any drawing under 10,000 pt)."""
    return f"{value:.6g}"


def _stroke(color: str | None, width: float, dash: tuple | None = None) -> str:
    if color is None:
        return ""
    text = f' stroke="{color}" stroke-width="{_n(width)}"'
    return text + f' stroke-dasharray="{" ".join(_n(d) for d in dash)}"' if dash else text


def _points(points: list[float], height: float) -> str:
    return " ".join(f"{_n(points[i])},{_n(height - points[i + 1])}" for i in range(0, len(points), 2))


def _svg_shapes(node, height: float, out: list[str], patterns: dict[Hatch, str], chart_id: str) -> None:
    """Append the SVG of every shape under `node`, y turned downwards (`height` - y)."""
    for s in walk(node):
        if isinstance(s, String):
            anchor = "" if s.textAnchor == "start" else f' text-anchor="{s.textAnchor}"'
            out.append(f'{_TEXT} x="{_n(s.x)}" y="{_n(height - s.y)}" font-size="{_n(s.fontSize)}" '
                       f'fill="{s.fillColor}"{anchor}>{_escape(s.text)}</text>')
        elif isinstance(s, Rect):
            out.append(f'<rect x="{_n(s.x)}" y="{_n(height - s.y - s.height)}" width="{_n(s.width)}" '
                       f'height="{_n(s.height)}" fill="{s.fillColor or "none"}"'
                       f'{_stroke(s.strokeColor, s.strokeWidth)}/>')
            if s.hatch is not None:
                pattern_id = patterns.setdefault(s.hatch, f"{chart_id}-hatch{len(patterns)}")
                i = s.hatch.inset
                out.append(f'<rect x="{_n(s.x + i)}" y="{_n(height - s.y - s.height + i)}" '
                           f'width="{_n(s.width - 2 * i)}" height="{_n(s.height - 2 * i)}" '
                           f'fill="url(#{pattern_id})"/>')
        elif isinstance(s, Line):
            out.append(f'<line x1="{_n(s.x1)}" y1="{_n(height - s.y1)}" x2="{_n(s.x2)}" '
                       f'y2="{_n(height - s.y2)}"'
                       f'{_stroke(s.strokeColor, s.strokeWidth, s.strokeDashArray)}/>')
        elif isinstance(s, Polygon):
            opacity = f' fill-opacity="{_n(s.fillOpacity)}"' if s.fillColor and s.fillOpacity < 1 else ""
            out.append(f'<polygon points="{_points(s.points, height)}" fill="{s.fillColor or "none"}"'
                       f'{opacity}{_stroke(s.strokeColor, s.strokeWidth, s.strokeDashArray)}/>')
        elif isinstance(s, PolyLine):
            out.append(f'<polyline points="{_points(s.points, height)}" fill="none"'
                       f'{_stroke(s.strokeColor, s.strokeWidth, s.strokeDashArray)}/>')
        elif isinstance(s, Circle):
            out.append(f'<circle cx="{_n(s.cx)}" cy="{_n(height - s.cy)}" r="{_n(s.r)}" '
                       f'fill="{s.fillColor or "none"}"{_stroke(s.strokeColor, s.strokeWidth)}/>')
        else:
            raise TypeError(f"no SVG for {type(s).__name__}")


def _svg_pattern(hatch: Hatch, pattern_id: str) -> str:
    """Lines from top left to bottom right, `hatch.spacing` apart along an edge: a tile holding
    one vertical line, turned 45 degrees."""
    tile = hatch.spacing / math.sqrt(2)
    return (f'<pattern id="{pattern_id}" width="{_n(tile)}" height="{_n(tile)}" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">'
            f'<line x1="{_n(tile / 2)}" y1="0" x2="{_n(tile / 2)}" '
            f'y2="{_n(tile)}" stroke="{hatch.color}" stroke-width="0.6"/></pattern>')


# -- PDF --------------------------------------------------------------------------------------

@cache
def _pdf_color(color: str) -> colors.Color:
    return colors.HexColor(color)


def draw_pdf(drawing: Drawing, canvas) -> None:
    """Draw the description on a reportlab canvas, its origin at the canvas's (0, 0), in the
    same units. Each kind of hatch is drawn once, as a form (an XObject) of lines across the
    whole drawing, and a hatched rectangle shows it clipped to itself."""
    hatches = {s.hatch: None for s in walk(drawing) if isinstance(s, Rect) and s.hatch is not None}
    forms = {hatch: _pdf_hatch_form(canvas, hatch, drawing.width, drawing.height) for hatch in hatches}
    canvas.saveState()
    canvas.setLineCap(0)
    canvas.setLineJoin(0)
    for s in walk(drawing):
        if isinstance(s, String):
            canvas.setFont(FONT, s.fontSize)
            canvas.setFillColor(_pdf_color(s.fillColor))
            show = {"start": canvas.drawString, "middle": canvas.drawCentredString,
                    "end": canvas.drawRightString}[s.textAnchor]
            show(s.x, s.y, s.text)
            continue
        stroke = _pdf_paint(canvas, getattr(s, "fillColor", None), s.strokeColor, s.strokeWidth,
                            getattr(s, "strokeDashArray", None))
        fill = int(getattr(s, "fillColor", None) is not None)
        if isinstance(s, Rect):
            canvas.rect(s.x, s.y, s.width, s.height, stroke=stroke, fill=fill)
            if s.hatch is not None:
                _pdf_hatch(canvas, s, forms[s.hatch])
        elif isinstance(s, Line):
            canvas.line(s.x1, s.y1, s.x2, s.y2)
        elif isinstance(s, Polygon | PolyLine):
            path = canvas.beginPath()
            path.moveTo(s.points[0], s.points[1])
            for i in range(2, len(s.points), 2):
                path.lineTo(s.points[i], s.points[i + 1])
            if isinstance(s, Polygon):
                path.close()
                canvas.saveState()
                canvas.setFillAlpha(s.fillOpacity)
                canvas.drawPath(path, stroke=0, fill=fill)
                canvas.restoreState()
                canvas.drawPath(path, stroke=stroke, fill=0)
            else:
                canvas.drawPath(path, stroke=stroke, fill=0)
        elif isinstance(s, Circle):
            canvas.circle(s.cx, s.cy, s.r, stroke=stroke, fill=fill)
        else:
            raise TypeError(f"no PDF drawing for {type(s).__name__}")
    canvas.restoreState()


def _pdf_paint(canvas, fill: str | None, stroke: str | None, width: float, dash: tuple | None) -> int:
    """Set the fill and stroke; 1 when the shape has a stroke to draw."""
    if fill is not None:
        canvas.setFillColor(_pdf_color(fill))
    if stroke is None:
        return 0
    canvas.setStrokeColor(_pdf_color(stroke))
    canvas.setLineWidth(width)
    canvas.setDash(list(dash) if dash else [])
    return 1


# PDF form names are the document's: each drawing's hatches get names of their own.
_form_numbers = itertools.count()


def _pdf_hatch_form(canvas, hatch: Hatch, width: float, height: float) -> str:
    """A form of the hatch's lines (x + y = offset) across a `width` x `height` drawing."""
    name = f"chart-hatch-{next(_form_numbers)}"
    canvas.beginForm(name, 0, 0, width, height)
    lines = canvas.beginPath()
    offset = hatch.spacing
    while offset < width + height:
        lines.moveTo(offset - height, height)
        lines.lineTo(offset, 0)
        offset += hatch.spacing
    canvas.setStrokeColor(_pdf_color(hatch.color))
    canvas.setLineWidth(0.6)
    canvas.drawPath(lines, stroke=1, fill=0)
    canvas.endForm()
    return name


def _pdf_hatch(canvas, rect: Rect, form: str) -> None:
    """The hatch's form, clipped to the rectangle (shrunk by the hatch's inset)."""
    inset = rect.hatch.inset
    canvas.saveState()
    box = canvas.beginPath()
    box.rect(rect.x + inset, rect.y + inset, rect.width - 2 * inset, rect.height - 2 * inset)
    canvas.clipPath(box, stroke=0, fill=0)
    canvas.doForm(form)
    canvas.restoreState()
