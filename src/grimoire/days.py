"""Which names are days: a journal page is named by its day (or week, or month), and a day
names no concept.

Its own module, not a reader's: resolve asks it too (a link to a day is no wanted page), in
commands that read no file.
"""

from __future__ import annotations

import re

# A journal page is named by its day: Logseq's `2023_03_05` and "Mar 5th, 2023", Dendron's
# `daily.journal.2023.03.05`, org-roam's and Foam's `2023-03-05`, "Monday, 5 March 2023". A
# day names no concept: such a page is read for its text and links, never as an entry.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]{0,6}\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_TITLE = re.compile(
    rf"(?:{_WEEKDAY},?\s+)?"
    r"(?:(?:daily\.journal\.)?\d{4}[-_./ ]\d{1,2}[-_./ ]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}"
    # a week's or a month's note: `2023-W10`, `2023-03`, `2023-Q1`
    r"|\d{4}-(?:W\d{1,2}|Q[1-4]|0[1-9]|1[0-2])"
    rf"|{_MONTH}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+{_MONTH},?\s+\d{{4}})"
    rf"(?:,?\s+{_WEEKDAY})?"
    # a time of that day: "2023-03-05 10:30", a backup's `2022-03-21T09_48_00.759Z`
    r"(?:[T ]\d{1,2}[:_.]\d{2}(?:[:_.]\d{2}(?:\.\d+)?)?Z?)?",
    re.IGNORECASE,
)


def is_date_title(title: str) -> bool:
    """Whether a title is a day, as journal pages are named.

    >>> is_date_title("2023_03_05"), is_date_title("Mar 5th, 2023"), is_date_title("2023 Recap")
    (True, True, False)
    """
    return bool(title) and title[-1].isalnum() and _DATE_TITLE.fullmatch(title.strip()) is not None


__all__ = ["is_date_title"]
