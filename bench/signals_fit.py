"""Fit the next-message classifier's weights and measure how well they generalise.

Run ``python -m bench.signals_fit --json [--cases FILE.jsonl]``: prints one JSON object with
the 5-fold cross-validated accuracy (the honest figure: each fold is scored by weights that
never saw it), the accuracy on the training set, and the weights fitted on all cases.
``--emit-python`` prints the ``_BIAS``/``_WEIGHTS`` constants to paste into
``app/signals/nextmsg.py`` instead; fitting never happens at import time.

The model is a multinomial logistic regression with an L2 penalty, trained by full-batch
gradient descent with momentum in pure Python (a few hundred cases, two dozen features).
"""

from __future__ import annotations

import json
import math
import random
import sys

from app.signals.nextmsg import LABELS, extract_features
from bench.cases import CasesError, cases_parser, report_cases_error
from bench.signals import DEFAULT_CASES, load_cases, per_class

FOLDS = 5
SEED = 13
L2 = 0.003
STEPS = 1500
LEARNING_RATE = 0.5
MOMENTUM = 0.9

Model = tuple[list[float], list[list[float]]]


def _vectorize(cases: list[dict[str, str]]) -> tuple[list[str], list[list[float]], list[int]]:
    rows = [extract_features(c["previous_user"], c["assistant"], c["next_user"]) for c in cases]
    names = sorted(rows[0])
    return names, [[r[n] for n in names] for r in rows], [LABELS.index(c["label"]) for c in cases]


def _softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exp = [math.exp(v - top) for v in logits]
    total = sum(exp)
    return [v / total for v in exp]


def _predict(model: Model, x: list[float]) -> list[float]:
    bias, weights = model
    logits = [
        b + sum(w * v for w, v in zip(ws, x, strict=True))
        for b, ws in zip(bias, weights, strict=True)
    ]
    return _softmax(logits)


def fit(xs: list[list[float]], ys: list[int]) -> Model:
    """Minimise mean cross-entropy + L2/2 * |W|^2 (bias unpenalised)."""
    k, d, n = len(LABELS), len(xs[0]), len(xs)
    bias, weights = [0.0] * k, [[0.0] * d for _ in range(k)]
    vel_b, vel_w = [0.0] * k, [[0.0] * d for _ in range(k)]
    for _ in range(STEPS):
        grad_b, grad_w = [0.0] * k, [[L2 * w for w in ws] for ws in weights]
        for x, y in zip(xs, ys, strict=True):
            probs = _predict((bias, weights), x)
            for c in range(k):
                err = (probs[c] - (c == y)) / n
                grad_b[c] += err
                row = grad_w[c]
                for j, v in enumerate(x):
                    if v:
                        row[j] += err * v
        for c in range(k):
            vel_b[c] = MOMENTUM * vel_b[c] - LEARNING_RATE * grad_b[c]
            bias[c] += vel_b[c]
            for j in range(d):
                vel_w[c][j] = MOMENTUM * vel_w[c][j] - LEARNING_RATE * grad_w[c][j]
                weights[c][j] += vel_w[c][j]
    return bias, weights


def _accuracy(model: Model, xs: list[list[float]], ys: list[int]) -> float:
    hits = 0
    for x, y in zip(xs, ys, strict=True):
        probs = _predict(model, x)
        hits += max(range(len(probs)), key=probs.__getitem__) == y
    return hits / len(ys)


def cross_validate(xs: list[list[float]], ys: list[int]) -> tuple[float, dict[str, dict]]:
    """Stratified k-fold accuracy, overall and per label (precision, recall): every case is
    scored by a model that did not train on it."""
    folds: list[list[int]] = [[] for _ in range(FOLDS)]
    rng = random.Random(SEED)
    for label in range(len(LABELS)):
        members = [i for i, y in enumerate(ys) if y == label]
        rng.shuffle(members)
        for rank, i in enumerate(members):
            folds[rank % FOLDS].append(i)
    predicted = [0] * len(ys)
    for held in folds:
        held_set = set(held)
        train = [i for i in range(len(ys)) if i not in held_set]
        model = fit([xs[i] for i in train], [ys[i] for i in train])
        for i in held:
            probs = _predict(model, xs[i])
            predicted[i] = max(range(len(probs)), key=probs.__getitem__)
    hits = sum(p == y for p, y in zip(predicted, ys, strict=True))
    names = [LABELS[y] for y in ys], [LABELS[p] for p in predicted]
    return hits / len(ys), per_class(*names)


def _named(names: list[str], model: Model) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    bias, weights = model
    return (
        {label: round(b, 2) for label, b in zip(LABELS, bias, strict=True)},
        {
            label: {n: round(w, 2) for n, w in zip(names, ws, strict=True) if round(w, 2)}
            for label, ws in zip(LABELS, weights, strict=True)
        },
    )


def format_constants(bias: dict[str, float], weights: dict[str, dict[str, float]]) -> str:
    """Python source for the constants, one ``"feature": weight`` pair never split."""
    quoted = ", ".join(f'"{label}": {value}' for label, value in bias.items())
    lines = [f"_BIAS = {{{quoted}}}", "_WEIGHTS: dict[str, dict[str, float]] = {"]
    for label, named in weights.items():
        lines.append(f'    "{label}": {{')
        line = ""
        for name, value in named.items():
            entry = f'"{name}": {value},'
            if line and len(line) + 1 + len(entry) > 92:
                lines.append(f"        {line}")
                line = entry
            else:
                line = f"{line} {entry}" if line else entry
        lines.extend([f"        {line}", "    },"])
    lines.append("}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = cases_parser("python -m bench.signals_fit", __doc__, DEFAULT_CASES)
    parser.add_argument("--emit-python", action="store_true", help="print constants to paste")
    args = parser.parse_args(argv)
    try:
        cases = load_cases(args.cases)
    except CasesError as exc:
        return report_cases_error(exc)
    names, xs, ys = _vectorize(cases)
    model = fit(xs, ys)
    bias, weights = _named(names, model)
    if args.emit_python:
        print(format_constants(bias, weights))
        return 0
    cv_accuracy, cv_per_class = cross_validate(xs, ys)
    print(
        json.dumps(
            {
                "cv_accuracy": round(cv_accuracy, 4),
                "cv_per_class": cv_per_class,
                "cv_folds": FOLDS,
                "train_accuracy": round(_accuracy(model, xs, ys), 4),
                "n": len(ys),
                "cases_file": str(args.cases),
                "bias": bias,
                "weights": weights,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
