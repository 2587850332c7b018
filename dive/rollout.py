"""Multi-turn tool-use episodes with an HF policy: generate, parse tool calls, run the real tools, repeat.

Used by ``select`` (pass rates), ``grpo`` (training rollouts) and ``evaluate``. Episodes advance in
lock-step batches: one ``generate`` call per turn for every unfinished episode. Each episode keeps the
exact token ids it was conditioned on and a mask of the tokens the policy generated, so GRPO scores
precisely what was sampled (no re-tokenization drift). vLLM replaces :func:`generate` at scale.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from dive.chat import assistant_message, final_answer, parse_tool_calls, render
from dive.records import Call
from dive.tools.base import Tool, check_arguments

MAX_CONTEXT_TOKENS = 8192  # an episode that outgrows this stops (and gets no answer)


@dataclasses.dataclass
class Episode:
    key: str  # task id (several episodes of one task form a GRPO group)
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]  # OpenAI schemas shown to the model
    lookup: Mapping[str, Tool]  # function name -> tool, the task's toolset only
    token_ids: list[int]
    gen_mask: list[int]  # 1 where the policy generated the token
    turn_texts: list[str] = dataclasses.field(default_factory=list)
    calls: list[Call] = dataclasses.field(default_factory=list)
    final: str | None = None
    done: bool = False


def start(
    key: str,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    lookup: Mapping[str, Tool],
    tokenizer: Any,
) -> Episode:
    text = render(messages, tools, add_generation_prompt=True)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return Episode(key, [dict(m) for m in messages], tools, lookup, list(ids), [0] * len(ids))


def generate(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[list[int]],
    max_new_tokens: int,
    temperature: float,
    stop_id: int,
    batch_size: int = 8,
) -> list[list[int]]:
    """New token ids per prompt (up to and including the stop token), in left-padded batches."""
    results: list[list[int]] = []
    for i in range(0, len(prompts), batch_size):
        results += _generate_batch(
            model, tokenizer, prompts[i : i + batch_size], max_new_tokens, temperature, stop_id
        )
    return results


def _generate_batch(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[list[int]],
    max_new_tokens: int,
    temperature: float,
    stop_id: int,
) -> list[list[int]]:
    import torch

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stop_id
    width = max(len(p) for p in prompts)
    input_ids = torch.full((len(prompts), width), pad, dtype=torch.long)
    attention = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, ids in enumerate(prompts):
        input_ids[row, width - len(ids) :] = torch.tensor(ids)
        attention[row, width - len(ids) :] = 1
    sampling = (
        {"do_sample": True, "temperature": temperature, "top_p": 1.0}
        if temperature > 0
        else {"do_sample": False}
    )
    with torch.no_grad():
        output = model.generate(
            input_ids=input_ids.to(model.device),  # a GPU policy (grpo=gpu) takes GPU inputs
            attention_mask=attention.to(model.device),
            max_new_tokens=max_new_tokens,
            eos_token_id=stop_id,
            pad_token_id=pad,
            use_cache=True,
            **sampling,
        )
    results = []
    for row in output[:, width:].tolist():
        cut = row.index(stop_id) + 1 if stop_id in row else len(row)
        results.append(row[:cut])
    return results


def run_calls(episode: Episode, parsed: list[dict[str, Any]], max_chars: int) -> list[dict[str, Any]]:
    """Execute parsed calls (``{"name", "arguments"}``, dive.chat) against the task's toolset; every
    call is recorded whole in ``episode.calls`` and gets a tool message back with its (cut) result."""
    messages = []
    turn = len(episode.turn_texts)
    for n, request in enumerate(parsed):
        name, arguments = request["name"], request["arguments"]
        tool = episode.lookup.get(name)
        if tool is None:
            error = f"unknown tool {name!r}; available: {sorted(episode.lookup)}"
            call = Call(name, arguments, ok=False, error=error, turn=turn, valid=False)
            content = call.shown()  # the whole list of names, never cut
        else:
            valid = check_arguments(tool.parameters, arguments) is None
            call = Call.from_result(
                tool.id, arguments, tool(arguments), turn=turn, valid=valid, type=tool.type
            )
            content = call.shown(max_chars)
        episode.calls.append(call)
        messages.append({"role": "tool", "tool_call_id": f"call_{n}", "content": content})
    return messages


def rollout(
    model: Any,
    tokenizer: Any,
    episodes: list[Episode],
    max_turns: int,
    max_new_tokens: int,
    temperature: float,
    max_chars: int,
    batch_size: int = 8,
) -> None:
    """Advance every episode until it answers (a turn without tool calls) or runs out of turns."""
    stop_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    for turn in range(max_turns):
        active = [e for e in episodes if not e.done]
        prompts = [e.token_ids for e in active]
        outputs = generate(model, tokenizer, prompts, max_new_tokens, temperature, stop_id, batch_size)
        for episode, new_ids in zip(active, outputs, strict=True):
            _advance(
                episode, new_ids, tokenizer, stop_id, last_turn=turn == max_turns - 1, max_chars=max_chars
            )


def _advance(
    episode: Episode, new_ids: list[int], tokenizer: Any, stop_id: int, last_turn: bool, max_chars: int
) -> None:
    text = tokenizer.decode(new_ids, skip_special_tokens=False)
    episode.token_ids += new_ids
    episode.gen_mask += [1] * len(new_ids)
    episode.turn_texts.append(text)
    episode.messages.append(assistant_message(text))
    calls = parse_tool_calls(text)
    if not calls or last_turn or len(episode.token_ids) > MAX_CONTEXT_TOKENS:
        episode.final = final_answer(text)
        episode.done = True
        return
    tool_messages = run_calls(episode, calls, max_chars)
    episode.messages += tool_messages
    closing = "" if new_ids and new_ids[-1] == stop_id else "<|im_end|>"
    blocks = "".join(f"\n<tool_response>\n{m['content']}\n</tool_response>" for m in tool_messages)
    injected = f"{closing}\n<|im_start|>user{blocks}<|im_end|>\n<|im_start|>assistant\n"
    ids = tokenizer(injected, add_special_tokens=False)["input_ids"]
    episode.token_ids += ids
    episode.gen_mask += [0] * len(ids)
