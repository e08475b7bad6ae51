from datetime import date

import pytest
from sqlalchemy import func, select

from pdplanner.assessments.models import Rating
from pdplanner.assessments.services import (
    AssessmentError,
    RatingInput,
    close_cycle,
    create_cycle,
    open_cycle,
    reopen_self_assessment,
    save_coach_ratings,
    save_self_ratings,
    submit_self_assessment,
)
from pdplanner.framework.models import Framework


def _count(db):
    return db.session.scalar(select(func.count(Rating.id)))


@pytest.mark.parametrize("item,path,message", [
    (RatingInput("COG.1", level=7), "ratings[1].level", "7 is not a level of the scale (1-4)"),
    (RatingInput("COG.1", level="two"), "ratings[1].level", "'two' is not a level"),
    (RatingInput("NOPE.9", level=2), "ratings[1].competency", "'NOPE.9' is not a competency"),
    (RatingInput("COG.1", level=2, not_observed=True), "ratings[1].level", "not both"),
    (RatingInput("COG.1", level=2, confidence="certain"), "ratings[1].confidence", "low, medium or high"),
    (RatingInput("COG.1", level=2, note="x" * 2001), "ratings[1].note", "at most 2000"),
    (RatingInput("COG.1", level=2, evidence_url="javascript:alert(1)"), "ratings[1].evidence_url", "https://"),
    (RatingInput("COG.2", level=2), "ratings[1].competency", "COG.2 appears twice"),
])
def test_one_bad_item_saves_nothing_and_names_the_field(db, scene, item, path, message):
    with pytest.raises(AssessmentError) as caught:
        save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.2", level=3), item])
    assert message in caught.value.problems[path]
    db.session.rollback()
    assert _count(db) == 0


def test_partial_saves_update_in_place(db, scene):
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=2, confidence="low")])
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=3, interest=True),
                                                   RatingInput("INST.6", not_observed=True)])
    db.session.commit()
    ratings = {r.competency.code: r for r in db.session.scalars(select(Rating))}
    assert set(ratings) == {"COG.1", "INST.6"}
    assert (ratings["COG.1"].level, ratings["COG.1"].interest) == (3, True)
    assert ratings["INST.6"].level is None and ratings["INST.6"].not_observed


def _rate_everything(educator, cycle, level=3):
    return [RatingInput(c.code, level=level) for c in cycle.framework.competencies]


def test_submit_needs_every_competency_then_locks(db, scene):
    save_self_ratings(scene.teacher, scene.cycle, _rate_everything(scene.teacher, scene.cycle)[:18])
    with pytest.raises(AssessmentError, match="Still to do: INST.6"):
        submit_self_assessment(scene.teacher, scene.cycle)
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("INST.6", not_observed=True)])
    submit_self_assessment(scene.teacher, scene.cycle)
    with pytest.raises(AssessmentError, match="submitted") as caught:
        save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=1)])
    assert caught.value.status == 409


def test_only_the_coach_reopens(db, scene):
    save_self_ratings(scene.teacher, scene.cycle, _rate_everything(scene.teacher, scene.cycle))
    submit_self_assessment(scene.teacher, scene.cycle)
    with pytest.raises(AssessmentError, match="Only the educator's coach"):
        reopen_self_assessment(scene.principal, scene.teacher, scene.cycle)
    reopen_self_assessment(scene.coach, scene.teacher, scene.cycle)
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=1)])


def test_coach_ratings_are_separate_records_by_the_right_coach_only(db, scene):
    from tests.factories import create_user

    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=4)])
    save_coach_ratings(scene.coach, scene.teacher, scene.cycle, [RatingInput("COG.1", level=2)])
    db.session.commit()
    assert sorted((r.kind.value, r.level) for r in db.session.scalars(select(Rating))) == [
        ("coach", 2), ("self", 4)]
    other_coach = create_user("coach", school=scene.school)
    with pytest.raises(AssessmentError) as caught:
        save_coach_ratings(other_coach, scene.teacher, scene.cycle, [RatingInput("COG.1", level=1)])
    assert caught.value.status == 403


def test_closed_cycle_is_read_only(db, scene):
    close_cycle(scene.cycle)
    for write in (lambda: save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=2)]),
                  lambda: save_coach_ratings(scene.coach, scene.teacher, scene.cycle,
                                             [RatingInput("COG.1", level=2)])):
        with pytest.raises(AssessmentError, match="read-only") as caught:
            write()
        assert caught.value.status == 409


def test_one_open_cycle_per_district_and_dates_in_order(db, scene):
    framework = db.session.scalar(select(Framework))
    second = create_cycle(district_id=scene.school.district_id, name="Mid-year",
                          opens_on=date(2027, 1, 5), closes_on=date(2027, 2, 15), framework=framework)
    with pytest.raises(AssessmentError, match="still open"):
        open_cycle(second)
    close_cycle(scene.cycle)
    open_cycle(second)
    with pytest.raises(AssessmentError, match="closes before it opens"):
        create_cycle(district_id=scene.school.district_id, name="Bad", opens_on=date(2027, 3, 1),
                     closes_on=date(2027, 2, 1), framework=framework)
    with pytest.raises(AssessmentError, match="already exists"):
        create_cycle(district_id=scene.school.district_id, name="Mid-year", opens_on=date(2027, 3, 1),
                     closes_on=date(2027, 4, 1), framework=framework)
