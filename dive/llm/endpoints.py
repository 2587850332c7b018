"""From the ``llm`` config group to live endpoints: which roles a run uses, what each role's output
depends on (hashed into artifacts), how its requests run (not hashed), and the managed servers behind
roles that name no ``base_url``.

A role (synthesizer, teacher, judge) takes ``llm.<role>.base_url / model / api_key_env`` and falls back
to ``llm.base_url / model / api_key_env``. With no base_url at all, the stage starts ``llm.server``
(``transformers serve`` on CPU, ``vllm serve`` on a GPU) on ``llm.model``, or on the policy base model
(the ``model`` artifact) when that is null, and stops it when the stage ends.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig

if TYPE_CHECKING:
    from dive.llm.client import Endpoint

ROLES = ("synthesizer", "teacher", "judge")
SERVERS = ("transformers", "vllm", "none")
BACKENDS = ("scripted", "llm")


def roles_in_use(cfg: DictConfig) -> list[str]:
    roles = ["synthesizer"] if cfg.synth.backend == "llm" else []
    return roles + (["teacher", "judge"] if cfg.solve.backend == "llm" else [])


def role_identity(cfg: DictConfig, role: str) -> dict[str, Any]:
    """What a role's outputs depend on: the artifact of a stage using it is hashed on this.

    ``model: None`` with a managed server means "the policy base model": the stage then takes the
    ``model`` artifact as an input, so its digest is hashed too.
    """
    llm, own = cfg.llm, cfg.llm[role]
    base_url = own.base_url or llm.base_url
    return {
        "base_url": base_url,
        "server": None if base_url else llm.server,
        "device": None if base_url else llm.device,
        "model": own.model or llm.model,
        "temperature": float(own.temperature),
        "max_tokens": int(own.max_tokens),
    }


def needs_policy_model(identities: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(i["base_url"] is None and i["model"] is None for i in identities.values())


def transport(cfg: DictConfig) -> dict[str, Any]:
    """How requests run (runtime, never hashed): the key's variable name, limits and timeouts."""
    llm = cfg.llm
    keys = {role: llm[role].api_key_env or llm.api_key_env for role in ROLES}
    return {
        "api_key_env": keys,
        "concurrency": int(llm.concurrency),
        "timeout_s": float(llm.timeout_s),
        "max_retries": int(llm.max_retries),
        "startup_timeout_s": float(llm.startup_timeout_s),
        "tool_timeout_s": float(llm.tool_timeout_s),
    }


@contextlib.contextmanager
def open_endpoints(
    identities: Mapping[str, Mapping[str, Any]],
    runtime_llm: Mapping[str, Any],
    policy_dir: Path | None,
    log_dir: Path,
) -> Iterator[dict[str, Endpoint]]:
    """An Endpoint per role, starting (and finally stopping) one managed server per distinct
    (server, device, model) the roles need."""
    from dive.llm.client import Endpoint
    from dive.llm.server import ManagedServer, ServerSpec

    with contextlib.ExitStack() as stack:
        servers: dict[tuple[str, str, str], ManagedServer] = {}
        endpoints = {}
        for role, identity in identities.items():
            base_url, model = identity["base_url"], identity["model"]
            if base_url is None:
                path = model or str(policy_dir)
                key = (identity["server"], identity["device"], path)
                if key not in servers:
                    spec = ServerSpec(
                        kind=identity["server"],
                        model_path=path,
                        device=identity["device"],
                        startup_timeout_s=runtime_llm["startup_timeout_s"],
                    )
                    log_dir.mkdir(parents=True, exist_ok=True)
                    log_path = log_dir / f"server-{len(servers)}-{identity['server']}.log"
                    servers[key] = stack.enter_context(ManagedServer(spec, log_path))
                base_url, model = servers[key].base_url, servers[key].model
            endpoints[role] = Endpoint(
                base_url=base_url,
                model=model,
                api_key_env=runtime_llm["api_key_env"][role],
                temperature=identity["temperature"],
                max_tokens=identity["max_tokens"],
                concurrency=runtime_llm["concurrency"],
                timeout_s=runtime_llm["timeout_s"],
                max_retries=runtime_llm["max_retries"],
            )
        yield endpoints


# ---------------------------------------------------------------------------------------------
# validation (called from dive.config.validate, before any work starts)


def check_llm(cfg: DictConfig, problems: list[str]) -> None:
    """Backends, servers and endpoints the config names; only the roles in use are checked deeply."""
    for key, value in (("synth.backend", cfg.synth.backend), ("solve.backend", cfg.solve.backend)):
        if value not in BACKENDS:
            problems.append(f"{key} = {value!r} is not a valid choice; valid: {list(BACKENDS)}")
    if cfg.llm.server not in SERVERS:
        problems.append(f"llm.server = {cfg.llm.server!r} is not a valid choice; valid: {list(SERVERS)}")
        return
    _check_limits(cfg, problems)
    servers = set()
    for role in roles_in_use(cfg):
        identity = role_identity(cfg, role)
        _check_role(cfg, role, identity, problems)
        if identity["base_url"] is None:
            servers.add(identity["server"])
    for server in sorted(servers):
        _check_server_installed(server, problems)


def _check_limits(cfg: DictConfig, problems: list[str]) -> None:
    llm = cfg.llm
    if llm.concurrency < 1:
        problems.append(f"llm.concurrency = {llm.concurrency!r} must be >= 1")
    for key in ("timeout_s", "startup_timeout_s", "tool_timeout_s"):
        if not llm[key] > 0:
            problems.append(f"llm.{key} = {llm[key]!r} must be > 0")
    if llm.max_retries < 0:
        problems.append(f"llm.max_retries = {llm.max_retries!r} must be >= 0")
    for role in ROLES:
        if llm[role].temperature < 0:
            problems.append(f"llm.{role}.temperature = {llm[role].temperature!r} must be >= 0")
        if llm[role].max_tokens < 1:
            problems.append(f"llm.{role}.max_tokens = {llm[role].max_tokens!r} must be >= 1")


def _check_role(cfg: DictConfig, role: str, identity: Mapping[str, Any], problems: list[str]) -> None:
    base_url = identity["base_url"]
    if base_url is None and identity["server"] == "none":
        problems.append(
            f"llm.{role}: no endpoint: llm.base_url and llm.{role}.base_url are null and "
            "llm.server = 'none'; set llm.base_url=http://host:port/v1 (with llm.model) "
            "or llm.server=transformers|vllm"
        )
    if base_url is not None:
        if not str(base_url).startswith(("http://", "https://")):
            problems.append(f"llm.{role}.base_url = {base_url!r} must start with http:// or https://")
        if identity["model"] is None:
            problems.append(
                f"llm.{role}.model = None: an external endpoint (base_url {base_url!r}) needs the model name "
                "it serves; set llm.model (or llm.{role}.model)"
            )
    elif (
        identity["model"] is not None and not (Path(identity["model"]).expanduser() / "config.json").is_file()
    ):
        problems.append(
            f"llm.{role}.model = {identity['model']!r}: a managed server serves a local HF model directory "
            "(no config.json there); set llm.base_url to use a remote endpoint"
        )
    variable = cfg.llm[role].api_key_env or cfg.llm.api_key_env
    if variable and variable not in os.environ:
        problems.append(f"llm.{role}.api_key_env = {variable!r}: that environment variable is not set")


def _check_server_installed(server: str, problems: list[str]) -> None:
    if server == "vllm" and importlib.util.find_spec("vllm") is None:
        problems.append(
            "llm.server = 'vllm': vllm is not installed here (GPU only: pip install vllm on the GPU node), "
            "or use llm.server=transformers, or llm.base_url for a running server"
        )
    if server == "transformers":
        from transformers.utils.import_utils import is_serve_available

        if not is_serve_available():
            problems.append(
                "llm.server = 'transformers': `transformers serve` needs its serving extras: "
                "pip install 'transformers[serving]' (install.sh does)"
            )
