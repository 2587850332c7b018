"""Every config file composes and validates (found recursively, not listed), and bad input fails clearly."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from dive.config import ConfigError, apply_point, validate
from tests.conftest import REPO, compose_config
from tests.helpers import run_dive

CONF = REPO / "conf"
GLOBAL_GROUPS = {"debug", "experiment", "sweep", "launcher"}


def _options() -> list[tuple[str, str]]:
    found = []
    for path in sorted(CONF.rglob("*.yaml")):
        group = path.parent.relative_to(CONF).as_posix()
        if group != "." and group != "local":
            found.append((group, path.stem))
    return found


@pytest.fixture(scope="module")
def health_server() -> Iterator[str]:
    """A local HTTP endpoint answering /health, standing in for an MLflow server's liveness check."""

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _override(group: str, option: str, model_dir: Path | None = None) -> list[str]:
    extra = ["slurm=localhost"] if (group, option) == ("launcher", "slurm") else []
    extra += [f"model.path={model_dir}"] if (group, option) == ("model", "hf_dir") else []
    # the paper's sizes need a long-context model (the default SmolLM2 is refused, tests/test_scale.py)
    extra += ["model=hf_dir", f"model.path={model_dir}"] if (group, option) == ("scale", "paper") else []
    prefix = "+" if group == "sweep" else ""
    return [f"{prefix}{group}={option}", *extra]


def test_every_config_file_is_covered() -> None:
    groups = {g for g, _ in _options()}
    assert {
        "model",
        "tools",
        "synth",
        "sft",
        "grpo",
        "evaluate",
        "launcher",
        "slurm",
        "tracking",
        "sweep",
    } <= groups


@pytest.mark.parametrize(("group", "option"), _options())
def test_config_composes_and_validates(group: str, option: str, tmp_path: Path, health_server: str) -> None:
    (tmp_path / "config.json").write_text('{"max_position_embeddings": 32768}')  # a stand-in HF directory
    extra = [f"tracking.uri={health_server}"] if (group, option) == ("tracking", "mlflow_server") else []
    cfg = compose_config(_override(group, option, tmp_path) + extra)
    points = list(cfg.sweep.points) or [None]
    for point in points:
        OmegaConf.update(cfg, "point", point)
        point_cfg = apply_point(cfg)
        validate(point_cfg)
        OmegaConf.to_container(point_cfg, resolve=True)  # every interpolation resolves


def test_sweep_points_differ_only_in_their_values() -> None:
    cfg = compose_config(["+sweep=diversity_vs_quantity"])
    quantities = {p: apply_point(OmegaConf.merge(cfg, {"point": p})).synth.quantity for p in cfg.sweep.points}
    assert quantities["q8"] == 8 * quantities["q1"]
    assert quantities["d_pool5_vtask"] == quantities["q2"]  # equal data; 4x less than q8


def test_validate_collects_every_problem() -> None:
    cfg = compose_config(["synth.variety=-1", "sft.zero_stage=5", "evaluate.bfcl_categories=[nope]"])
    with pytest.raises(ConfigError) as error:
        validate(cfg)
    text = str(error.value)
    assert "synth.variety = -1" in text
    assert "sft.zero_stage = 5" in text and "[0, 1, 2, 3]" in text
    assert "'nope'" in text and "simple_python" in text
    assert len(error.value.problems) == 3


def test_slurm_launcher_needs_a_profile() -> None:
    with pytest.raises(ConfigError, match="slurm=<profile>"):
        validate(compose_config(["launcher=slurm"]))


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_dive(args, cwd, timeout=120, check=False)


def test_cli_rejects_bad_value_before_running(tmp_path: Path) -> None:
    result = _cli(["synth.variety=-1", "tracking=none"], tmp_path)
    assert result.returncode != 0
    assert "synth.variety = -1 must be null or >= 1" in result.stderr + result.stdout
    assert not (tmp_path / "artifacts").exists()


def test_cli_rejects_unknown_option_with_choices(tmp_path: Path) -> None:
    result = _cli(["launcher=nope"], tmp_path)
    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "launcher/nope" in output and "debug" in output and "local" in output and "slurm" in output


def test_sweep_validates_every_point_before_launch(tmp_path: Path) -> None:
    result = _cli(["+sweep=smoke", "synth.toolset_min=9", "synth.toolset_max=3", "tracking=none"], tmp_path)
    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "[point v1]" in output and "[point vtask]" in output and "synth.toolset_max = 3" in output
    assert not list(tmp_path.glob("sweeps/*/*/.submitit")), "no job may be submitted"
