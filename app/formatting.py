"""Dutch (nl-BE) dates, times and numbers, through Babel; also the Jinja filters.

Every date, time or number a user reads (pages, error messages, CSV exports) is formatted here:
dates dd/mm/jjjj, times in Europe/Brussels, a decimal comma and a point between thousands.
Stored datetimes are naive UTC (app/models.py `utcnow`).
"""

from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent, parse_pattern

LOCALE = Locale.parse("nl_BE")
TIME_ZONE = ZoneInfo("Europe/Brussels")
NONE = "–"  # what a statistic without a value shows

DATE_PATTERN = "dd/MM/yyyy"
DATETIME_PATTERN = "dd/MM/yyyy HH:mm"
_INTEGER = parse_pattern("#,##0")
_PLAIN = parse_pattern("0.###")  # no grouping: the text can be typed back into a number field
_SIGNED = parse_pattern("+#,##0;−#,##0")  # a real minus sign (U+2212), as in the report
_FIXED: dict[int, object] = {}  # digits -> "#,##0.0…" pattern
_PERCENT: dict[int, object] = {}  # digits -> "#,##0.0…%" pattern


def _pattern(cache: dict, digits: int, suffix: str = ""):
    if digits not in cache:
        cache[digits] = parse_pattern("#,##0" + ("." + "0" * digits if digits else "") + suffix)
    return cache[digits]


def _rounded(value, digits: int) -> Decimal:
    """Half up, as people round (0,05 → 0,1), on the decimal value as written (not the float)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def date_nl(value) -> str:
    """dd/mm/jjjj (2026-01-05 → 05/01/2026), or an empty string for None."""
    if value is None:
        return ""
    if type(value) is date:  # DATE_PATTERN holds only digits: the same text, without Babel's cost
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, date):
        return format_date(value, DATE_PATTERN, locale=LOCALE)
    return str(value)


def datetime_nl(value: datetime | None) -> str:
    """A stored (naive UTC) datetime as Brussels time: dd/mm/jjjj UU:MM; empty for None."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, DATETIME_PATTERN, tzinfo=TIME_ZONE, locale=LOCALE)


def utc_start_of_day(day: date) -> datetime:
    """Midnight of a Brussels calendar day as a naive UTC datetime (to filter stored times)."""
    start = datetime.combine(day, time(), tzinfo=TIME_ZONE)
    return start.astimezone(UTC).replace(tzinfo=None)


def number_nl(value) -> str:
    """A number with a decimal comma and no useless trailing zeros (16.0 → 16, 2.5 → 2,5);
    empty for None. No thousands separator (hours, typed back into a form)."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return format_decimal(value, _PLAIN, locale=LOCALE)
    return str(value)


def integer_nl(value) -> str:
    """1234567 → 1.234.567; – for None."""
    if value is None:
        return NONE
    return format_decimal(int(value), _INTEGER, locale=LOCALE)


def decimal_nl(value, digits: int = 1) -> str:
    """A number with `digits` decimals, rounded half up (1234.56 → 1.234,6); – for None."""
    if value is None:
        return NONE
    return format_decimal(_rounded(value, digits), _pattern(_FIXED, digits), locale=LOCALE)


def percent_nl(value, digits: int = 1) -> str:
    """A percentage given on a 0–100 scale, with one decimal (33.333 → 33,3%); – for None."""
    if value is None:
        return NONE
    fraction = _rounded(value, digits).scaleb(-2)  # Babel multiplies by 100 again, exactly
    return format_percent(fraction, _pattern(_PERCENT, digits, "%"), locale=LOCALE)


def diff_nl(value: int) -> str:
    """A signed difference: +3, −2 (minus sign), 0."""
    if not value:
        return "0"
    return format_decimal(value, _SIGNED, locale=LOCALE)


FILTERS = {f.__name__: f for f in (date_nl, datetime_nl, number_nl, integer_nl, decimal_nl,
                                   percent_nl, diff_nl)}


def init_app(app) -> None:
    """Register every formatter as a Jinja filter of the same name."""
    app.jinja_env.filters.update(FILTERS)
