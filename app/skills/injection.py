"""Putting retrieved skills into the prompt: a system prompt section and worked examples.

The section states each lesson in words, which capable models follow. The embedded 135M
model mostly does not: measured on the shipped learning scenarios, the same skills as words
in the system prompt left every reply unchanged, while the skills' own examples shown as
earlier turns of the conversation (the user's request, then the answer the user wanted) were
copied in most replies. So both are given: the words, and up to
:data:`MAX_DEMONSTRATIONS` examples as user/assistant turns between the system prompt and
the real conversation.
"""

from __future__ import annotations

from app.skills.retrieve import PROMPT_HEADER, RetrievedSkill, estimate_tokens, token_set

MAX_DEMONSTRATIONS = 3
DEMONSTRATION_TOKENS = 450


def skills_prompt_section(skills: list[RetrievedSkill]) -> str:
    """The block appended to the system prompt; ``""`` when there is nothing to add.

    Each skill renders as :func:`~app.skills.retrieve.retrieve` budgeted it (full, or
    compact when space was short).
    """
    if not skills:
        return ""
    return "\n".join([PROMPT_HEADER, *(skill.render(skill.compact) for skill in skills)])


def _by_relevance(examples: list[tuple[str, str]], request: str) -> list[tuple[str, str]]:
    """Examples whose request shares most words with ``request`` first, newest first among
    equals: the closest worked example is the one a small model transfers best."""
    wanted = token_set(request)
    ranked = sorted(
        enumerate(examples), key=lambda item: (-len(token_set(item[1][0]) & wanted), -item[0])
    )
    return [pair for _, pair in ranked]


def demonstrations(
    skills: list[RetrievedSkill],
    request: str = "",
    *,
    limit: int = MAX_DEMONSTRATIONS,
    token_budget: int = DEMONSTRATION_TOKENS,
) -> list[dict[str, str]]:
    """Example turns of ``skills`` for ``request``, as chat messages.

    Examples are taken in turn from each skill (its closest to the request first), so
    several skills all get shown before one shows its second; the skill with the closest
    example starts, so a topical skill is not outnumbered by standing habits that are about
    something else (measured: two pirate examples and one ripgrep example for a search
    request gave pirate replies that used grep). The one closest to the request
    comes last, next to the user's real request, where a small model copies it most; among
    equally close ones the first picked does. (Measured: with a standing "Summary:" habit
    retrieved first, its unrelated example sat next to a shell question and the topical
    "In your fish shell" habit was no longer copied.)
    """
    wanted = token_set(request)
    queues = [_by_relevance(skill.examples, request) for skill in skills]
    queues.sort(key=lambda queue: -max((len(token_set(q) & wanted) for q, _ in queue), default=0))
    picked: list[tuple[str, str]] = []
    used = 0
    while len(picked) < limit and any(queues):
        for queue in queues:
            if not queue or len(picked) >= limit:
                continue
            example_request, answer = queue.pop(0)
            cost = estimate_tokens(example_request) + estimate_tokens(answer)
            if used + cost <= token_budget:
                picked.append((example_request, answer))
                used += cost
    nearest_last = sorted(reversed(picked), key=lambda pair: len(token_set(pair[0]) & wanted))
    messages: list[dict[str, str]] = []
    for example_request, answer in nearest_last:
        messages += [
            {"role": "user", "content": example_request},
            {"role": "assistant", "content": answer},
        ]
    return messages
