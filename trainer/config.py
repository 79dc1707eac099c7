"""Training hyper-parameters, one typed home for each, saved as JSON beside every adapter.

Why a dataclass with per-field help: the same object drives the loop, is recorded in
``training_runs.config`` and ``config.json`` next to the adapter (so any adapter can be
explained and reproduced later), and its help text can be shown by a settings page without
a second source of truth. The defaults are sized for the embedded 135M model on a 2-core CPU,
measured with ``bench.learning`` on its four scenarios: eight corrections change what the
model says on paraphrased prompts, the canary perplexity stays within a few percent (the
replay term), and training plus the gate take two to three minutes on an idle machine.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

LLAMA_TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def _opt(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


class ConfigError(ValueError):
    """A training configuration that cannot be used, with the offending field named."""


@dataclass
class TrainConfig:
    r: int = _opt(16, "LoRA rank: the width of the learned update per weight matrix.")
    alpha: float = _opt(32.0, "LoRA alpha; the update is scaled by alpha / r.")
    dropout: float = _opt(0.05, "Dropout on the LoRA input during training.")
    target_modules: tuple[str, ...] = _opt(
        LLAMA_TARGET_MODULES, "Linear layers that get a LoRA update (HF names)."
    )
    top_layers: int = _opt(
        10, "LoRA only on the last N decoder layers (0: on all); lower layers stay frozen."
    )
    lr: float = _opt(1e-3, "Peak AdamW learning rate.")
    warmup_steps: int = _opt(3, "Steps over which the learning rate rises linearly to its peak.")
    weight_decay: float = _opt(0.0, "AdamW weight decay on the LoRA weights.")
    grad_clip: float = _opt(1.0, "Global gradient-norm clip; 0 disables clipping.")
    steps: int = _opt(
        30, "Fewest optimizer steps per run: a few examples are repeated to fill them."
    )
    passes: float = _opt(
        10.0,
        "Times each training example is seen at least: more examples get more steps, so"
        " lessons taught earlier are not diluted away by later ones (up to max_steps).",
    )
    max_steps: int = _opt(80, "Most optimizer steps per run (a time bound).")
    stop_loss: float = _opt(
        0.15,
        "Stop before the step budget once every example was trained on and the mean of"
        " their latest losses on the tokens that carry the lesson (nats per token: what"
        " the hint changed and the reply's end; a correction's whole reply) is below this;"
        " only runs whose examples all train by likelihood. 0: always the whole budget.",
    )
    batch_size: int = _opt(2, "Examples per optimizer step (gradient accumulation).")
    max_len: int = _opt(384, "Longest prompt+reply in tokens; longer prompts lose their start.")
    checkpoint_every: int = _opt(10, "Optimizer steps between resumable checkpoints.")
    seed: int = _opt(0, "Seed for LoRA init, dropout and example order.")
    sft_weight: float = _opt(1.0, "Weight of the supervised loss on corrected targets.")
    pair_weight: float = _opt(
        0.0,
        "Weight of the preference (DPO) loss on chosen/rejected. 0 by default: a correction's"
        " chosen reply is already its sft target, and the step budget goes further on it.",
    )
    preference_weight: float = _opt(
        1.0,
        "Weight of the preference (DPO) loss on pairs no correction stands behind: a kept"
        " regeneration over the replies it replaced (the user chose between two of the"
        " model's own replies, so nothing else teaches it).",
    )
    unpaired_weight: float = _opt(1.0, "Weight of the KTO-style loss on thumbs-up/down replies.")
    hinted_weight: float = _opt(
        1.0, "Weight of the loss on hinted examples (the checked teacher reply, see teacher_*)."
    )
    hinted_objective: str = _opt(
        "sft",
        "How a hinted example teaches its checked teacher reply: 'sft' (its likelihood without"
        " the hint) or 'opd' (per-token KL from the base model's distributions with the hint)."
        " sft: on the say_* tune scenarios it taught more (docs/learning.md).",
    )
    teacher_samples: int = _opt(
        4,
        "Tries of the teacher per hinted example: greedy first, then samples at temperature"
        " 0.8; the first reply that follows the hint is kept (none: the example is left out)."
        " Four bounds a lesson of eight said in words to about 50 s of generation on two idle"
        " cores (1.5 s per 96-token try; see RELABEL_AFTER in trainer/teacher.py for fewer);"
        " in the tries measured (five hints, six tries each)"
        " a hint that was followed at all was followed within the first four.",
    )
    teacher_tokens: int = _opt(
        64,
        "Longest teacher reply in tokens (a try cut by it keeps its complete part). 64, not"
        " 96: the student learns answers short enough to reach a closing line the hint asks"
        " for within a reply's limit (say_summary, adapter alone: 0.4 at 96, 0.8 at 64),"
        " and each try and training step costs less.",
    )
    replay_weight: float = _opt(
        3.0, "Weight of the KL to the base model on general text (assets/replay.txt) per step."
    )
    replay_tokens: int = _opt(128, "Tokens of general text in each step's replay window.")
    anchor_weight: float = _opt(
        1.0,
        "Weight of the KL to the base model's replies to unrelated requests"
        " (assets/anchor_prompts.txt) per step: keeps a topical lesson out of them.",
    )
    near_anchor_weight: float = _opt(
        3.0,
        "Weight of the KL to the base model's reply to a near, unrelated command-line request"
        " (assets/near_anchors.txt), one for each community example in a step: keeps an"
        " imported lesson out of the requests next to it. community_fd, member B: leak"
        " probes carrying fd 5 of 13 without, 2 at weight 1, 0 at 3 (adapter adoption 1.0).",
    )
    anchor_tokens: int = _opt(
        48, "Longest base reply kept as an anchor, and longest reply to a leak probe."
    )
    beta: float = _opt(0.1, "Preference temperature (DPO/KTO): how far from the base to move.")
    holdout_fraction: float = _opt(0.2, "Share of examples kept out of training for the gate.")
    community_weight: float = _opt(
        0.5,
        "Weight of a worked example from an enabled community skill, relative to a lesson of"
        " your own (1): below it, so your own corrections win where the two disagree;"
        " 0 leaves community lessons out of training.",
    )
    min_examples: int = _opt(3, "Fewer examples than this and a run does nothing.")
    canary_tolerance: float = _opt(
        0.05, "Largest allowed relative rise of canary perplexity for promotion."
    )

    def __post_init__(self) -> None:
        if isinstance(self.target_modules, str):
            self.target_modules = (self.target_modules,)
        checks = {
            "r": self.r >= 1,
            "alpha": self.alpha > 0,
            "dropout": 0 <= self.dropout < 1,
            "target_modules": bool(self.target_modules)
            and all(m in LLAMA_TARGET_MODULES for m in self.target_modules),
            "top_layers": self.top_layers >= 0,
            "lr": self.lr > 0,
            "weight_decay": self.weight_decay >= 0,
            "grad_clip": self.grad_clip >= 0,
            "warmup_steps": self.warmup_steps >= 0,
            "steps": self.steps >= 1,
            "passes": self.passes > 0,
            "max_steps": self.max_steps >= self.steps,
            "stop_loss": self.stop_loss >= 0,
            "batch_size": self.batch_size >= 1,
            "max_len": self.max_len >= 16,
            "checkpoint_every": self.checkpoint_every >= 1,
            "sft_weight": self.sft_weight >= 0,
            "pair_weight": self.pair_weight >= 0,
            "preference_weight": self.preference_weight >= 0,
            "unpaired_weight": self.unpaired_weight >= 0,
            "hinted_weight": self.hinted_weight >= 0,
            "hinted_objective": self.hinted_objective in ("sft", "opd"),
            "teacher_samples": self.teacher_samples >= 1,
            "teacher_tokens": 8 <= self.teacher_tokens <= 512,
            "replay_weight": self.replay_weight >= 0,
            "replay_tokens": self.replay_tokens >= 16,
            "anchor_weight": self.anchor_weight >= 0,
            "near_anchor_weight": self.near_anchor_weight >= 0,
            "anchor_tokens": self.anchor_tokens >= 1,
            "beta": self.beta > 0,
            "holdout_fraction": 0 <= self.holdout_fraction < 1,
            "community_weight": 0 <= self.community_weight <= 1,
            "min_examples": self.min_examples >= 1,
            "canary_tolerance": self.canary_tolerance >= 0,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ConfigError(f"invalid training setting(s): {', '.join(bad)}")
        self.target_modules = tuple(self.target_modules)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Build from saved JSON; unknown keys (from another version) are ignored."""
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            raise ConfigError(f"unusable training config: {exc}") from exc

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"training config is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError("training config must be a JSON object")
        return cls.from_dict(data)

    @classmethod
    def help(cls) -> dict[str, tuple[Any, str]]:
        """Field name → (default, help text), for ``--help`` output and settings pages."""
        out: dict[str, tuple[Any, str]] = {}
        for f in fields(cls):
            out[f.name] = (f.default, f.metadata["help"])
        return out
