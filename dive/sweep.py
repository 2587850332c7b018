"""Sweeps: expand and validate every point before anything runs.

A sweep file (``conf/sweep/<name>.yaml``) sets ``hydra.mode: MULTIRUN`` and sweeps one key, ``point``,
over the names in ``sweep.points`` (command-line sweeps ``key=a,b`` multiply in); each point's values are
merged over the config (:func:`dive.config.apply_point`). :func:`preflight` composes and validates every
point and raises one error listing all problems, so a bad sweep never submits a job. The valid points
then run as one job graph (dive/jobgraph.py), which also writes the plan and the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hydra import compose
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf

from dive.config import ConfigError, apply_point, validate


def expand_points(task: list[str], params: dict[str, Any]) -> list[list[str]]:
    """The override list of every job the basic sweeper will launch (grid of CLI sweeps x sweeper params)."""
    swept = {o.split("=", 1)[0].lstrip("+~") for o in task}
    arguments = task + [f"{k}={v}" for k, v in params.items() if k not in swept]
    parsed = OverridesParser.create().parse_overrides(arguments)
    return [job for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]


@dataclass
class Preflight:
    primary: DictConfig  # the config without a point (with Hydra's own keys)
    jobs: list[list[str]]  # every job's overrides
    configs: list[DictConfig]  # every job's composed, validated config
    sweep: bool  # several jobs or a sweep file: run as a job graph (dive/jobgraph.py)


def preflight(argv: list[str]) -> Preflight:
    """Compose and validate every job ``python -m dive <argv>`` would run; raise one ConfigError if any
    is invalid. Runs before anything is submitted, so a bad sweep never submits a job."""
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
        configs: list[DictConfig] = []
        problems = validate_points(jobs, configs)
    if problems:
        raise ConfigError(sorted(set(problems)))
    return Preflight(primary, jobs, configs, multirun)


def validate_points(jobs: list[list[str]], configs: list[DictConfig] | None = None) -> list[str]:
    """Compose and validate every job's config (appended to ``configs``); problems are prefixed with
    the job's point."""
    problems: list[str] = []
    for overrides in jobs:
        try:
            cfg = apply_point(compose(config_name="dive", overrides=overrides))
            validate(cfg)
            if configs is not None:
                configs.append(cfg)
        except HydraException as exc:
            problems.append(" ".join(str(exc).split()))
        except ConfigError as exc:
            point = next((o.split("=", 1)[1] for o in overrides if o.startswith("point=")), None)
            problems += [f"[point {point}] {p}" if point else p for p in exc.problems]
    return problems
