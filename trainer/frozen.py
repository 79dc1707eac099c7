"""Forward passes that run the frozen lower layers once per sequence, not once per step.

With LoRA on the last layers only (``TrainConfig.top_layers``), nothing below the first
adapted layer changes during a run: the hidden states entering it are a fixed function of
the tokens. A run repeats each of a handful of corrections for dozens of steps, so
:class:`Stack` computes those states once per token sequence, keeps them, and runs every
later pass — forward and backward — through the adapted layers, the final norm and the
output projection only. With 10 of the 135M model's 30 layers adapted, a step costs about a
third of a full pass; on a 2-core machine that is what fits a run into minutes. The cache
holds one (tokens x hidden size) tensor per distinct sequence, a few megabytes for a run's
budget of steps.

The lower and upper halves are views of the model's own decoder (same module objects:
weights, LoRA layers, rotary embedding) run by its own ``forward``, so masks and positions
are built exactly as in a whole-model pass; a test checks the logits against one.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from peft import PeftModel

_LAYER = re.compile(r"\.layers\.(\d+)\.")


def first_adapted_layer(model: PeftModel) -> int:
    """Index of the lowest decoder layer that holds a trainable LoRA weight."""
    layers = [
        int(match.group(1))
        for name, param in model.named_parameters()
        if param.requires_grad and (match := _LAYER.search(name))
    ]
    if not layers:
        raise ValueError("the model has no trainable decoder layer")
    return min(layers)


def _decoder_view(decoder: torch.nn.Module, layers: slice, final_norm: bool) -> torch.nn.Module:
    """A decoder sharing every module with ``decoder`` but running only ``layers``."""
    view = copy.copy(decoder)
    view._modules = dict(decoder._modules)  # a new table: the original keeps all its layers
    view._modules["layers"] = decoder.layers[layers]
    if not final_norm:
        view._modules["norm"] = torch.nn.Identity()
    return view


class Stack:
    """Logits of a LoRA model, reusing the frozen lower layers' output for known sequences."""

    def __init__(self, model: PeftModel) -> None:
        self.model = model
        self.first = first_adapted_layer(model)
        causal_lm = model.get_base_model()
        self._lm_head = causal_lm.lm_head
        decoder = causal_lm.model
        self._lower = _decoder_view(decoder, slice(None, self.first), final_norm=False)
        self._upper = _decoder_view(decoder, slice(self.first, None), final_norm=True)
        self._cache: dict[bytes, torch.Tensor] = {}
        self.references: dict[tuple[bytes, int], torch.Tensor] = {}
        """Base-model quantities of a sequence (see ``objectives.reference_logp``): they
        cannot change during a run either, so each is computed once."""
        self._base: dict[tuple[bytes, int], torch.Tensor] = {}

    def _entering(self, ids: torch.Tensor) -> torch.Tensor:
        key = ids.numpy().tobytes()
        if key not in self._cache:
            with torch.no_grad():
                self._cache[key] = self._lower(input_ids=ids, use_cache=False).last_hidden_state
        return self._cache[key]

    def logits(self, ids: torch.Tensor, keep: int = 0) -> torch.Tensor:
        """Logits of sequence ``ids`` (shape (1, n)) at its last ``keep`` positions (0: all),
        shape (positions, vocab), as float32."""
        if self.first == 0:
            out = self.model(input_ids=ids, logits_to_keep=keep, use_cache=False)
            return out.logits[0].float()
        hidden = self._upper(inputs_embeds=self._entering(ids), use_cache=False)
        states = hidden.last_hidden_state[0]
        return self._lm_head(states[-keep:] if keep else states).float()

    def base_log_probs(self, ids: torch.Tensor, keep: int = 0) -> torch.Tensor:
        """The base model's next-token log-probabilities (:meth:`logits` with the LoRA off,
        log-softmaxed), computed once per sequence: the replay windows and anchor turns
        are each revisited every few steps for a whole run, and their base pass was a
        seventh of a step's work. A few hundred megabytes for a run's windows and turns."""
        key = (ids.numpy().tobytes(), keep)
        if key not in self._base:
            with torch.no_grad(), self.disable_adapter():
                self._base[key] = torch.log_softmax(self.logits(ids, keep), -1)
        return self._base[key]

    @contextmanager
    def disable_adapter(self) -> Iterator[None]:
        """The base model's logits inside the block (the LoRA switched off)."""
        with self.model.disable_adapter():
            yield
