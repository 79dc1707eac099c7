"""The learning bench's verdict: its goals, and each layer's figures over every scenario.

A run's verdict covers every scenario it taught, never only the last: the mean and the
lowest adoption, the share of control prompts the lesson leaked into, the slowest training
and the worst canary rise. The goals in force are printed with the figures (``goals``), and
each judged figure gets a named check (``checks``), so a reader sees what passed against
what. ``default`` is what the bench has always asked of the tuning scenarios; ``test`` is
issue 19's acceptance for the held-out scenarios (``--goals test``), with issue 17's "no
held-out reply parrots the user".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from statistics import mean
from typing import Any


@dataclass(frozen=True)
class Goals:
    """Thresholds; a layer missing from a dict, or ``None``, is not judged on that figure."""

    name: str
    adoption_after_mean: dict[str, float] = field(default_factory=dict)
    adoption_after_min: dict[str, float] = field(default_factory=dict)
    # At the end of a sequence (``--sequence``), every lesson's adoption, per layer.
    retention_min: dict[str, float] = field(default_factory=dict)
    adoption_before_max: float | None = None
    over_application_max: float | None = None
    # Held-out replies that parrot the user ("The user said …", or only the user's words).
    echoes_max: int | None = None
    train_seconds_max: float | None = None  # trainer start to exit, the gate included
    canary_rise_max: float | None = None  # relative, measured by the bench
    both_at_least_best: bool = False  # ``all``: both layers never below the better one alone

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


GOALS = {
    "default": Goals(
        name="default",
        adoption_after_min={"lora": 0.8, "skills": 0.6, "both": 0.8},
        retention_min={"lora": 0.8, "skills": 0.6, "both": 0.8},
        adoption_before_max=0.2,
        over_application_max=0.1,
        train_seconds_max=300.0,
        canary_rise_max=0.05,
        both_at_least_best=True,
    ),
    "test": Goals(
        name="test",
        adoption_after_mean={"lora": 0.9, "skills": 0.8, "both": 0.9},
        adoption_after_min={"lora": 0.6, "skills": 0.5},
        retention_min={"both": 0.7},
        over_application_max=0.1,
        echoes_max=0,
        train_seconds_max=120.0,
        canary_rise_max=0.05,
    ),
}


def canary_rise(before: float | None, after: float | None) -> float | None:
    """Relative change of the canary perplexity (0.05 = 5 % worse), or None if unmeasured."""
    if not isinstance(before, int | float) or not isinstance(after, int | float) or not before:
        return None
    return round(after / before - 1, 4)


def _share(replies: list[dict[str, Any]]) -> float | None:
    """The share of replies that matched (None: nothing was asked)."""
    return round(sum(r["hit"] for r in replies) / len(replies), 4) if replies else None


def _worst(values: list[Any], pick: Any) -> Any:
    """The worst of the measured values; None when one is missing (unmeasured is not met)."""
    if not values or any(not isinstance(v, int | float) for v in values):
        return None
    return pick(values)


def _checks(
    figures: dict[str, Any], judged: list[tuple[str, float | None, bool]]
) -> dict[str, bool]:
    """``{figure: met}`` for each (figure, goal, goal is a maximum) that has a goal; a figure
    that could not be measured does not meet its goal."""
    checks = {}
    for name, goal, most in judged:
        if goal is None:
            continue
        figure = figures.get(name)
        measured = isinstance(figure, int | float) and not isinstance(figure, bool)
        checks[name] = measured and (figure <= goal if most else figure >= goal)
    return checks


def layer_figures(
    layer: str,
    runs: list[dict[str, Any]],
    retention: dict[str, float] | None,
    goals: Goals,
) -> dict[str, Any]:
    """One layer's figures over every scenario of the run, and their checks.

    ``runs`` has one dict per scenario with this layer's ``adoption_after``,
    ``replies_after`` and ``control_replies``; ``retention`` (a sequence only) each
    lesson's adoption at the end. ``echoes`` counts held-out replies that parrot the user.
    ``over_application`` is the share of all the run's control prompts whose reply matched
    its ``reject`` (None, and not judged, when no scenario has controls).
    """
    after = [r["adoption_after"] for r in runs]
    controls = [c for r in runs for c in r["control_replies"]]
    figures: dict[str, Any] = {
        "layers": layer,
        "adoption_after_mean": round(mean(after), 4),
        "adoption_after_min": min(after),
        "over_application": _share(controls),
        "control_prompts": len(controls),
        "echoes": sum(bool(r.get("echo")) for run in runs for r in run["replies_after"]),
    }
    judged = [
        ("adoption_after_mean", goals.adoption_after_mean.get(layer), False),
        ("adoption_after_min", goals.adoption_after_min.get(layer), False),
        ("echoes", goals.echoes_max, True),
    ]
    if controls:
        judged.append(("over_application", goals.over_application_max, True))
    if retention is not None:
        figures["adoption_after_all"] = retention
        figures["retention_min"] = min(retention.values())
        judged.append(("retention_min", goals.retention_min.get(layer), False))
    checks = _checks(figures, judged)
    return {**figures, "checks": checks, "goals_met": all(checks.values()), "runs": runs}


def run_checks(runs: list[dict[str, Any]], goals: Goals, trained: bool) -> dict[str, Any]:
    """The figures shared by every layer: adoption and leaks before teaching (asked with the
    teaching layer) and, when the run trains, the slowest training and the worst canary rise
    (the bench's own measure), with their checks."""
    before = [r["adoption_before"] for r in runs]
    figures: dict[str, Any] = {
        "adoption_before_mean": round(mean(before), 4),
        "adoption_before_max": max(before),
        "over_application_before": _share([c for r in runs for c in r["control_replies_before"]]),
    }
    judged = [("adoption_before_max", goals.adoption_before_max, True)]
    if trained:
        training = [r.get("training") or {} for r in runs]
        figures["train_seconds_max"] = _worst([t.get("train_seconds") for t in training], max)
        figures["canary_rise_max"] = _worst([t.get("canary_rise") for t in training], max)
        figures["promoted"] = sum(bool(t.get("promoted")) for t in training)
        judged.append(("train_seconds_max", goals.train_seconds_max, True))
        judged.append(("canary_rise_max", goals.canary_rise_max, True))
    checks = _checks(figures, judged)
    return {**figures, "checks": checks}


def both_at_least_best(by_layer: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """Per scenario: did both layers adopt at least as well as the better single layer?"""
    single = [by_layer[layer]["runs"] for layer in ("lora", "skills")]
    return {
        run["name"]: run["adoption_after"] >= max(runs[i]["adoption_after"] for runs in single)
        for i, run in enumerate(by_layer["both"]["runs"])
    }
