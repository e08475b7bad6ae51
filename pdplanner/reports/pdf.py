"""PDF reports (SPEC 6 and 10) with reportlab: the building blocks every report uses, and the
educator's growth plan. No Flask and no database here: callers pass plain values.

A report is a list of flowables handed to `report_pdf`:

    story = [heading("Lanes"), paragraph(text_from_a_user),
             chart_flowable(chart), data_table(chart.columns, chart.rows)]
    pdf_bytes = report_pdf("School readiness", "Lincoln Elementary · Autumn 2026", date.today(), story)

Every helper that takes text escapes it: reportlab's Paragraph parses a markup language, so a
name like "<b>&Smith" must never reach it raw. A chart is its drawing only; the data table that
follows it is its text alternative, as on the pages.

Page size: US Letter. pdplanner's districts are American schools, which print on Letter; the
frame (504 pt wide) is also narrower than A4's printable width, so a Letter report prints whole
on A4 paper at 97%.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from pdplanner.core.charts import BOLD_FONT, FONT, Chart, draw_pdf

PAGE_SIZE = LETTER
MARGIN = 0.75 * inch
HEADER_GAP = 0.35 * inch         # between the running header/footer and the frame
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
FRAME_HEIGHT = PAGE_SIZE[1] - 2 * MARGIN - 2 * HEADER_GAP
AUTHOR = "pdplanner"
LANGUAGE = "en-US"

INK = colors.HexColor("#1b2430")
MUTED = colors.HexColor("#4d5968")
BRAND = colors.HexColor("#174a6c")
LINE = colors.HexColor("#c9d1db")
ZEBRA = colors.HexColor("#f3f5f8")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK, spaceAfter=6)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, spaceAfter=0)
MUTED_BODY = ParagraphStyle("muted", parent=BODY, textColor=MUTED)
LEAD_NOTE = ParagraphStyle("lead-note", parent=MUTED_BODY, keepWithNext=1)   # a note on what follows it
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD_FONT, fontSize=22, leading=27,
                       textColor=BRAND, spaceAfter=4)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, fontSize=13, leading=17, textColor=INK, spaceAfter=2)
HEADINGS = {
    1: ParagraphStyle("h1", parent=BODY, fontName=BOLD_FONT, fontSize=14, leading=18, textColor=BRAND,
                      spaceBefore=14, spaceAfter=6, keepWithNext=1),
    2: ParagraphStyle("h2", parent=BODY, fontName=BOLD_FONT, fontSize=11.5, leading=15,
                      spaceBefore=10, spaceAfter=4, keepWithNext=1),
}
LIST_ITEM = ParagraphStyle("list-item", parent=BODY, spaceAfter=2)
CELL = ParagraphStyle("cell", parent=SMALL, fontSize=9, leading=11.5)
HEADER_CELL = ParagraphStyle("header-cell", parent=CELL, fontName=BOLD_FONT, textColor=colors.white)


def _markup(text: str) -> str:
    """User text as Paragraph markup: escaped, with its line breaks kept."""
    return escape(text).replace("\n", "<br/>")


def heading(text: str, level: int = 1) -> Paragraph:
    """A section (1) or subsection (2) heading; it stays on the page of what follows it."""
    return Paragraph(_markup(text), HEADINGS[level])


def paragraph(text: str, *, label: str = "", muted: bool = False) -> Paragraph:
    """A paragraph of plain text, optionally led by a bold label ("Why:")."""
    lead = f"<b>{escape(label)}</b> " if label else ""
    return Paragraph(lead + _markup(text), MUTED_BODY if muted else BODY)


def bullets(items: Sequence[str]) -> ListFlowable:
    """A bulleted list of plain-text items (strengths, opportunities ...)."""
    return ListFlowable([ListItem(Paragraph(_markup(item), LIST_ITEM)) for item in items],
                        bulletType="bullet", bulletFontName=FONT, bulletFontSize=10, leftIndent=14,
                        bulletColor=BRAND)


def facts(pairs: Sequence[tuple[str, str]]) -> Table:
    """Label and value rows ("School", "Lincoln Elementary") for a report's opening summary."""
    rows = [[Paragraph(f"<b>{escape(label)}</b>", CELL), Paragraph(_markup(value), CELL)]
            for label, value in pairs]
    table = Table(rows, colWidths=[FRAME_WIDTH * 0.22, FRAME_WIDTH * 0.78], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),   # the cells are Paragraphs; this is the table's own state
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


CELL_PADDING = 6                 # reportlab's default left and right padding of a table cell
# Where a token too long for any column (an email, an address) may break: after these, never
# inside a word and never with an added hyphen.
SOFT_BREAK_AFTER = "@./_-+:"


def data_table(columns: Sequence[str], rows: Sequence[Sequence[str]], *,
               widths: Sequence[float] | None = None, numeric: Sequence[int] = ()) -> Table:
    """A table of strings with a header row that repeats on every page it spans and zebra rows.
    `widths` are fractions of the frame width (equal by default), widened where a column's
    longest word would not fit (`column_widths`); `numeric` columns are right-aligned. Cells
    wrap at spaces only, so a word is never broken inside a cell; a token too long for its
    column breaks after punctuation (`_breakable`). The table never leaves its header and first
    row alone at the foot of a page (`DataTable`)."""
    fractions = widths or [1 / len(columns)] * len(columns)
    body_text = [list(columns), *(list(row) for row in rows)]
    points = column_widths(body_text, [FRAME_WIDTH * f for f in fractions], whole=numeric)

    def cell(text: str, index: int, style: ParagraphStyle) -> Paragraph:
        if index in numeric:
            style = ParagraphStyle(f"{style.name}-right", parent=style, alignment=TA_RIGHT)
        return Paragraph(_breakable(text, points[index] - 2 * CELL_PADDING, style), style)

    body = [[cell(c, i, HEADER_CELL) for i, c in enumerate(columns)]]
    body += [[cell(v, i, CELL) for i, v in enumerate(row)] for row in rows]
    table = DataTable(body, colWidths=points, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), BRAND),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    style += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(body), 2)]
    table.setStyle(TableStyle(style))
    return table


def _longest(text: str, style: ParagraphStyle, *, whole: bool = False) -> float:
    """The width of the longest word in `text` (of its longest line when `whole`)."""
    pieces = text.split("\n") if whole else text.split()
    return max((stringWidth(piece, style.fontName, style.fontSize) for piece in pieces), default=0.0)


def column_widths(cells: Sequence[Sequence[str]], wanted: Sequence[float],
                  whole: Sequence[int] = ()) -> list[float]:
    """Column widths in points: `wanted`, except that a column too narrow for its longest word
    (header row `cells[0]` in bold; the whole value in the `whole` columns, figures such as
    "fewer than 5") takes the room it needs from the columns with room to spare, in proportion
    to what each can spare. Where the columns together cannot hold all that, each narrow
    column gets a fair share, and `_breakable` breaks the tokens still too long."""
    need = [max(_longest(row[i], HEADER_CELL if r == 0 else CELL, whole=r > 0 and i in whole)
                for r, row in enumerate(cells)) + 2 * CELL_PADDING + 1 for i in range(len(wanted))]
    widths = list(wanted)
    short = sum(max(n - w, 0.0) for n, w in zip(need, widths, strict=True))
    spare = sum(max(w - n, 0.0) for n, w in zip(need, widths, strict=True))
    if short == 0:
        return widths
    taken = min(short, spare)
    given = taken / short
    return [w + (n - w) * given if n > w else w - (w - n) * (taken / spare) if spare else w
            for n, w in zip(need, widths, strict=True)]


def _breakable(text: str, width: float, style: ParagraphStyle) -> str:
    """`text` as Paragraph markup (`_markup`) in which every token wider than `width` is cut
    into lines at the points after SOFT_BREAK_AFTER characters, as many to a line as fit."""
    def fits(piece: str) -> bool:
        return stringWidth(piece, style.fontName, style.fontSize) <= width

    def token(word: str) -> str:
        if fits(word):
            return escape(word)
        pieces, start = [], 0
        for i, char in enumerate(word):
            if char in SOFT_BREAK_AFTER and i + 1 < len(word):
                pieces.append(word[start:i + 1])
                start = i + 1
        pieces.append(word[start:])
        lines = [pieces[0]]
        for piece in pieces[1:]:
            if fits(lines[-1] + piece):
                lines[-1] += piece
            else:
                lines.append(piece)
        return "<br/>".join(escape(line) for line in lines)

    return "<br/>".join(" ".join(token(word) for word in line.split(" ")) for line in text.split("\n"))


class DataTable(Table):
    """A data table that splits across pages only where at least `MIN_ROWS` body rows stay
    with the header on this page and at least `MIN_ROWS` go on to the next; anywhere else the
    whole table moves on to the next page (or splits a row earlier). Rows never split inside."""

    MIN_ROWS = 2

    def split(self, available_width, available_height):
        parts = super().split(available_width, available_height)
        if len(parts) != 2:
            return parts
        header = self.repeatRows
        first_rows = len(parts[0]._cellvalues) - header
        rest_rows = len(parts[1]._cellvalues) - header
        if first_rows < self.MIN_ROWS:
            return []
        if rest_rows < self.MIN_ROWS:
            shorter = available_height - sum(parts[0]._rowHeights[-(self.MIN_ROWS - rest_rows):])
            parts = super().split(available_width, shorter)
            if len(parts) != 2 or len(parts[0]._cellvalues) - header < self.MIN_ROWS:
                return []
        return parts


class ChartFlowable(Flowable):
    """A chart's drawing, drawn as vectors (`draw_pdf`, from the description the page's SVG is
    written from) under its title (a level-2 heading) and scaled to the frame's width. Where
    that does not fit the rest of the page, it shrinks to fit, down to `MIN_SCALE` of that size,
    rather than leave half a page empty; below that it moves to the next page, title and all.
    The Chart is not changed: the same drawing serves the SVG."""

    MIN_SCALE = 0.7

    def __init__(self, chart: Chart, *, titled: bool = True):
        super().__init__()
        self.drawing = chart.drawing
        self.title = heading(chart.title, 2) if titled else None
        self.scale = 1.0
        self.title_height = 0.0

    def getSpaceBefore(self):
        return self.title.getSpaceBefore() if self.title else 0

    def wrap(self, available_width, available_height):
        self.title_height = 0.0
        if self.title:
            _, title_height = self.title.wrap(available_width, available_height)
            self.title_height = title_height + self.title.getSpaceAfter()
        full = min(available_width / self.drawing.width,
                   (FRAME_HEIGHT - self.title_height) / self.drawing.height)
        fits = (available_height - self.title_height) / self.drawing.height
        self.scale = full if fits >= full else max(fits, full * self.MIN_SCALE)
        self.width = available_width
        return available_width, self.title_height + self.drawing.height * self.scale

    def draw(self):
        height = self.drawing.height * self.scale
        if self.title:
            self.title.drawOn(self.canv, 0, height + self.title.getSpaceAfter())
        self.canv.saveState()
        self.canv.translate((self.width - self.drawing.width * self.scale) / 2, 0)
        self.canv.scale(self.scale, self.scale)
        draw_pdf(self.drawing, self.canv)
        self.canv.restoreState()


def chart_flowable(chart: Chart, *, titled: bool = True) -> Flowable:
    """The chart's drawing under its title (unless `titled` is False), and nothing else: follow
    it with its data table (`chart_with_table`), the text alternative."""
    return ChartFlowable(chart, titled=titled)


# A data table this short stays on the chart's page (both move on together); a longer one runs on.
SHORT_TABLE_ROWS = 8


def chart_with_table(chart: Chart, *, widths: Sequence[float] | None = None) -> list[Flowable]:
    """What a report shows for every chart: its title and drawing, its note (what the drawing
    leaves out, and why), then its data table."""
    drawn = [chart_flowable(chart)]
    if chart.note:
        drawn += [Spacer(1, 4), Paragraph(_markup(chart.note), LEAD_NOTE)]
    if not chart.rows:
        return drawn
    numeric = range(1, len(chart.columns))
    flowables = [*drawn, Spacer(1, 6),
                 data_table(chart.columns, chart.rows, widths=widths, numeric=numeric)]
    return [KeepTogether(flowables)] if len(chart.rows) <= SHORT_TABLE_ROWS else flowables


class _KeepWithNext(KeepTogether):
    """How platypus keeps a heading with what follows it (it wraps both in this class). A plain
    KeepTogether moves the pair to the next page whenever it does not fit, which leaves most of
    a page empty before a table longer than a page. When the pair could never fit on one page
    anyway, this one moves it only if the heading and the start of what follows do not fit."""

    START = 96  # points: room for a heading and the first rows of a table

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        if self._H <= FRAME_HEIGHT:
            return super().split(available_width, available_height)
        if available_height < self._H0 + self.START:
            return [FrameBreak(), *self._content]
        return list(self._content)


@dataclass(frozen=True)
class _Running:
    """What the running header and footer print on every page."""

    title: str
    subtitle: str
    generated_on: date


def _page_furniture(running: _Running):
    def draw(canvas: Canvas, document) -> None:
        width, height = PAGE_SIZE
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(LINE)
        canvas.setFont(FONT, 8.5)
        if document.page > 1:  # the first page opens with the title block itself
            top = height - MARGIN
            canvas.drawString(MARGIN, top, running.title)
            canvas.drawRightString(width - MARGIN, top, running.subtitle)
            canvas.line(MARGIN, top - 5, width - MARGIN, top - 5)
        canvas.line(MARGIN, MARGIN + 10, width - MARGIN, MARGIN + 10)
        canvas.drawString(MARGIN, MARGIN, f"{running.title} · generated by pdplanner on "
                                          f"{long_date(running.generated_on)}")
        canvas.restoreState()

    return draw


class _NumberedCanvas(Canvas):
    """Writes "Page X of Y" in the footer: each page is kept until the count is known."""

    def __init__(self, *args, **kwargs):
        # Every page starts in the bundled font, so no standard font is listed (or needed).
        super().__init__(*args, **(kwargs | {"initialFontName": FONT}))
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, 8.5)
            self.setFillColor(MUTED)
            self.drawRightString(PAGE_SIZE[0] - MARGIN, MARGIN, f"Page {number} of {total}")
            self.restoreState()
            super().showPage()
        super().save()


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def report_pdf(title: str, subtitle: str, generated_on: date, story: list) -> bytes:
    """The finished PDF: a title block (title, subtitle, generation date), then `story`, on
    Letter pages with a running header (from page 2), a footer with the title and date and
    "Page X of Y", and the title, author, subject and language in the document's metadata."""
    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer, pagesize=PAGE_SIZE, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_GAP, bottomMargin=MARGIN + HEADER_GAP,
        title=title, author=AUTHOR, subject=subtitle, creator=AUTHOR, lang=LANGUAGE, displayDocTitle=True,
        keepTogetherClass=_KeepWithNext,
    )
    frame = Frame(document.leftMargin, document.bottomMargin, FRAME_WIDTH, FRAME_HEIGHT, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate(id="page", frames=[frame],
                                            onPage=_page_furniture(_Running(title, subtitle, generated_on)))])
    opening = [Paragraph(escape(title), TITLE), Paragraph(_markup(subtitle), SUBTITLE),
               Paragraph(f"Generated on {long_date(generated_on)}", MUTED_BODY), Spacer(1, 8)]
    document.build(opening + list(story), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


# -- the educator's growth plan ---------------------------------------------------------------

NOT_SHOWN = "Not shown"


@dataclass(frozen=True)
class PlanActivity:
    title: str
    kind: str
    hours: float | None         # None, with the title and kind not shown: the viewer may not see levels
    status: str                 # as the plan page says it: "In progress", "Verified" ...
    evidence: bool | None       # None: the viewer may not see evidence and reflections
    reflection: bool | None


@dataclass(frozen=True)
class PlanGoal:
    code: str
    name: str
    from_level: str | None      # "Developing (2)" or "not yet observed"; None when hidden
    to_level: str | None        # "Proficient (3)"; None when hidden
    due: str                    # the cycle's last day: "15 December 2026"
    why: str | None             # None when hidden
    success: str                # the next level's descriptor; "" when hidden or unknown
    met: bool
    activities: tuple[PlanActivity, ...]


@dataclass(frozen=True)
class GrowthPlan:
    """Everything the growth plan PDF prints, already decided by who is asking: hidden parts
    are None (or a `hidden_note` explains them)."""

    educator: str
    school: str
    cycle: str
    cycle_dates: str
    has_plan: bool
    lane: str = ""
    lane_why: str = ""
    lane_overridden: bool = False
    cohort: str = ""                    # empty: individual coaching
    cohort_coach: str = ""
    cohort_why: str = ""
    cohort_members: tuple[str, ...] = ()
    individual_reason: str = ""
    goals: tuple[PlanGoal, ...] = ()
    other_activities: tuple[PlanActivity, ...] = ()
    strengths: tuple[str, ...] | None = None
    charts: tuple[Chart, ...] = field(default_factory=tuple)
    hidden_note: str = ""
    basis: str = ""                     # which ratings the plan is built on, and what is not done yet


def growth_plan_pdf(plan: GrowthPlan, generated_on: date) -> bytes:
    """The educator's growth plan (SPEC 10): lane, cohort, goals with their activities, strengths
    and, when the viewer may see ratings, the profile and growth charts with their tables."""
    cohort = plan.cohort or ("Individual coaching" if plan.has_plan else "None yet")
    story: list = [facts([("Educator", plan.educator), ("School", plan.school),
                          ("Cycle", f"{plan.cycle} ({plan.cycle_dates})"),
                          ("Lane", plan.lane or "Not placed yet"), ("Cohort", cohort)])]
    if plan.hidden_note:
        story.append(Spacer(1, 8))
        story.append(paragraph(plan.hidden_note, muted=True))
    if not plan.has_plan:
        story.append(paragraph(f"There is no plan for {plan.cycle} yet. Plans are made from the "
                               "self-assessment and the coach's ratings."))
    else:
        if plan.basis:
            story += [Spacer(1, 8), paragraph(plan.basis)]
        story += _placement(plan) + _goals(plan)
    if plan.strengths:
        story += [heading("Strengths"), paragraph(f"At or above the target level in {plan.cycle}:"),
                  bullets(plan.strengths)]
    for chart in plan.charts:
        story += chart_with_table(chart)
    return report_pdf("Growth plan", f"{plan.educator} · {plan.cycle}", generated_on, story)


def _placement(plan: GrowthPlan) -> list:
    story = [heading(f"Lane: {plan.lane}"), paragraph(plan.lane_why)]
    if plan.lane_overridden:
        story.append(paragraph("Chosen by a coach or principal rather than computed from the numbers.",
                               muted=True))
    if plan.cohort:
        story += [heading(f"Cohort: {plan.cohort}"),
                  paragraph(f"Led by {plan.cohort_coach or 'a coach still to be chosen'}."),
                  *([paragraph(plan.cohort_why)] if plan.cohort_why else []),
                  paragraph(", ".join(plan.cohort_members), label="Members:")]
    else:
        story += [heading("Individual coaching"),
                  paragraph(plan.individual_reason or "A coach works with the educator one to one.")]
    return story


ACTIVITY_COLUMNS = ("Activity", "Type", "Hours", "Status", "Evidence and reflection")
ACTIVITY_WIDTHS = (0.38, 0.17, 0.09, 0.16, 0.20)


def _goals(plan: GrowthPlan) -> list:
    story: list = [heading("Goals")]
    if not plan.goals:
        story.append(paragraph("No goals in this plan." if plan.hidden_note else
                               "No goals: every rated competency is at or above its target."))
    else:
        shown = plan.goals[0].to_level is not None
        columns = ("Priority", "Competency", *(("Growth",) if shown else ()), "By")
        rows = [(str(n), f"{g.code} {g.name}", *((f"{g.from_level} to {g.to_level}",) if shown else ()),
                 g.due) for n, g in enumerate(plan.goals, start=1)]
        widths = (0.1, 0.45, 0.27, 0.18) if shown else (0.1, 0.65, 0.25)
        story.append(data_table(columns, rows, widths=widths, numeric=(0,)))
    for n, goal in enumerate(plan.goals, start=1):
        story.append(heading(f"{n}. {goal.code} {goal.name}" + (" (met)" if goal.met else ""), 2))
        if goal.to_level:
            story.append(paragraph(f"Grow from {goal.from_level} to {goal.to_level} by the end of "
                                   f"{plan.cycle} ({goal.due})."))
        if goal.why:
            story.append(paragraph(goal.why, label="Why:"))
        if goal.success:
            story.append(paragraph(goal.success, label="Success looks like:"))
        story.append(_activities(goal.activities))
    if plan.other_activities:
        story += [heading("More activities", 2), _activities(plan.other_activities)]
    return story


def _activities(activities: Sequence[PlanActivity]):
    if not activities:
        return paragraph("No activities yet.", muted=True)
    rows = [(a.title, a.kind, "" if a.hours is None else f"{a.hours:g}", a.status, _evidence(a))
            for a in activities]
    return data_table(ACTIVITY_COLUMNS, rows, widths=ACTIVITY_WIDTHS, numeric=(2,))


def _evidence(activity: PlanActivity) -> str:
    if activity.evidence is None:
        return NOT_SHOWN
    present = [name for name, has in (("evidence", activity.evidence), ("reflection", activity.reflection))
               if has]
    return " and ".join(present).capitalize() if present else "None yet"


# -- school readiness and district summary ------------------------------------------------------

@dataclass(frozen=True)
class FiguresTable:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None
    numeric: tuple[int, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class LeaderReport:
    """A school readiness report or a district summary, as plain text and charts: every figure
    already worded as the dashboards word it (core.summaries.Measure.text)."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    privacy_note: str
    strengths: tuple[str, ...]
    opportunities: tuple[str, ...]
    tables: tuple[FiguresTable, ...]
    charts: tuple[Chart, ...]


def leader_report_pdf(report: LeaderReport, generated_on: date) -> bytes:
    """The school readiness report and the district summary (SPEC 10): key figures, strengths and
    opportunities, the tables (schools side by side, competencies, cohorts) and the charts, each
    chart followed by its data table."""
    story: list = [facts(report.facts), Spacer(1, 6), paragraph(report.privacy_note, muted=True)]
    story += [heading("Top strengths"),
              bullets(report.strengths) if report.strengths else paragraph(
                  "Not enough ratings yet to name strengths without singling anyone out.", muted=True),
              heading("Top opportunities"),
              bullets(report.opportunities) if report.opportunities else paragraph(
                  "Not enough ratings yet to name opportunities without singling anyone out.", muted=True)]
    for table in report.tables:
        story += [heading(table.title),
                  *([Paragraph(_markup(table.note), LEAD_NOTE)] if table.note else []),
                  data_table(table.columns, table.rows, widths=table.widths, numeric=table.numeric)]
    for chart in report.charts:
        story += chart_with_table(chart)
    return report_pdf(report.title, report.subtitle, generated_on, story)
