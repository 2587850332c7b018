"""Command line: ``python -m dive [stage=<stage>] [+sweep=<name>] [overrides]``.

Composes the Hydra config (conf/dive.yaml over the schema in dive/config.py), validates it, and runs one
stage or the whole pipeline for one sweep point. A sweep file turns the call into a multirun whose points
are validated together before any job is launched (dive/sweep.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

import hydra
from omegaconf import DictConfig

from dive.config import register_configs

CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")

register_configs()


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="dive")
def _app(cfg: DictConfig) -> float | None:
    from dive.pipeline import run_job  # imported here so `--help` and config errors stay fast

    return run_job(cfg)


def main() -> None:
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    _app()


if __name__ == "__main__":
    main()
