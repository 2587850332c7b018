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


@pytest.fixture
def make_cfg(tmp_path: Path) -> Callable[..., DictConfig]:
    """``make_cfg("debug=tiny", ...)`` -> a config writing under tmp_path with tracking off."""

    def make(*overrides: str) -> DictConfig:
        return compose_config([f"paths.root={tmp_path}", "tracking=none", *overrides])

    return make
