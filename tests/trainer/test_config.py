"""TrainConfig: sane defaults, a JSON round trip, and clear errors for bad values."""

from __future__ import annotations

import dataclasses
import json

import pytest

from trainer.config import ConfigError, TrainConfig


def test_json_round_trip_keeps_every_field() -> None:
    config = TrainConfig(r=8, alpha=16.0, target_modules=("q_proj", "v_proj"), steps=5)
    again = TrainConfig.from_json(config.to_json())
    assert again == config
    assert json.loads(config.to_json())["target_modules"] == ["q_proj", "v_proj"]


def test_unknown_keys_from_another_version_are_ignored() -> None:
    assert TrainConfig.from_dict({"r": 4, "from_the_future": 1}).r == 4


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("r", 0),
        ("dropout", 1.0),
        ("lr", -1.0),
        ("target_modules", ("embed_tokens",)),
        ("holdout_fraction", 1.0),
        ("max_len", 4),
        ("community_weight", 1.5),
    ],
)
def test_bad_values_are_refused_with_the_field_named(field, value) -> None:
    with pytest.raises(ConfigError, match=f"invalid training setting\\(s\\): {field}"):
        TrainConfig.from_dict({field: value})


def test_values_of_the_wrong_type_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unusable"):
        TrainConfig.from_dict({"r": "sixteen"})


def test_bad_json_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not JSON"):
        TrainConfig.from_json("{r: 4")
    with pytest.raises(ConfigError, match="JSON object"):
        TrainConfig.from_json("[1, 2]")


def test_every_field_has_help() -> None:
    helps = TrainConfig.help()
    assert set(helps) == {f.name for f in dataclasses.fields(TrainConfig)}
    assert all(text.endswith(".") and len(text) > 15 for _, text in helps.values())
