"""A curious leader's reads: everything a principal or district admin can fetch that carries a
figure derived from someone's ratings, through the real pages, API, PDFs and exports, reduced to
plain values so two reads can be compared (docs/PRIVACY.md, "Aggregates")."""

import csv
import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import RatingInput, save_self_ratings, submit_self_assessment
from tests.factories import create_school, create_user
from tests.helpers import sign_in_directly

FIGURE_LINE = re.compile(r"^(?:COG|INTRA|INTER|INST)\.\d.*$", re.MULTILINE)


def get(client, user, url):
    sign_in_directly(client, user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def between(html: str, start: str, end: str = "</table>") -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def rating_figures(document: dict) -> dict:
    """The rating-derived part of a readiness document (GET /schools/{id}/readiness)."""
    return {"competencies": document["competencies"], "domains": document["domains"],
            "readiness": document["readiness"], "strengths": document["strengths"],
            "opportunities": document["opportunities"],
            "cohorts": [(c["id"], c["readiness"]) for c in document["cohorts"]]}


def principal_reads(client, principal, school, cycle) -> dict:
    """Every figure a principal reads of her school: the readiness API, the school ratings API
    and page, the dashboard page (with and without filters), the readiness PDF."""
    q = f"cycle={cycle.id}"

    def text(url: str) -> str:
        return get(client, principal, url).get_data(as_text=True)

    reads = {
        "readiness api": rating_figures(get(client, principal,
                                            f"/api/v1/schools/{school.id}/readiness?{q}").get_json()),
        "ratings api": get(client, principal,
                           f"/api/v1/schools/{school.id}/ratings?{q}").get_json()["competencies"],
        "ratings page": between(text(f"/school-ratings?{q}"), "<tbody>"),
        "dashboard": between(text("/"), 'id="competencies-heading"'),
        "dashboard filtered": between(text(f"/?{q}&school={school.id}"), 'id="competencies-heading"'),
    }
    pdf = get(client, principal, f"/reports/schools/{school.id}/readiness.pdf?{q}").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    reads["readiness pdf"] = FIGURE_LINE.findall(text) + re.findall(r"Mean readiness[^\n]*", text)
    return reads


def participation(client, viewer, cycle) -> dict[str, dict]:
    """The participation export as CSV and XLSX, by educator email."""
    body = get(client, viewer, f"/exports/participation.csv?cycle={cycle.id}").data.decode("utf-8-sig")
    rows = {r["educator_email"]: r for r in csv.DictReader(io.StringIO(body))}
    xlsx = get(client, viewer, f"/exports/participation.xlsx?cycle={cycle.id}").data
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
    header, *lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    for line in lines:
        rows[line[header.index("educator_email")]]["xlsx self_rated"] = line[header.index("self_rated")]
    return rows


def district_reads(client, admin, district, cycle) -> dict:
    """The district summary API (totals and each school side by side)."""
    return get(client, admin, f"/api/v1/districts/{district.id}/summary?cycle={cycle.id}").get_json()


def add_teacher(school, coach, cycle, level: int, *, submit: bool = True):
    teacher = create_user(Role.TEACHER, school=school, coach=coach, commit=False)
    save_self_ratings(teacher, cycle, [RatingInput(c.code, level=level)
                                       for c in cycle.framework.competencies])
    if submit:
        submit_self_assessment(teacher, cycle)
    return teacher


def add_school(district, cycle, teachers: int, level: int):
    school = create_school(district)
    coach = create_user(Role.COACH, school=school, commit=False)
    return school, [add_teacher(school, coach, cycle, level) for _ in range(teachers)]
