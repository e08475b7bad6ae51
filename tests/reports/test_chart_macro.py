"""The chart macro: a figure with the inline SVG and the data table, everything escaped."""

from flask import render_template_string

from pdplanner.core.charts import Series, bar_chart, radar_chart

HOSTILE = "<b>&\"Smith's\""
PAGE = '{% from "_macros/charts.html" import chart %}{{ chart(c, "lanes") }}'


def test_a_chart_is_a_figure_with_its_svg_and_a_data_table(app):
    with app.test_request_context():
        html = render_template_string(PAGE, c=bar_chart([HOSTILE], [Series("Educators", (3,))], title=HOSTILE,
                                                         label_name="School"))
    assert html.count("<svg") == 1 and 'aria-labelledby="lanes-svg-title lanes-svg-desc"' in html
    assert '<figure class="chart" id="lanes">' in html
    assert "<summary>Show the data table" in html
    assert '<th scope="col">School</th>' in html and '<th scope="row">&lt;b&gt;&amp;' in html
    assert "<b>" not in html


def test_an_empty_chart_has_no_table(app):
    with app.test_request_context():
        html = render_template_string(PAGE, c=radar_chart([], [], max_level=4, title="Profile"))
    assert "No data to show yet." in html and "<table" not in html
