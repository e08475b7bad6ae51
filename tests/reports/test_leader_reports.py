"""The school readiness report and the district summary: they open, read as text, apply the
privacy threshold, and show the same figures as the page, the API and the exports."""

import csv
import io
import re

from pypdf import PdfReader

from pdplanner.assessments.services import set_sharing
from tests.helpers import sign_in_directly
from tests.scenarios import District


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def get(client, user, url):
    sign_in_directly(client, user)
    return client.get(url)


def readiness_url(school, cycle) -> str:
    return f"/reports/schools/{school.id}/readiness.pdf?cycle={cycle.id}"


def test_the_readiness_report_opens_with_title_date_figures_and_page_numbers(db, client):
    d = District(db, teachers=6, level=2)
    response = get(client, d.principals[0], readiness_url(d.schools[0], d.cycle))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="readiness-')
    text, pages = pdf_text(response.data)
    assert "School readiness report" in text and d.schools[0].name in text
    assert "Generated on" in text and f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    for code in ("COG.1", "INTRA.5", "INTER.4", "INST.6"):
        assert code in text
    assert "Competency profile" in text and "Growth since baseline" in text and "Cohorts" in text


def test_a_small_school_s_report_withholds_every_mean(db, client):
    d = District(db, teachers=4, level=2)
    text, _ = pdf_text(get(client, d.principals[0], readiness_url(d.schools[0], d.cycle)).data)
    assert "fewer than 5" in text
    assert not re.search(r"\b2\.00\b", text) and not re.search(r"\b2\.0\b", text)


def test_page_pdf_api_and_exports_show_the_same_figures(db, client):
    d = District(db, teachers=6, level=2, submitted=True)
    set_sharing(d.teachers[1], d.cycle, True)
    db.session.commit()
    principal, school = d.principals[0], d.schools[0]
    api = get(client, principal, f"/api/v1/schools/{school.id}/readiness?cycle={d.cycle.id}").get_json()
    page = get(client, principal, f"/?cycle={d.cycle.id}").get_data(as_text=True)
    text, _ = pdf_text(get(client, principal, readiness_url(school, d.cycle)).data)
    rows = list(csv.DictReader(io.StringIO(
        get(client, principal, f"/exports/participation.csv?cycle={d.cycle.id}").data.decode("utf-8-sig"))))

    educators = api["participation"]["educators"]
    submitted = api["participation"]["submitted"]
    assert (educators, submitted) == (7, 6)
    assert len(rows) == educators
    assert sum(r["self_assessment"] == "submitted" for r in rows) == submitted
    assert f"<dt>Submitted</dt><dd>{submitted} (86%)</dd>" in page
    text = re.sub(r"\s+", " ", text)      # table cells wrap their words onto several lines
    assert f"Self-assessments submitted {submitted} (86%)" in text
    lanes = {lane["label"]: lane["count"] for lane in api["lanes"]}
    for label, count in lanes.items():
        assert sum(r["lane_label"] == label for r in rows) == count
        assert f"<dt>{label}</dt><dd>{count}</dd>" in page
        assert f"{label}: {count}" in text
    first = api["competencies"][0]
    assert first["current"]["mean"] == 2.0
    row = r"COG\.1</span> Content and learning progressions</th>\s*<td class=\"num\">2\.0</td>"
    assert re.search(row, page)
    assert re.search(r"COG\.1 Content and learning progressions\s+2\.0\s+2\.0\s+2\.0\s+0%", text)


def test_the_district_summary_sets_schools_side_by_side_for_the_district_admin_only(db, client):
    d = District(db, schools=2, teachers=5, level=3, submitted=True)
    url = f"/reports/districts/{d.district.id}/summary.pdf?cycle={d.cycle.id}"
    response = get(client, d.admin, url)
    assert response.status_code == 200
    text, _ = pdf_text(response.data)
    assert "District summary" in text and "Schools side by side" in text
    for school in d.schools:
        assert school.name in text
    assert "100%" in text
    elsewhere = District(db, teachers=1)
    assert get(client, elsewhere.admin, url).status_code == 404
    assert get(client, d.principals[0], url).status_code == 404
    assert get(client, d.admin, f"/reports/districts/{elsewhere.district.id}/summary.pdf").status_code == 404


def test_leaders_and_coaches_of_the_school_get_its_report_and_nobody_else(db, client):
    d = District(db, schools=2, teachers=1)
    url = readiness_url(d.schools[0], d.cycle)
    assert get(client, d.coaches[0], url).status_code == 200
    assert get(client, d.admin, url).status_code == 200
    assert get(client, d.principals[1], url).status_code == 404
    assert get(client, d.teachers[0], url).status_code == 404
