"""The scale knob, the token budget checked before launch, and the slots a local sweep shares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from dive.budget import estimate, mean_schema_tokens, tokens
from dive.config import ConfigError, apply_point, validate
from dive.pipeline import torch_threads
from dive.records import Task
from dive.stages.select import candidates
from tests.conftest import compose_config


def _point(overrides: list[str], point: str):
    return apply_point(OmegaConf.merge(compose_config(overrides), {"point": point}))


def test_quantities_are_units_of_the_scale() -> None:
    laptop = compose_config(["+sweep=diversity_vs_quantity"])
    paper = compose_config(["+sweep=diversity_vs_quantity", "scale=paper"])
    for cfg, unit in ((laptop, laptop.sweep.unit), (paper, 6000)):
        quantities = {
            p: apply_point(OmegaConf.merge(cfg, {"point": p})).synth.quantity for p in cfg.sweep.points
        }
        assert quantities == {
            "q1": unit,
            "q2": 2 * unit,
            "q4": 4 * unit,
            "q8": 8 * unit,
            "d_pool1_v8": 2 * unit,
            "d_pool3_v64": 2 * unit,
            "d_pool5_vtask": 2 * unit,
        }
    assert _point(["+sweep=diversity_vs_quantity", "scale=paper"], "q8").synth.quantity == 48_000


def test_paper_scale_has_the_papers_sizes() -> None:
    cfg = compose_config(["scale=paper"])
    assert (cfg.synth.toolset_min, cfg.synth.toolset_max) == (15, 50)
    assert cfg.select.max_tasks == 3200 and cfg.evaluate.dive_eval_tasks == 800
    assert cfg.grpo.steps == 100 and cfg.evaluate.temperature == 1.0


def test_laptop_default_fits_and_every_study_validates() -> None:
    for sweep in ("smoke", "diversity_vs_quantity", "variety_vs_poolexp", "all_paths"):
        cfg = compose_config([f"+sweep={sweep}"])
        for point in cfg.sweep.points:
            validate(apply_point(OmegaConf.merge(cfg, {"point": point})))


def test_paper_scale_on_the_small_model_is_refused_with_the_knobs() -> None:
    with pytest.raises(ConfigError) as error:
        validate(compose_config(["scale=paper"]))
    text = str(error.value)
    assert "sft.max_seq_len = 32768 exceeds the model's context (8192" in text
    assert "synth.toolset_max=50" in text and "longer-context model" in text


def test_conversations_longer_than_the_sft_limit_are_refused() -> None:
    with pytest.raises(ConfigError) as error:
        validate(compose_config(["synth.toolset_min=20", "synth.toolset_max=30"]))
    text = str(error.value)
    assert "sft.max_seq_len = 2560 is shorter than a typical solved conversation" in text
    assert "lower synth.toolset_max" in text and "raise sft.max_seq_len" in text


def test_estimate_grows_with_toolset_and_output_cap() -> None:
    small = estimate(compose_config([]), ["finance"], 64)
    bigger = estimate(compose_config(["synth.toolset_max=12"]), ["finance"], 64)
    longer = estimate(compose_config(["tools.max_output_chars=3000"]), ["finance"], 64)
    assert bigger.prompt - small.prompt == 6 * mean_schema_tokens(("finance",))
    assert longer.sft > small.sft and longer.prompt == small.prompt
    assert small.prompt < small.sft and small.rollout == small.prompt + 64 + tokens(500)


def test_context_is_read_from_an_hf_directory(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"max_position_embeddings": 1024}))
    cfg = compose_config(["model=hf_dir", f"model.path={tmp_path}"])
    with pytest.raises(ConfigError, match=r"exceeds the model's context \(1024 tokens"):
        validate(cfg)
    with pytest.raises(
        ConfigError, match="model.path = '/nonexistent/model' is not a Hugging Face model dir"
    ):
        validate(compose_config(["model=hf_dir", "model.path=/nonexistent/model"]))


def test_select_candidates_are_a_seeded_sample_in_file_order() -> None:
    tasks = [Task(i, [], id=str(i)) for i in range(20)]
    chosen = candidates(tasks, 5, seed=0)
    assert len(chosen) == 5 and chosen == sorted(chosen, key=lambda t: t.index)
    assert chosen == candidates(tasks, 5, seed=0) and chosen != candidates(tasks, 5, seed=1)
    assert candidates(tasks, None, seed=0) == tasks and candidates(tasks, 50, seed=0) == tasks


def test_torch_threads_share_the_cores_among_parallel_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert torch_threads(compose_config(["launcher.parallel=2"]), in_sweep=True) == 4
    assert torch_threads(compose_config(["launcher.parallel=2"]), in_sweep=False) == 8
    assert torch_threads(compose_config(["launcher=slurm", "slurm=localhost"]), in_sweep=True) == 8
    assert torch_threads(compose_config(["torch_threads=3"]), in_sweep=True) == 3
