"""Date ranges as CVs write them: "Jan 2020 – Present", "03/2018 - 06/2020", "2016 to 2019"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_WORD = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_YEAR = r"(?:19[6-9]\d|20[0-4]\d)"
_DATE = rf"(?:{_MONTH_WORD}\.?,?\s+{_YEAR}|(?:0?[1-9]|1[0-2])[/.]{_YEAR}|{_YEAR}[/.-](?:0[1-9]|1[0-2])(?!\d)|{_YEAR})"
_OPEN = r"(?:present|current|now|today|ongoing|date)"
RANGE = re.compile(
    rf"(?P<start>{_DATE})\s*(?:-|–|—|to|until|till)\s*(?P<end>{_DATE}|{_OPEN})(?![\w/])", re.IGNORECASE,
)


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date
    current: bool
    text: str
    span: tuple[int, int]


def parse_date(text: str) -> date:
    cleaned = text.lower().replace(",", " ").replace(".", " ").strip()
    word = re.match(r"([a-z]+)\s+(\d{4})", cleaned)
    if word:
        return date(int(word.group(2)), _MONTHS[word.group(1)[:3]], 1)
    numeric = re.match(r"(\d{1,2})[/ ](\d{4})$", cleaned)
    if numeric:
        return date(int(numeric.group(2)), int(numeric.group(1)), 1)
    iso = re.match(r"(\d{4})[- /](\d{2})$", cleaned)
    if iso:
        return date(int(iso.group(1)), int(iso.group(2)), 1)
    # A bare year counts from January; consecutive "2016 - 2018", "2018 - 2020" then leave no gap.
    return date(int(cleaned[:4]), 1, 1)


def find_ranges(line: str, today: date) -> list[DateRange]:
    ranges = []
    for match in RANGE.finditer(line):
        start = parse_date(match.group("start"))
        end_text = match.group("end")
        current = re.fullmatch(_OPEN, end_text, re.IGNORECASE) is not None
        end = date(today.year, today.month, 1) if current else parse_date(end_text)
        if end < start:
            continue
        ranges.append(DateRange(start=start, end=end, current=current, text=match.group(0), span=match.span()))
    return ranges


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + (end.month - start.month)
