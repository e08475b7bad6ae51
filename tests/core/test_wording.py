"""The sentences around a plan, for each reader: the educator hears "you", anyone else reads
the educator's name, and nobody but the educator is told "you marked" (issue 15)."""

from pdplanner.core.wording import (
    assessment_status,
    plan_basis,
    possessive,
    returned_message,
    verified_message,
)


def test_possessive_of_a_name():
    assert possessive("Mateo Chen") == "Mateo Chen's"
    assert possessive("Sam Jones") == "Sam Jones'"


def test_plan_basis_names_the_cycle_for_the_educator_and_for_others():
    assert plan_basis(True, "Mateo Chen", ["2025-26 end of year"]) == (
        "This plan is based on your 2025-26 end of year ratings.")
    assert plan_basis(False, "Mateo Chen", ["2025-26 end of year"]) == (
        "This plan is based on Mateo Chen's 2025-26 end of year ratings.")
    assert plan_basis(True, "Mateo Chen", ["2025-26 end of year", "2025-26 mid-year"]) == (
        "This plan is based on your 2025-26 end of year ratings, and on 2025-26 mid-year for what is "
        "not re-rated yet.")
    assert plan_basis(False, "Mateo Chen", []) == (
        "This plan has no ratings to go on yet: it fills in once Mateo Chen's self-assessment is rated.")


def test_assessment_status_says_what_is_not_done_and_what_follows():
    assert assessment_status(True, "Mateo Chen", "End of year", True, False, (0, 19)) == (
        "Your End of year self-assessment is not submitted yet (0 of 19 rated): once you submit it, "
        "your coach re-plans and your goals and lane follow your new ratings.")
    coach = assessment_status(False, "Mateo Chen", "End of year", True, False, (8, 19))
    assert coach == ("Mateo Chen's End of year self-assessment is not submitted yet (8 of 19 rated): "
                     "once it is submitted and re-planned, the goals and lane follow the new ratings.")
    assert "you" not in coach.lower().split()


def test_a_reader_who_may_not_see_ratings_reads_no_count():
    started = assessment_status(False, "Mateo Chen", "End of year", True, False, None)
    assert started.startswith("Mateo Chen's End of year self-assessment is in progress:")
    assert "rated" not in started.split(":")[0]
    assert "is not started yet" in assessment_status(False, "Mateo Chen", "End of year", False, False, None)


def test_a_submitted_self_assessment_needs_no_status():
    assert assessment_status(True, "Mateo Chen", "End of year", True, True, (19, 19)) == ""


def test_verify_and_return_messages_name_the_educator():
    assert verified_message("Peer observation", "Mateo Chen", None, None) == (
        "Mateo Chen's evidence for Peer observation verified.")
    assert verified_message("Peer observation", "Mateo Chen", "Reflective practice", "Proficient (3)") == (
        "Mateo Chen's evidence for Peer observation verified: their goal on Reflective practice is met, "
        "and Proficient (3) is recorded as their new level.")
    assert returned_message("Peer observation", "Mateo Chen") == (
        "Peer observation sent back to Mateo Chen with your note.")
