"""Shared fixtures: the real Hydra config, composed offline, pointed at a temporary root."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from dive.__main__ import CONF_DIR

REPO = Path(__file__).resolve().parent.parent


def compose_config(overrides: list[str]) -> DictConfig:
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        return compose(config_name="dive", overrides=overrides)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``model=tiny`` artifact (random 2-layer Llama with dive's tokenizer and chat template)."""
    from dive import model as model_stage

    out = tmp_path_factory.mktemp("tiny-model")
    model_stage.compute(model_stage.config(compose_config(["model=tiny"])), {}, out, runtime=None)  # type: ignore[arg-type]
    return out / "hf"


@pytest.fixture
def make_cfg(tmp_path: Path) -> Callable[..., DictConfig]:
    """``make_cfg("debug=tiny", ...)`` -> a config writing under tmp_path with tracking off."""

    def make(*overrides: str) -> DictConfig:
        return compose_config([f"paths.root={tmp_path}", "tracking=none", *overrides])

    return make
