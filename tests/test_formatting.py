"""Dutch (nl-BE) formats of app/formatting.py: what every page, message and export shows."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.dates import format_date

from app.formatting import (
    DATE_PATTERN,
    LOCALE,
    date_nl,
    datetime_nl,
    decimal_nl,
    diff_nl,
    integer_nl,
    number_nl,
    percent_nl,
    utc_start_of_day,
)


def test_dutch_number_formats():
    assert integer_nl(1234567) == "1.234.567"
    assert decimal_nl(1234.56) == "1.234,6"
    assert decimal_nl(0.05) == "0,1"
    assert percent_nl(100 / 3) == "33,3%"
    assert diff_nl(-2) == "−2" and diff_nl(3) == "+3" and diff_nl(0) == "0"


def test_statistics_without_a_value_show_a_dash():
    assert integer_nl(None) == decimal_nl(None) == percent_nl(None) == "–"
    assert percent_nl(100) == "100,0%" and percent_nl(0) == "0,0%"
    assert decimal_nl(24) == "24,0" and decimal_nl(2.25, 2) == "2,25" and decimal_nl(2.5, 0) == "3"
    assert diff_nl(-1234) == "−1.234" and diff_nl(1234) == "+1.234"


def test_hours_keep_their_decimals_without_trailing_zeros():
    assert number_nl(Decimal("16.0")) == "16"
    assert number_nl(Decimal("12.5")) == "12,5"
    assert number_nl(2.5) == "2,5" and number_nl(38) == "38"
    assert number_nl(None) == ""


def test_dates_day_month_year():
    assert date_nl(date(2026, 1, 5)) == "05/01/2026"
    assert date_nl(date(1900, 12, 31)) == "31/12/1900"
    assert date_nl(None) == ""


def test_dates_read_as_babel_writes_them():
    """date_nl spells dates itself (it runs for every date of every list): the same text as Babel
    with the nl-BE locale, from year 1 to 9999."""
    day = date(1, 1, 1)
    while day < date(9999, 12, 1):
        assert date_nl(day) == format_date(day, DATE_PATTERN, locale=LOCALE), day
        day += timedelta(days=97)
    assert date_nl(date(99, 3, 4)) == "04/03/0099"


def test_times_are_shown_in_brussels():
    # stored times are naive UTC: summer time is UTC+2, winter time UTC+1
    assert datetime_nl(datetime(2026, 7, 1, 10, 0)) == "01/07/2026 12:00"
    assert datetime_nl(datetime(2026, 1, 15, 10, 0)) == "15/01/2026 11:00"
    assert datetime_nl(datetime(2026, 12, 31, 23, 30)) == "01/01/2027 00:30"  # the next day
    assert datetime_nl(None) == ""


def test_a_brussels_day_starts_at_its_own_midnight_in_utc():
    assert utc_start_of_day(date(2026, 7, 2)) == datetime(2026, 7, 1, 22, 0)
    assert utc_start_of_day(date(2026, 1, 15)) == datetime(2026, 1, 14, 23, 0)
