"""Sweeps: validate every point before launch, record the plan, and report when all points finished.

A sweep file (``conf/sweep/<name>.yaml``) sets ``hydra.mode: MULTIRUN`` and sweeps one key, ``point``,
over the names in ``sweep.points``; each point's values are merged over the config in the job
(:func:`dive.config.apply_point`). :func:`preflight` composes and validates every point before Hydra
starts and raises one error listing all problems. The Hydra callback runs in the launching process: it
records the plan, opens the sweep's MLflow parent run, and after the last job writes the report to
``results/<sweep>/``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from hydra import compose
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from dive.config import ConfigError, apply_point, validate

log = logging.getLogger(__name__)


def expand_points(task: list[str], params: dict[str, Any]) -> list[list[str]]:
    """The override list of every job the basic sweeper will launch (grid of CLI sweeps x sweeper params)."""
    swept = {o.split("=", 1)[0].lstrip("+~") for o in task}
    arguments = task + [f"{k}={v}" for k, v in params.items() if k not in swept]
    parsed = OverridesParser.create().parse_overrides(arguments)
    return [job for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]


def preflight(argv: list[str]) -> None:
    """Compose and validate every job ``python -m dive <argv>`` would run; raise one ConfigError if any
    is invalid. Runs before Hydra starts, so a bad sweep never submits a job (a Hydra callback cannot
    stop a sweep: Hydra turns callback exceptions into warnings)."""
    from hydra import initialize_config_dir

    from dive.__main__ import CONF_DIR

    overrides = [a for a in argv if not a.startswith("-")]
    multirun = any(a in ("-m", "--multirun") for a in argv)
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        task = [o for o in overrides if not o.startswith("hydra.")]
        try:
            primary = compose(config_name="dive", overrides=overrides, return_hydra_config=True)
        except HydraException as exc:  # an unknown group option or key: Hydra's message lists the choices
            raise ConfigError([" ".join(str(exc).replace("\t", " ").split())]) from None
        except Exception as exc:  # a config file that does not parse (YAML syntax), named by the parser
            raise ConfigError([" ".join(f"{type(exc).__name__}: {exc}".split())]) from None
        multirun |= str(primary.hydra.mode) == "RunMode.MULTIRUN" or primary.hydra.mode == "MULTIRUN"
        params = OmegaConf.to_container(primary.hydra.sweeper.get("params") or {}) if multirun else {}
        jobs = expand_points(task, params) if multirun else [task]  # type: ignore[arg-type]
        problems = validate_points(jobs)
    if problems:
        raise ConfigError(sorted(set(problems)))


def validate_points(jobs: list[list[str]]) -> list[str]:
    """Compose and validate every job's config; problems are prefixed with the job's point."""
    problems: list[str] = []
    for overrides in jobs:
        try:
            cfg = apply_point(compose(config_name="dive", overrides=overrides))
            validate(cfg)
        except HydraException as exc:
            problems.append(" ".join(str(exc).split()))
        except ConfigError as exc:
            point = next((o.split("=", 1)[1] for o in overrides if o.startswith("point=")), None)
            problems += [f"[point {point}] {p}" if point else p for p in exc.problems]
    return problems


class SweepCallback(Callback):
    def __init__(self) -> None:
        self.parent_run: str | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if config.stage == "report":
            return
        params = OmegaConf.to_container(config.hydra.sweeper.get("params") or {})
        jobs = expand_points(list(config.hydra.overrides.task), params)  # type: ignore[arg-type]
        sweep_dir = Path(config.hydra.sweep.dir).resolve()
        sweep_dir.mkdir(parents=True, exist_ok=True)
        plan = {
            "sweep": config.sweep.name,
            "created": time.strftime("%Y-%m-%d %H:%M:%S"),
            "launcher": config.launcher.name,
            "jobs": jobs,
        }
        (sweep_dir / "plan.json").write_text(json.dumps(plan, indent=2))
        log.info("sweep %s: %d points validated; plan in %s", config.sweep.name, len(jobs), sweep_dir)
        from dive.tracking import start_sweep_run

        cfg = _resolved_paths(config)
        points = [next((o.split("=", 1)[1] for o in j if o.startswith("point=")), "") for j in jobs]
        self.parent_run = start_sweep_run(cfg, Path(cfg.paths.results), str(sweep_dir), points)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if config.stage == "report":
            return
        from dive.stages.report import headline_text, write_report
        from dive.tracking import end_sweep_run

        cfg = _resolved_paths(config)
        end_sweep_run(cfg, Path(cfg.paths.results), self.parent_run)
        path = write_report(cfg, str(Path(config.hydra.sweep.dir).resolve()))
        print(headline_text(path), flush=True)
        print(path, flush=True)  # last: scripts and tests read the report's path from the last line


def _resolved_paths(config: DictConfig) -> DictConfig:
    cfg = OmegaConf.create(OmegaConf.to_container(config, resolve=False))
    cfg.pop("hydra", None)
    root = str(Path(OmegaConf.select(config, "paths.root")).resolve())
    OmegaConf.update(cfg, "paths.root", root)
    return cfg
