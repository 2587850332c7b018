"""Validation of the ``evaluate`` group, run by dive.config.validate before any work starts.

Each problem names the key, the bad value and what would be valid. Online benchmarks are checked here
too (keys set, hosts reachable), so a run that cannot reach GAIA stops now, not after training.
"""

from __future__ import annotations

import re
from typing import Any

from omegaconf import DictConfig

from dive.graph import EVALUATED

BACKENDS = ("inprocess", "served")
BFCL_MODES = ("auto", "fc", "prompting")
REFERENCE_KEYS = ("base_url", "model", "api_key_env", "bfcl_mode")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _choice(problems: list[str], key: str, value: Any, choices: tuple[Any, ...]) -> None:
    if value not in choices:
        problems.append(f"{key} = {value!r} is not a valid choice; valid: {list(choices)}")


def _positive(problems: list[str], key: str, value: Any, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, int) or value < 1:
        problems.append(f"{key} = {value!r} must be an integer >= 1" + (" or null" if allow_none else ""))


def check_evaluate(cfg: DictConfig, problems: list[str]) -> None:
    from dive.eval.bfcl_run import CATEGORIES

    e = cfg.evaluate
    for name in e.models:
        _choice(problems, "evaluate.models[]", name, EVALUATED)
    _choice(problems, "evaluate.backend", e.backend, BACKENDS)
    if e.backend == "served":
        _check_managed_server(cfg, problems)
    for category in e.bfcl_categories:
        _choice(problems, "evaluate.bfcl_categories[]", category, CATEGORIES)
    _choice(problems, "evaluate.bfcl_mode", e.bfcl_mode, BFCL_MODES)
    _positive(problems, "evaluate.bfcl_limit", e.bfcl_limit, allow_none=True)
    for key in ("samples", "bfcl_max_new_tokens", "batch_size"):
        _positive(problems, f"evaluate.{key}", e[key])
    _positive(problems, "evaluate.online_limit", e.online_limit, allow_none=True)
    if not isinstance(e.dive_eval_tasks, int) or e.dive_eval_tasks < 0:
        problems.append(f"evaluate.dive_eval_tasks = {e.dive_eval_tasks!r} must be an integer >= 0")
    if not 0 < e.top_p <= 1:
        problems.append(f"evaluate.top_p = {e.top_p!r} must be in (0, 1]")
    if e.temperature == 0 and e.samples > 1:
        problems.append(
            f"evaluate.samples = {e.samples} with evaluate.temperature = 0: greedy attempts are identical; "
            "set a temperature > 0 (the paper: 1.0) or samples = 1"
        )
    for name, reference in (e.references or {}).items():
        _check_reference(str(name), reference, problems)
    if e.online:
        from dive.eval.online import check_online

        check_online(list(e.online), problems)


def _check_managed_server(cfg: DictConfig, problems: list[str]) -> None:
    from dive.llm.endpoints import _check_server_installed

    if cfg.llm.server not in ("transformers", "vllm"):
        problems.append(
            f"evaluate.backend = 'served' serves each checkpoint with llm.server, but llm.server = "
            f"{cfg.llm.server!r}; valid: ['transformers', 'vllm'] (or evaluate.backend = 'inprocess')"
        )
        return
    _check_server_installed(cfg.llm.server, problems)


def _check_reference(name: str, reference: Any, problems: list[str]) -> None:
    key = f"evaluate.references.{name}"
    if not _NAME.match(name) or name in EVALUATED:
        problems.append(
            f"{key}: the name must be letters, digits, '_', '.', '-' and not one of {list(EVALUATED)}"
        )
    if not hasattr(reference, "keys"):
        problems.append(f"{key} = {reference!r} must be a mapping with keys {list(REFERENCE_KEYS)}")
        return
    unknown = sorted(set(reference.keys()) - set(REFERENCE_KEYS))
    if unknown:
        problems.append(f"{key} has unknown keys {unknown}; valid: {list(REFERENCE_KEYS)}")
    for required in ("base_url", "model"):
        if not reference.get(required):
            problems.append(
                f"{key}.{required} is required (an OpenAI-compatible endpoint and its model name)"
            )
    _choice(problems, f"{key}.bfcl_mode", reference.get("bfcl_mode", "fc"), ("fc", "prompting"))
