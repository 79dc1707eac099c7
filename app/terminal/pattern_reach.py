"""Runs the readers that look at a command line's text as a whole, one class each.

Why a module of its own: these readers catch a class however it is spelt (wrappers,
variables, other languages), so they read the raw text rather than one parsed command.
"""

from __future__ import annotations

from app.terminal.home_deletes import home_delete_reasons


def pattern_reasons(text: str) -> list[str]:
    """Reasons from every text reader, in order, for one command line."""
    return home_delete_reasons(text)
