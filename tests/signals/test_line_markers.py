"""A line marker the user writes out ("every step as `- [ ] …`"): read from the words,
checked where it marks lines, and put on a reply's list lines to make a worked reply."""

from __future__ import annotations

import pytest

from app.signals.hint_swap import swap_terms
from app.signals.hint_terms import hint_terms
from app.signals.hints import follows
from app.skills.directive import Directive
from app.skills.said_habit import worked_reply

LISTED = "Here is what to do:\n\n1. Pack your boxes.\n2. Call the movers.\n3) Change your address."


@pytest.mark.parametrize(
    ("hint", "marker"),
    [
        ("every step as `- [ ] ...` please", "- [ ]"),
        ("a [ ] checklist so I can tick them", "[ ]"),
        ("put → before each step", "→"),
        ("use checkboxes, not 1. 2. 3.", ""),
        ("join them with && not ;", ""),
        ("pick A - or B", ""),
    ],
)
def test_the_marker_is_what_the_user_wrote(hint: str, marker: str) -> None:
    terms = hint_terms(hint, LISTED)
    assert terms.marker == marker
    assert ("- [ ] ..." not in terms.literal) and (marker in terms.literal or not marker)


def test_the_marker_counts_only_where_it_starts_list_lines() -> None:
    terms = hint_terms("every step as `- [ ] ...`", LISTED)
    assert follows("Sure:\n- [ ] Pack boxes\n- [ ] Call the movers", terms)
    assert follows("1. [ ] Pack\n2. [ ] Call", hint_terms("a [ ] list", LISTED))
    assert not follows("Write - [ ] before each of your boxes and movers.", terms)
    assert not follows("- [ ] Pack boxes and call the movers.", terms)  # one line is no list


def test_list_lines_take_the_marker_and_code_is_left_alone() -> None:
    terms = hint_terms("every step as `- [ ] ...`", LISTED)
    reply = LISTED + "\n\n```yaml\n- a: 1\n```\n- [x] Done already"
    marked = swap_terms(reply, terms)
    assert marked == ("Here is what to do:\n\n- [ ] Pack your boxes.\n- [ ] Call the movers.\n"
                      "- [ ] Change your address.\n\n```yaml\n- a: 1\n```\n- [ ] Done already")
    assert follows(marked, terms)
    assert swap_terms("Pack your boxes, then call the movers.", terms) is None


def test_words_with_a_marker_give_a_worked_reply_at_once() -> None:
    directive = Directive("verbal_correction", original=LISTED,
                          hint="no, make it tickable: a - [ ] in front of each thing")
    assert worked_reply(directive) == ("Here is what to do:\n\n- [ ] Pack your boxes.\n"
                                       "- [ ] Call the movers.\n- [ ] Change your address.")
    plain = Directive("verbal_correction", original="Pack your boxes and call the movers.",
                      hint="no, make it tickable: a - [ ] in front of each thing")
    assert worked_reply(plain) is None
