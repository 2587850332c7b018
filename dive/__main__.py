"""Command line: ``python -m dive [stage=<stage>] [+sweep=<name>] [overrides]``.

Composes the Hydra config (conf/dive.yaml over the schema in dive/config.py), validates it, and runs one
stage or the whole pipeline for one sweep point. A sweep file turns the call into a multirun whose points
are validated together before any job is launched (dive/sweep.py).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig

from dive.config import register_configs

CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")

register_configs()
LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"  # Hydra's job log format
_INFO_FLAGS = {"--help", "-h", "--hydra-help", "--version", "--shell-completion", "-sc"}


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="dive")
def _app(cfg: DictConfig) -> float | None:
    from dive.pipeline import run_job  # imported here so `--help` and config errors stay fast

    return run_job(cfg)


def main() -> None:
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    if "--detach" in sys.argv:  # submit the sweep's jobs and return
        sys.argv = [a for a in sys.argv if a != "--detach"] + ["launcher.detach=true"]
    argv = sys.argv[1:]
    views = ("stage=report", "stage=status", "stage=retry")
    if any(v in argv for v in views) and not any(a.startswith("hydra.mode=") for a in argv):
        sys.argv.append("hydra.mode=RUN")  # a view reads a whole sweep once; it is not itself a sweep
    if not any(a in _INFO_FLAGS or a.startswith(("--cfg", "--info", "-c")) for a in argv):
        from dive.config import ConfigError
        from dive.sweep import preflight

        try:
            checked = preflight(sys.argv[1:])
        except ConfigError as error:
            print(f"dive: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        if checked.sweep:  # every stage of every point as one job graph (dive/jobgraph.py)
            from dive.jobgraph import run_sweep

            logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
            try:
                code = run_sweep(checked.primary, checked.jobs, checked.configs)
            except ConfigError as error:  # a limit of the cluster itself (MaxArraySize)
                print(f"dive: {error}", file=sys.stderr)
                raise SystemExit(2) from None
            raise SystemExit(code)
    _app()


if __name__ == "__main__":
    main()
