"""The rules of periods and clients as plain functions (SPEC §2–§3)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.clients import rules
from app.clients.rules import Span

TODAY = date(2026, 11, 30)


def errs(others, start, end=None, reason=False, persp=False, is_new=True):
    return rules.period_errors(others, start, end, reason, persp, TODAY, is_new)


def test_valid_first_period_has_no_errors():
    assert errs([], date(2024, 6, 3)) == {}


def test_end_before_start_is_refused():
    assert "einddatum" in errs([], date(2024, 6, 3), date(2024, 6, 2), True, True)


def test_end_equal_to_start_is_allowed():
    assert errs([], date(2024, 6, 3), date(2024, 6, 3), True, True) == {}


def test_start_more_than_a_year_ahead_is_refused():
    assert "startdatum" in errs([], TODAY + timedelta(days=366))
    assert errs([], date(2027, 11, 30)) == {}


def test_reason_and_perspective_required_exactly_with_an_end_date():
    e = errs([], date(2024, 1, 1), date(2024, 5, 1))
    assert set(e) == {"reden_stopzetting", "perspectief"}
    e = errs([], date(2024, 1, 1), None, True, True)
    assert set(e) == {"reden_stopzetting", "perspectief"}


def test_second_open_period_is_refused():
    others = [Span(1, date(2023, 1, 1), None)]
    assert "einddatum" in errs(others, date(2025, 1, 1))


def test_new_period_must_start_after_the_last_one_ended():
    others = [Span(1, date(2020, 1, 1), date(2020, 12, 31)), Span(2, date(2022, 1, 1), date(2022, 6, 30))]
    assert "startdatum" in errs(others, date(2021, 3, 1), date(2021, 4, 1), True, True)  # in a gap
    assert "startdatum" in errs(others, date(2022, 6, 30))
    assert errs(others, date(2022, 7, 1)) == {}


@pytest.mark.parametrize("start,end,overlaps", [
    (date(2020, 6, 1), date(2020, 7, 1), True),     # inside
    (date(2019, 6, 1), date(2020, 1, 1), True),     # touches the first day
    (date(2019, 6, 1), date(2019, 12, 31), False),  # ends the day before
    (date(2021, 1, 1), date(2021, 2, 1), False),    # starts the day after
])
def test_edited_period_may_not_overlap_another(start, end, overlaps):
    others = [Span(1, date(2020, 1, 1), date(2020, 12, 31))]
    result = errs(others, start, end, True, True, is_new=False)
    assert ("startdatum" in result) is overlaps


def test_open_period_overlaps_everything_after_its_start():
    others = [Span(1, date(2020, 1, 1), None)]
    assert "startdatum" in errs(others, date(2024, 1, 1), date(2024, 2, 1), True, True, is_new=False)


@pytest.mark.parametrize("end,active", [
    (TODAY, True), (TODAY - timedelta(days=1), False), (TODAY + timedelta(days=10), True), (None, True)])
def test_active_on_boundary_dates(end, active):
    assert rules.is_active(end, True, TODAY) is active


def test_client_without_period_counts_as_active():
    assert rules.is_active(None, False, TODAY) is True


@pytest.mark.parametrize("hours,ok", [("0.5", True), ("38", True), ("0", False), ("38.5", False),
                                      ("12.5", True), ("12.25", False)])
def test_hours(hours, ok):
    assert (rules.hours_error(Decimal(hours)) is None) is ok


@pytest.mark.parametrize("value,expected", [("3500", "3500"), ("1000", "1000"), ("9999", "9999"),
                                            ("0999", None), ("999", None), ("35000", None),
                                            ("Buitenland", "buitenland"), ("abcd", None), (" 3500 ", "3500")])
def test_postcodes(value, expected):
    assert rules.normalize_postcode(value) == expected


def test_age_limits_at_registration():
    reg = date(2026, 1, 1)
    assert rules.birth_date_error(date(2011, 1, 2), reg, TODAY)  # 14
    assert rules.birth_date_error(date(2011, 1, 1), reg, TODAY) is None  # 15 that day
    assert rules.birth_date_error(date(1925, 12, 31), reg, TODAY) is None  # 100
    assert rules.birth_date_error(date(1925, 1, 1), reg, TODAY)  # 101
    assert rules.birth_date_error(TODAY + timedelta(days=1), reg, TODAY)
