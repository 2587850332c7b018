"""Token budget: do a config's conversations fit the model's context and ``sft.max_seq_len``?

Every tool schema of a toolset sits in the prompt, so the toolset size, the tool-output cap and the
number of calls decide how long a conversation gets. A study whose conversations all exceed the SFT
limit would synthesise and solve for minutes and then fail at SFT; this check runs in ``validate``, so
preflight rejects such a config before any job starts and names the knobs to turn.

The estimate is an upper bound of a typical conversation, not of the longest one: a full-size toolset
of tools of the pool's mean schema length, and every evidence call's output at its cap. Tokens are
counted as characters / ``CHARS_PER_TOKEN`` (SmolLM2's tokenizer averages 3.3 characters a token over
the pool's schemas; 3.0 errs long), which keeps the check free of loading any tokenizer.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path

from omegaconf import DictConfig

CHARS_PER_TOKEN = 3.0
FRAME_TOKENS = 300  # system prompt and tool preamble (~190), the question, the final answer
CALL_TOKENS = 60  # one <tool_call> block: the name and the JSON arguments


@dataclasses.dataclass(frozen=True)
class Estimate:
    prompt: int  # system turn with the toolset's schemas, and the question
    sft: int  # a solved conversation: prompt + every evidence call and its output + the answer
    rollout: int  # an episode's first turn: prompt + generated tokens + one tool output (longer
    # episodes stop when they outgrow the context, dive/rollout.py)


def tokens(chars: float) -> int:
    return int(chars / CHARS_PER_TOKEN + 0.999)


@functools.cache
def mean_schema_tokens(domains: tuple[str, ...]) -> int:
    """Mean token length of the rendered schemas of every tool registered in ``domains``."""
    from dive.tools.registry import load_tools

    tools = load_tools(domains)
    sizes = [tokens(len(json.dumps(t.openai_schema(), ensure_ascii=False))) for t in tools.values()]
    return int(sum(sizes) / max(1, len(sizes)) + 0.999)


def estimate(cfg: DictConfig, domains: list[str], new_tokens: int) -> Estimate:
    s = cfg.synth
    prompt = FRAME_TOKENS + s.toolset_max * mean_schema_tokens(tuple(sorted(domains)))
    output = tokens(cfg.tools.max_output_chars)
    evidence = s.rounds * s.calls_per_round * (CALL_TOKENS + output)
    return Estimate(prompt, prompt + evidence, prompt + new_tokens + output)


def model_context(cfg: DictConfig, problems: list[str]) -> int | None:
    """``model.max_context``, or the HF directory's ``max_position_embeddings`` when it is null."""
    if cfg.model.max_context is not None:
        return int(cfg.model.max_context)
    config = Path(str(cfg.model.path or "")).expanduser() / "config.json"
    if not cfg.model.path or not config.is_file():
        problems.append(
            f"model.path = {cfg.model.path!r} holds no config.json, so model.max_context = null cannot be "
            "read from it: give an HF model directory, or set model.max_context"
        )
        return None
    values = json.loads(config.read_text())
    values = values.get("text_config", values)  # multimodal configs nest the language model's
    if "max_position_embeddings" not in values:
        problems.append(f"{config} has no max_position_embeddings: set model.max_context")
        return None
    return int(values["max_position_embeddings"])


def check_budget(cfg: DictConfig, problems: list[str]) -> None:
    """Add a problem for every limit a config's conversations exceed, naming the knobs to turn."""
    context = model_context(cfg, problems)
    pool = list(cfg.synth.pool_domains or cfg.tools.domains)
    train = estimate(cfg, pool, 0)
    shrink = "lower synth.toolset_max, tools.max_output_chars or synth.calls_per_round"
    where = (
        f"synth.toolset_max={cfg.synth.toolset_max} tools x ~{mean_schema_tokens(tuple(sorted(pool)))} "
        f"tokens of schema, {cfg.synth.rounds * cfg.synth.calls_per_round} calls x "
        f"tools.max_output_chars={cfg.tools.max_output_chars}"
    )
    if train.sft > cfg.sft.max_seq_len:
        problems.append(
            f"sft.max_seq_len = {cfg.sft.max_seq_len} is shorter than a typical solved conversation "
            f"(~{train.sft} tokens: {where}); SFT would drop them all: {shrink}, or raise sft.max_seq_len"
        )
    if context is None:
        return
    if cfg.sft.max_seq_len > context:
        problems.append(
            f"sft.max_seq_len = {cfg.sft.max_seq_len} exceeds the model's context ({context} tokens, "
            f"model.max_context of {cfg.model.name}): lower sft.max_seq_len or use a longer-context model"
        )
    for group in ("select", "grpo", "evaluate"):
        domains = list(cfg.tools.domains) if group == "evaluate" else pool  # DIVE-Eval draws from all
        needed = estimate(cfg, domains, cfg[group].max_new_tokens).rollout
        if needed > context:
            problems.append(
                f"{group} episodes need ~{needed} tokens for their first turn (the prompt of "
                f"synth.toolset_max={cfg.synth.toolset_max} tools, {group}.max_new_tokens="
                f"{cfg[group].max_new_tokens} and one tool output), over the model's context of {context} "
                f"({cfg.model.name}): lower synth.toolset_max or {group}.max_new_tokens, "
                "or use a longer-context model"
            )
