"""Stack: reusing the frozen lower layers must give exactly the whole model's logits."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from trainer.__main__ import lora
from trainer.base import load_base
from trainer.config import TrainConfig
from trainer.frozen import Stack, first_adapted_layer

pytestmark = pytest.mark.slow
# The top layers run on the last few positions alone when the lower states are cached: the
# matrix products take other shapes, so float32 sums come in another order. On an AVX-512
# Xeon, 6 of 245,760 logits (magnitude about 10) differed by up to 4.1e-5, past the default
# 1e-5; an adapter moves them by more than 0.1 (asserted below).
SLICED = {"rtol": 1e-5, "atol": 1e-4}


@pytest.fixture
def base(shared_base: Path, model_path: Path, base_sha: str) -> torch.nn.Module:
    torch.set_num_threads(1)
    return load_base(model_path, base_sha)[0]


def trained_looking(model: torch.nn.Module, top_layers: int):
    """A LoRA on the top layers whose B matrices are non-zero, as after some training."""
    peft_model = lora(model, TrainConfig(top_layers=top_layers, dropout=0.0))
    torch.manual_seed(1)
    for name, param in peft_model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(param, std=0.02)
    return peft_model.eval()


def test_reused_lower_layers_give_the_whole_models_logits(base) -> None:
    peft_model = trained_looking(base, top_layers=10)
    net = Stack(peft_model)
    assert net.first == first_adapted_layer(peft_model) == 20
    ids = torch.randint(0, int(peft_model.config.vocab_size), (1, 60))
    with torch.no_grad():
        whole = peft_model(input_ids=ids, use_cache=False).logits[0]
        torch.testing.assert_close(net.logits(ids), whole)
        torch.testing.assert_close(net.logits(ids, 5), whole[-5:], **SLICED)  # cached lower states
        with net.disable_adapter():
            base_logits = peft_model(input_ids=ids, use_cache=False).logits[0]
            torch.testing.assert_close(net.logits(ids), base_logits)
    assert (whole - base_logits).abs().max() > 0.1  # the adapter does change the output
    assert len(peft_model.get_base_model().model.layers) == 30  # the model itself is intact


def test_gradients_reach_only_the_adapted_layers(base) -> None:
    peft_model = trained_looking(base, top_layers=4).train()
    net = Stack(peft_model)
    ids = torch.randint(0, int(peft_model.config.vocab_size), (1, 30))
    net.logits(ids, 3).logsumexp(-1).sum().backward()
    grads = {n for n, p in peft_model.named_parameters() if p.grad is not None}
    assert grads and all("lora_" in n and net.first <= int(n.split(".")[4]) for n in grads)


def test_the_base_distributions_are_the_base_models_and_computed_once(base) -> None:
    """Replay windows and anchor turns are revisited every few steps: their base pass is
    kept, and it is the base model's (the LoRA off), whatever the adapter does meanwhile."""
    peft_model = trained_looking(base, top_layers=10)
    net = Stack(peft_model)
    ids = torch.randint(0, int(peft_model.config.vocab_size), (1, 40))
    kept = net.base_log_probs(ids, 6)
    with torch.no_grad(), peft_model.disable_adapter():
        expected = torch.log_softmax(peft_model(input_ids=ids, use_cache=False).logits[0], -1)
    torch.testing.assert_close(kept, expected[-6:], **SLICED)
    assert not kept.requires_grad
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.add_(1.0)  # the adapter moves on; the base does not
    assert net.base_log_probs(ids, 6) is kept
    torch.testing.assert_close(net.base_log_probs(ids)[-6:], kept, **SLICED)
