"""What the API accepts, declared once for the OpenAPI schema and the check alike.

The schema is a contract: every constraint the server enforces on a parameter or field is in it
(pattern, maxLength, format), and nothing it allows is refused; tests/api/test_contract.py runs
schemathesis against a served site to hold both to it. Patterns keep to what JSON Schema
(ECMA-262), Python and pydantic read alike: no flags, `[0-9]` rather than `\\d` (which is Unicode
in Python), whitespace spelled out as Python counts it (`str.strip()`), since ECMA's `\\s` differs.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from paperfeed.lib.arxiv_ids import ID_PREFIXES

# Years 1991 to 9998, as the daily lists take them (lib/periods.py: arXiv opened in 1991; the
# last year leaves room for "next").
_YEAR = r"(199[1-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
_MONTH = r"(0[1-9]|1[0-2])"
_DAY = r"(0[1-9]|[12][0-9]|3[01])"

DAY_PATTERN = rf"^{_YEAR}-{_MONTH}-{_DAY}$"
WEEK_PATTERN = rf"^{_YEAR}-[Ww](0[1-9]|[1-4][0-9]|5[0-3])$"
MONTH_PATTERN = rf"^{_YEAR}-{_MONTH}$"
# Years 0001 to 9999, as Python's dates have them.
_ANY_YEAR = r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
ISO_DATE_PATTERN = rf"^{_ANY_YEAR}-{_MONTH}-{_DAY}$"

# The characters Python's str.strip() and str.split() take for whitespace.
WHITESPACE = (
    "\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
    "\\u202f\\u205f\\u3000"
)
# Not blank: at least one character that is not whitespace, and no NUL anywhere (PostgreSQL
# cannot store one in a text, so the services refuse it on every database).
NOT_BLANK_PATTERN = f"^[^\\u0000]*[^{WHITESPACE}\\u0000][^\\u0000]*$"
NO_NUL_PATTERN = "^[^\\u0000]*$"


def _anycase(regex: str) -> str:
    """`abs` -> `[aA][bB][sS]`: JSON Schema patterns take no case-insensitive flag. Only for
    literal text and groups (no escapes with letters, such as \\d)."""
    return re.sub(r"[a-z]", lambda m: f"[{m[0]}{m[0].upper()}]", regex)


# Every form of an arXiv id that paperfeed.lib.arxiv_ids.parse_arxiv_id reads, the number of
# digits included (four before 2015, five from then on); test_constraints.py checks the two
# against each other.
_NEW_ID = rf"(?:(?:0[0-9]|1[0-4]){_MONTH}\.[0-9]{{4}}|(?:1[5-9]|[2-9][0-9]){_MONTH}\.[0-9]{{5}})"
_OLD_ID = rf"[a-zA-Z]+(?:-[a-zA-Z]+)*(?:\.[a-zA-Z]{{2}})?/[0-9]{{2}}{_MONTH}[0-9]{{3}}"
_ID_PREFIXES = "|".join(_anycase(prefix) for prefix in ID_PREFIXES if prefix)
_PDF = _anycase(r"\.pdf")
ARXIV_ID_PATTERN = (
    rf"^[{WHITESPACE}]*(?:{_ID_PREFIXES})?(?:{_NEW_ID}|{_OLD_ID})(?:[vV][1-9][0-9]*)?"
    rf"(?:{_PDF})?/?(?:[?#][^\n]*)?[{WHITESPACE}]*$"
)


def checked_str(pattern: str, *, max_length: int, hint: str, format: str | None = None) -> Any:
    """A string type that must match `pattern` (anchored) and be at most `max_length` long,
    declared so in the schema; a mismatch is a 422 whose message is `hint` (pydantic's own
    would quote the pattern)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if len(value) > max_length or not compiled.fullmatch(value):
            raise PydanticCustomError("pattern_mismatch", hint)
        return value

    schema = {"type": "string", "maxLength": max_length, "pattern": pattern}
    if format:
        schema["format"] = format
    return Annotated[str, AfterValidator(check), WithJsonSchema(schema)]


def _iso_date(value: Any) -> Any:
    # pydantic alone would also read numbers (Unix time: before=0 is 1970-01-01) and datetimes.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_type", "use a date, YYYY-MM-DD (e.g. 2026-03-14)")


_ISO_DATE = re.compile(ISO_DATE_PATTERN)

# A calendar day, YYYY-MM-DD and nothing else (a day that does not exist is refused too).
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN, "maxLength": 10}
    ),
]

# The daily lists' periods (`date`, `week`, `month`).
DayParam = checked_str(
    DAY_PATTERN,
    max_length=10,
    format="date",
    hint="use a day, YYYY-MM-DD (e.g. 2026-03-14), from 1991 to 9998",
)
WeekParam = checked_str(
    WEEK_PATTERN, max_length=8, hint="use an ISO week, YYYY-Www (e.g. 2026-W11), from 1991 to 9998"
)
MonthParam = checked_str(
    MONTH_PATTERN, max_length=7, hint="use a month, YYYY-MM (e.g. 2026-03), from 1991 to 9998"
)
