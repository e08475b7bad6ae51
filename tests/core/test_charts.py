"""Charts: what each drawing holds, its text alternative, and the SVG a page inlines."""

import xml.etree.ElementTree as ET

import pytest

from pdplanner.core.charts import (
    MISSING,
    NO_DATA,
    PALETTE,
    WHITE,
    Chart,
    Polygon,
    PolyLine,
    Series,
    String,
    bar_chart,
    contrast_ratio,
    domain_means_chart,
    format_level,
    heat_color,
    heatmap_chart,
    lane_distribution_chart,
    participation_chart,
    radar_chart,
    text_color_on,
    to_svg,
    walk,
)

HOSTILE = "<b>&\"Smith's\""
CODES = ("COG.1", "COG.2", "COG.3", "COG.4", "INTRA.1")


shapes = walk


def texts(chart: Chart) -> list[str]:
    return [s.text for s in shapes(chart.drawing) if isinstance(s, String)]


def markers_of(chart: Chart, index: int) -> int:
    """Markers (white-edged shapes in the series' colour), the legend's sample included."""
    return sum(1 for s in shapes(chart.drawing)
               if getattr(s, "strokeColor", None) == WHITE
               and getattr(s, "fillColor", None) == PALETTE[index])


# -- radar --------------------------------------------------------------------------------------

def test_radar_has_a_spoke_label_per_axis_rings_and_a_marker_per_value():
    chart = radar_chart(CODES, [Series("Self", (1, 2, 3, 4, 2)), Series("Coach", (2, None, 3, 3, None))],
                        max_level=4, title="Profile")
    labels = texts(chart)
    assert all(code in labels for code in CODES)
    assert {"1", "2", "3", "4", "Self", "Coach"} <= set(labels)
    assert markers_of(chart, 0) == 5 + 1
    assert markers_of(chart, 1) == 3 + 1


def test_radar_table_formats_levels_and_shows_a_dash_for_none():
    chart = radar_chart(CODES, [Series("Self", (1, 2.5, 3, 4, 2)), Series("Coach", (2, None, 3, 3, None))],
                        max_level=4, title="Profile")
    assert chart.columns == ("Competency", "Self", "Coach")
    assert chart.rows[0] == ("COG.1", "1", "2")
    assert chart.rows[1] == ("COG.2", "2.5", MISSING)
    assert chart.title == "Profile"


def test_radar_description_names_highest_and_lowest():
    chart = radar_chart(CODES, [Series("Self", (1, 2, 3, 4, 2)), Series("Target", (3,) * 5)],
                        max_level=4, title="Profile")
    assert "Self: highest COG.4 (4), lowest COG.1 (1)." in chart.description
    assert "Target: 3 on every one" in chart.description


def test_radar_breaks_the_line_at_a_missing_value_instead_of_closing_it():
    complete = radar_chart(CODES, [Series("Self", (1, 2, 3, 4, 2))], max_level=4, title="t")
    gappy = radar_chart(CODES, [Series("Self", (1, 2, None, 4, 2))], max_level=4, title="t")
    series_lines = [s for s in shapes(gappy.drawing)
                    if isinstance(s, PolyLine) and s.strokeColor == PALETTE[0]]
    assert len(series_lines) == 1            # INTRA.1 -> COG.1 -> COG.2 and COG.4 -> INTRA.1 are one run
    assert len(series_lines[0].points) == 2 * 4
    closed = [s for s in shapes(complete.drawing) if isinstance(s, Polygon) and s.strokeColor == PALETTE[0]]
    assert len(closed) == 1


def test_radar_axis_name_heads_the_table():
    chart = radar_chart(["Cognitive"], [Series("Self", (2.25,))], max_level=4, title="t", axis_name="Domain")
    assert chart.columns[0] == "Domain"
    assert chart.rows == (("Cognitive", "2.2"),)


@pytest.mark.parametrize("axes,series", [
    ((), [Series("Self", ())]),
    (CODES, []),
    (CODES, [Series("Self", (None,) * 5)]),
])
def test_radar_without_data_says_so(axes, series):
    chart = radar_chart(axes, series, max_level=4, title="Profile")
    assert NO_DATA in texts(chart)
    assert chart.rows == ()
    assert chart.description == NO_DATA


def test_format_level():
    assert [format_level(v) for v in (None, 2, 2.0, 2.5)] == [MISSING, "2", "2", "2.5"]


# -- domain means ------------------------------------------------------------------------------

def test_domain_means_chart_has_cycle_labels_and_a_table_per_cycle():
    cycles = ["Baseline", "Mid-year", "End of year"]
    series = [Series("Cognitive", (2.0, 2.4, 2.8)), Series("Instructional", (1.5, None, 2.0))]
    chart = domain_means_chart(cycles, series, max_level=4, title="Growth")
    assert {"Baseline", "Mid-year", "End of year", "Cognitive", "Instructional"} <= set(texts(chart))
    assert chart.columns == ("Cycle", "Cognitive", "Instructional")
    assert chart.rows == (("Baseline", "2.0", "1.5"), ("Mid-year", "2.4", MISSING),
                          ("End of year", "2.8", "2.0"))
    assert markers_of(chart, 0) == 3 + 1 and markers_of(chart, 1) == 2 + 1
    assert "In End of year: highest Cognitive (2.8), lowest Instructional (2.0)." in chart.description
    assert "Largest change since Baseline: Cognitive, +0.8 (2.0 to 2.8)." in chart.description


def test_domain_means_with_one_cycle_describes_that_cycle():
    chart = domain_means_chart(["Baseline"], [Series("Cognitive", (2.0,)), Series("Intrapersonal", (3.0,))],
                               max_level=4, title="Growth")
    assert chart.description == "In Baseline: highest Intrapersonal (3.0), lowest Cognitive (2.0)."


def test_domain_means_without_cycles_says_so():
    chart = domain_means_chart([], [Series("Cognitive", ())], max_level=4, title="Growth")
    assert NO_DATA in texts(chart) and chart.rows == ()


# -- heatmap -----------------------------------------------------------------------------------

def test_heatmap_prints_every_value_and_the_missing_label():
    chart = heatmap_chart(["COG.1", "COG.2"], ["Cohort A", "Cohort B"], [[2.0, None], [3.25, 1.0]],
                          max_level=4, title="Heat", missing_label="fewer than 5")
    labels = texts(chart)
    assert {"COG.1", "COG.2", "Cohort A", "Cohort B", "2.0", "3.2", "1.0"} <= set(labels)
    assert labels.count("fewer than 5") == 1
    assert "No value shown (fewer than 5)" in labels
    assert chart.columns == ("Competency", "Cohort A", "Cohort B")
    assert chart.rows == (("COG.1", "2.0", "fewer than 5"), ("COG.2", "3.2", "1.0"))
    assert "1 cell not shown (fewer than 5)." in chart.description
    assert "highest COG.2 in Cohort A (3.2), lowest COG.2 in Cohort B (1.0)" in chart.description


def test_heatmap_cell_too_narrow_for_the_missing_label_shows_a_dash():
    columns = [f"Team {i}" for i in range(12)]
    chart = heatmap_chart(["COG.1", "COG.2"], columns, [[None] + [2.0] * 11, [2.0] * 12], max_level=4,
                          title="Heat", missing_label="fewer than 5")
    assert MISSING in texts(chart)
    assert chart.rows[0][1] == "fewer than 5"


def test_heatmap_text_always_contrasts_at_least_4_5_to_1():
    for tenth in range(10, 41):
        fill = heat_color(tenth / 10, 4)
        assert contrast_ratio(text_color_on(fill), fill) >= 4.5


def test_heatmap_without_values_says_so():
    chart = heatmap_chart(["COG.1"], ["A"], [[None]], max_level=4, title="Heat")
    assert NO_DATA in texts(chart) and chart.rows == ()


# -- bars --------------------------------------------------------------------------------------

def test_bar_chart_groups_series_and_prints_formatted_values():
    chart = bar_chart(["Lincoln", "Adams"], [Series("Self", (2.0, None)), Series("Coach", (2.5, 4.0))],
                      title="Bars", value_format="{:.1f}", label_name="School")
    labels = texts(chart)
    assert {"Lincoln", "Adams", "2.0", "2.5", "4.0", MISSING, "Self", "Coach"} <= set(labels)
    assert chart.columns == ("School", "Self", "Coach")
    assert chart.rows == (("Lincoln", "2.0", "2.5"), ("Adams", MISSING, "4.0"))
    assert chart.description == ("Self: 2.0 on every one with a value. "
                                 "Coach: highest Adams (4.0), lowest Lincoln (2.5).")


def test_a_single_series_bar_chart_has_no_legend():
    chart = bar_chart(["A", "B"], [Series("Count", (1, 3))], title="Bars")
    assert "Count" not in texts(chart)
    assert chart.rows == (("A", "1"), ("B", "3"))


def test_lane_distribution_counts_and_shares():
    chart = lane_distribution_chart([("Ready to move", 12), ("Building readiness", 7)], title="Lanes")
    assert chart.columns == ("Lane", "Educators")
    assert chart.rows == (("Ready to move", "12"), ("Building readiness", "7"))
    assert chart.description == "19 educators in lanes. Ready to move: 12 (63%); Building readiness: 7 (37%)."


def test_participation_reads_n_of_m_with_the_share():
    chart = participation_chart(["Lincoln", "Adams", "Empty"], [12, 5, 0], [19, 5, 0], title="Participation",
                                label_name="School")
    assert chart.columns == ("School", "Completed")
    assert chart.rows == (("Lincoln", "12 of 19 (63%)"), ("Adams", "5 of 5 (100%)"), ("Empty", "0 of 0"))
    assert "12 of 19 (63%)" in texts(chart)
    assert chart.description.startswith("17 of 24 completed (71%) overall; highest Adams (100%)")


@pytest.mark.parametrize("chart", [
    bar_chart([], [], title="Bars"),
    lane_distribution_chart([], title="Lanes"),
    participation_chart([], [], [], title="Participation"),
], ids=["bars", "lanes", "participation"])
def test_bars_without_data_say_so(chart):
    assert NO_DATA in texts(chart)
    assert chart.rows == ()


def test_long_labels_are_cut_with_an_ellipsis_and_kept_whole_in_the_table():
    name = "Washington Middle School of the Arts, Sciences and Community Leadership for Tomorrow"
    chart = bar_chart([name], [Series("Count", (3,))], title="Bars")
    assert name not in texts(chart)
    assert any(t.endswith("…") for t in texts(chart))
    assert chart.rows[0][0] == name


# -- SVG ---------------------------------------------------------------------------------------

def svg_of(chart: Chart, chart_id: str = "profile") -> tuple[str, ET.Element]:
    markup = to_svg(chart, chart_id=chart_id)
    return markup, ET.fromstring(markup)


SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("chart", [
    radar_chart(CODES, [Series("Self", (1, 2, 3, 4, None))], max_level=4, title="Profile"),
    domain_means_chart(["A", "B"], [Series("Cognitive", (2.0, 2.5))], max_level=4, title="Growth"),
    heatmap_chart(["COG.1"], ["A"], [[None]], max_level=4, title="Empty heat"),
    participation_chart(["Lincoln"], [3], [4], title="Participation"),
], ids=["radar", "means", "empty", "bars"])
def test_svg_is_an_accessible_responsive_image(chart):
    markup, root = svg_of(chart)
    assert root.tag == f"{SVG}svg"
    assert not markup.startswith("<?xml") and "<!DOCTYPE" not in markup
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "profile-title profile-desc"
    assert root.find(f"{SVG}title").get("id") == "profile-title"
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").get("id") == "profile-desc"
    assert root.find(f"{SVG}desc").text == chart.description
    assert root.get("viewBox") and root.get("width") is None and root.get("height") is None
    elements = list(root.iter())
    assert not [e for e in elements if e.tag.endswith("script")]
    # The CSP allows no inline styles: presentation attributes only; no ids that would repeat.
    assert not [e for e in elements if "style" in e.attrib]
    assert [e.get("id") for e in elements if e.get("id")] == ["profile-title", "profile-desc"]


def test_svg_escapes_hostile_labels():
    chart = bar_chart([HOSTILE], [Series(HOSTILE, (1,))], title=HOSTILE, label_name=HOSTILE)
    markup, root = svg_of(chart)
    assert "<b>" not in markup
    assert root.find(f"{SVG}title").text == HOSTILE
    assert HOSTILE in [e.text for e in root.iter(f"{SVG}text")]


def test_svg_text_uses_a_font_a_browser_has():
    _, root = svg_of(bar_chart(["A"], [Series("Count", (1,))], title="Bars"))
    families = {e.get("font-family") for e in root.iter(f"{SVG}text")}
    assert families == {"'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, sans-serif"}


@pytest.mark.parametrize("chart_id", ["", "1chart", "a b", 'x"y', "<svg>"])
def test_svg_refuses_an_id_that_is_not_an_html_id(chart_id):
    with pytest.raises(ValueError):
        to_svg(bar_chart(["A"], [Series("Count", (1,))], title="Bars"), chart_id=chart_id)


# -- withheld cells: one pattern, folded bands ---------------------------------------------------

def test_a_withheld_heatmap_cell_is_one_pattern_reference():
    chart = heatmap_chart(["COG.1", "COG.2"], ["Cohort A", "Cohort B"], [[2.0, None], [None, 1.0]],
                          max_level=4, title="Heat", missing_label="fewer than 5")
    markup, root = svg_of(chart, "heat")
    patterns = root.findall(f"{SVG}defs/{SVG}pattern")
    assert [p.get("id") for p in patterns] == ["heat-hatch0"]
    assert len(list(patterns[0])) == 1                          # the pattern is one line, drawn once
    hatched = [e for e in root.iter(f"{SVG}rect") if e.get("fill") == "url(#heat-hatch0)"]
    assert len(hatched) == 2 + 1                                # two withheld cells and the legend's sample
    assert markup.count("<line") == 1 and "<path" not in markup


def test_rows_and_columns_without_any_value_are_hidden_and_counted_in_a_note():
    rows = ["COG.1", "COG.2", "COG.3", "COG.4"]
    columns = ["Cohort A", "Cohort B", "Cohort C", "Cohort D", "Cohort E"]
    values = [[2.0, None, 3.0, None, None], [None] * 5, [1.5, None, 2.5, None, None], [None] * 5]
    chart = heatmap_chart(rows, columns, values, max_level=4, title="Heat", missing_label="fewer than 5",
                          row_nouns=("competency", "competencies"), column_nouns=("cohort", "cohorts"),
                          hidden_reason="every figure there is withheld")
    labels = texts(chart)
    assert {"COG.1", "COG.3", "Cohort A", "Cohort C"} <= set(labels)
    assert not {"COG.2", "COG.4", "Cohort B", "Cohort D", "Cohort E"} & set(labels)
    hatched = [s for s in shapes(chart.drawing) if getattr(s, "hatch", None) is not None]
    assert len(hatched) == 1                                    # only the legend's sample
    assert chart.note == ("2 competencies and 3 cohorts are not shown in the chart: "
                          "every figure there is withheld.")
    assert len(chart.rows) == 4 and chart.rows[1] == ("COG.2", *["fewer than 5"] * 5)   # the table has all
    # The note names no row or column and no figure: only counts the table already gives.
    assert not any(name in chart.note for name in rows + columns) and "5" not in chart.note


def test_a_single_hidden_row_is_counted_in_the_singular():
    chart = heatmap_chart(["COG.1", "COG.2"], ["A", "B"], [[None, None], [2.0, 3.0]], max_level=4, title="t",
                          row_nouns=("competency", "competencies"))
    assert "COG.1" not in texts(chart) and "COG.2" in texts(chart)
    assert chart.note == "1 competency is not shown in the chart: no cell there has a value (—)."


def test_a_heatmap_with_every_row_and_column_shown_has_no_note():
    chart = heatmap_chart(["COG.1", "COG.2"], ["A", "B"], [[None, 1.0], [2.0, None]], max_level=4, title="t")
    assert chart.note == "" and {"COG.1", "COG.2", "A", "B"} <= set(texts(chart))


def test_every_kind_of_hatch_is_one_pattern_for_the_whole_chart():
    chart = bar_chart(["A", "B", "C"], [Series("Self", (1, 2, 3)), Series("Coach", (2, 3, 1)),
                                        Series("Peer", (3, 1, 2))], title="Bars")
    markup, root = svg_of(chart, "bars")
    assert [p.get("id") for p in root.iter(f"{SVG}pattern")] == ["bars-hatch0"]
    assert markup.count('fill="url(#bars-hatch0)"') == 2 * 3 + 2   # later series' bars and legend samples


# -- the digest that names a chart's SVG ---------------------------------------------------------

def test_the_digest_names_the_drawing_and_its_id():
    def profile(values=(2.0, 3.0, 1.0), max_level=4):
        return radar_chart(["A", "B", "C"], [Series("Self", values)], max_level=max_level, title="t")

    assert profile().digest("p") == profile().digest("p")
    assert profile().digest("p") != profile().digest("q")
    assert profile(max_level=5).rows == profile().rows
    assert profile(max_level=5).digest("p") != profile().digest("p")      # one more ring
    assert profile((2.0, 3.0, 1.01)).digest("p") != profile().digest("p")  # same table, other drawing


# -- naming what is drawn (issue 15: say it in the reader's words) ------------------------------

NAMES = ("Critical thinking", "Reflective practice", "Creativity", "Problem solving", "Growth mindset")


def test_radar_names_each_competency_in_a_key_the_table_and_the_description():
    chart = radar_chart(CODES, [Series("Self", (1, 2, 3, 4, 2))], max_level=4, title="Profile",
                        names=NAMES)
    labels = texts(chart)
    assert all(name in labels for name in NAMES)                 # the key under the drawing
    assert [row[0] for row in chart.rows][:2] == ["Critical thinking (COG.1)", "Reflective practice (COG.2)"]
    assert chart.description == "Self: highest Problem solving (4), lowest Critical thinking (1)."
    svg = to_svg(chart, chart_id="profile")
    assert "Problem solving" in svg
    # Names are part of what the drawing is made of: a kept SVG without them is never served.
    unnamed = radar_chart(CODES, [Series("Self", (1, 2, 3, 4, 2))], max_level=4, title="Profile")
    assert chart.digest("profile") != unnamed.digest("profile")


def test_radar_refuses_names_that_do_not_match_its_axes():
    with pytest.raises(ValueError, match="4 names for 5 axes"):
        radar_chart(CODES, [Series("Self", (1, 2, 3, 4, 2))], max_level=4, title="Profile", names=NAMES[:4])


def test_a_legend_names_only_the_series_that_are_drawn():
    series = [Series("Self", (1, 2, 3, 4, 2)), Series("Coach", (None,) * 5), Series("Target", (3,) * 5)]
    labels = texts(radar_chart(CODES, series, max_level=4, title="Profile"))
    assert "Self" in labels and "Target" in labels and "Coach" not in labels
    # The target keeps its own style (third in the palette), not the coach's.
    assert markers_of(radar_chart(CODES, series, max_level=4, title="Profile"), 2) == 5 + 1
    growth = domain_means_chart(["Baseline", "Mid-year"], [Series("Cognitive", (2.0, 2.5)),
                                                           Series("Instructional", (None, None))],
                                max_level=4, title="Growth")
    assert "Cognitive" in texts(growth) and "Instructional" not in texts(growth)
    bars = bar_chart(["A", "B"], [Series("Started", (1, 2)), Series("Submitted", (None, None))], title="Bars")
    assert "Started" in texts(bars) and "Submitted" not in texts(bars)
