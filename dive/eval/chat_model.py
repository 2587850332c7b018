"""The model under evaluation, in-process or behind an OpenAI-compatible endpoint, with one interface.

Every benchmark (DIVE-Eval, BFCL) talks to a :class:`ChatModel`: it sends conversations (OpenAI
messages, optional tools) and gets the assistant's text back. Two implementations:

* :class:`InProcessModel`: an HF model loaded here. The prompt is the tokenizer's own chat template
  (``apply_chat_template`` with ``tools``), exactly what ``transformers serve`` and ``vllm serve`` apply,
  so a served checkpoint sees the same tokens. A lone conversation reuses the KV cache of the previous
  call over their common token prefix: a multi-turn benchmark re-sends a growing conversation, and
  re-encoding a 6k-token BFCL prompt every step would dominate CPU time.
* :class:`ServedModel`: any endpoint through :class:`dive.llm.client.LLMClient` (a managed
  ``transformers serve`` / ``vllm serve``, or a provider), so reference rows (a frontier model, a
  larger open model) go beside ours.

Greedy decoding is ``temperature == 0`` on both sides; a test checks that they agree.
"""

from __future__ import annotations

import abc
import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any

Conversation = tuple[list[dict[str, Any]], list[dict[str, Any]] | None]  # (messages, tools)


@dataclasses.dataclass(frozen=True)
class Decoding:
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    max_new_tokens: int = 256


@dataclasses.dataclass
class Reply:
    text: str  # the assistant's text as the model wrote it (special tokens removed)
    tool_calls: list[dict[str, Any]] | None = None  # calls a server parsed itself: {"name", "arguments"}
    overflow: bool = False  # the conversation did not fit the model's context: nothing was generated
    prompt_tokens: int = 0
    completion_tokens: int = 0


def assistant_turn(reply: Reply) -> dict[str, Any]:
    """The assistant message a reply adds to the conversation: its text, and its tool calls as the
    server parsed them or, for a text-only reply, as dive.chat reads them from the text."""
    from dive.chat import assistant_message

    message = assistant_message(reply.text)
    if reply.tool_calls is not None:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": c["name"], "arguments": c["arguments"]},
            }
            for i, c in enumerate(reply.tool_calls)
        ]
    return message


def encode(tokenizer: Any, conversation: Conversation) -> list[int]:
    """The prompt tokens of ``conversation`` under the tokenizer's own chat template, as
    ``transformers serve`` and ``vllm serve`` build them (generation prompt appended)."""
    messages, tools = conversation
    encoded = tokenizer.apply_chat_template(
        messages, tools=tools or None, add_generation_prompt=True, tokenize=True, return_dict=True
    )
    return list(encoded["input_ids"])


class ChatModel(abc.ABC):
    """A model that answers conversations; ``reply`` keeps the order of its input."""

    label: str
    parallel: int = 1  # conversations of different items a benchmark may advance at once (threads)

    @abc.abstractmethod
    def reply(self, conversations: Sequence[Conversation], decoding: Decoding) -> list[Reply]: ...

    def close(self) -> None:  # noqa: B027  (most models hold nothing to free)
        """Free what the model holds (a cache, a connection pool)."""


class InProcessModel(ChatModel):
    def __init__(self, model: Any, tokenizer: Any, label: str, batch_size: int = 8) -> None:
        self.model, self.tokenizer, self.label, self.batch_size = model, tokenizer, label, batch_size
        self.max_context = int(getattr(model.config, "max_position_embeddings", 0) or 1 << 30)
        self._stop_ids = _stop_ids(model, tokenizer)
        self._pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self._stop_ids[0]
        self._cache: Any = None  # the KV cache of the last lone conversation ...
        self._cached_ids: list[int] = []  # ... and the tokens it holds

    def encode(self, conversation: Conversation) -> list[int]:
        return encode(self.tokenizer, conversation)

    def reply(self, conversations: Sequence[Conversation], decoding: Decoding) -> list[Reply]:
        prompts = [self.encode(c) for c in conversations]
        replies: list[Reply | None] = [None] * len(prompts)
        fitting = []
        for i, ids in enumerate(prompts):
            if len(ids) >= self.max_context:
                replies[i] = Reply("", overflow=True, prompt_tokens=len(ids))
            else:
                fitting.append(i)
        if len(fitting) == 1:
            i = fitting[0]
            replies[i] = self._finish(prompts[i], self._generate_cached(prompts[i], decoding))
        for start in range(0, len(fitting) if len(fitting) > 1 else 0, self.batch_size):
            chunk = fitting[start : start + self.batch_size]
            outputs = self._generate_batch([prompts[i] for i in chunk], decoding)
            for i, new_ids in zip(chunk, outputs, strict=True):
                replies[i] = self._finish(prompts[i], new_ids)
        return [r for r in replies if r is not None]

    def close(self) -> None:
        self._cache, self._cached_ids = None, []

    def _finish(self, prompt: list[int], new_ids: list[int]) -> Reply:
        text = self.tokenizer.decode(new_ids, skip_special_tokens=True)
        return Reply(text, prompt_tokens=len(prompt), completion_tokens=len(new_ids))

    def _budget(self, prompt_len: int, decoding: Decoding) -> int:
        return max(1, min(decoding.max_new_tokens, self.max_context - prompt_len))

    def _sampling(self, decoding: Decoding) -> dict[str, Any]:
        if decoding.temperature <= 0:
            return {"do_sample": False}
        return {"do_sample": True, "temperature": decoding.temperature, "top_p": decoding.top_p}

    def _generate_cached(self, ids: list[int], decoding: Decoding) -> list[int]:
        import torch
        from transformers import DynamicCache

        common = _common_prefix(self._cached_ids, ids)
        keep = min(common, len(ids) - 1)  # at least one prompt token must be fed
        if self._cache is not None and keep > 0:
            surplus = self._cache.get_seq_length() - keep
            if surplus > 0:
                self._cache.crop(-surplus)  # transformers 5: a negative count of tokens to drop
        else:
            self._cache = DynamicCache(config=self.model.config)
        with torch.no_grad():
            output = self.model.generate(
                input_ids=torch.tensor([ids], device=self.model.device),
                attention_mask=torch.ones((1, len(ids)), dtype=torch.long, device=self.model.device),
                cache=self._cache,
                max_new_tokens=self._budget(len(ids), decoding),
                eos_token_id=self._stop_ids,
                pad_token_id=self._pad,
                use_cache=True,
                **self._sampling(decoding),
            )
        new_ids = _until_stop(output[0, len(ids) :].tolist(), self._stop_ids)
        # The cache holds the prompt and every generated token except the last (never fed back).
        self._cached_ids = (ids + new_ids)[: self._cache.get_seq_length()]
        return new_ids

    def _generate_batch(self, prompts: list[list[int]], decoding: Decoding) -> list[list[int]]:
        import torch

        width = max(len(p) for p in prompts)
        input_ids = torch.full((len(prompts), width), self._pad, dtype=torch.long)
        attention = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, ids in enumerate(prompts):  # left padding: every row ends where generation starts
            input_ids[row, width - len(ids) :] = torch.tensor(ids)
            attention[row, width - len(ids) :] = 1
        with torch.no_grad():
            output = self.model.generate(
                input_ids=input_ids.to(self.model.device),
                attention_mask=attention.to(self.model.device),
                max_new_tokens=self._budget(width, decoding),
                eos_token_id=self._stop_ids,
                pad_token_id=self._pad,
                use_cache=True,
                **self._sampling(decoding),
            )
        return [_until_stop(row, self._stop_ids) for row in output[:, width:].tolist()]


class ServedModel(ChatModel):
    """An OpenAI-compatible endpoint; conversations of one call go out concurrently (bounded by the
    endpoint's ``concurrency``). A prompt the server refuses as too long counts as an overflow; for a
    server we started on a local checkpoint, ``tokenizer`` and ``max_context`` find it before sending,
    as vLLM would refuse it (``transformers serve`` would generate past the model's positions)."""

    def __init__(
        self,
        endpoint: Any,
        label: str,
        transport: Any = None,
        tokenizer: Any = None,
        max_context: int | None = None,
    ) -> None:
        self.endpoint, self.label, self.transport = endpoint, label, transport
        self.tokenizer, self.max_context = tokenizer, max_context
        self.parallel = endpoint.concurrency  # multi-turn items a benchmark may run at once

    def reply(self, conversations: Sequence[Conversation], decoding: Decoding) -> list[Reply]:
        return asyncio.run(self._reply_all(conversations, decoding))

    async def _reply_all(self, conversations: Sequence[Conversation], decoding: Decoding) -> list[Reply]:
        from dive.llm.client import LLMClient

        async with LLMClient(self.endpoint, self.transport) as client:
            return list(await asyncio.gather(*(self._one(client, c, decoding) for c in conversations)))

    async def _one(self, client: Any, conversation: Conversation, decoding: Decoding) -> Reply:
        from dive.llm.client import EndpointError

        messages, tools = conversation
        if self.tokenizer is not None and self.max_context is not None:
            prompt = encode(self.tokenizer, conversation)
            if len(prompt) >= self.max_context:
                return Reply("", overflow=True, prompt_tokens=len(prompt))
        try:
            completion = await client.chat(
                messages,
                tools,
                temperature=decoding.temperature,
                max_tokens=decoding.max_new_tokens,
                top_p=decoding.top_p if decoding.temperature > 0 else None,
            )
        except EndpointError as error:
            if error.reason == "400" and _too_long(str(error)):
                return Reply("", overflow=True)
            raise
        structured = [{"name": c.name, "arguments": c.arguments} for c in completion.tool_calls]
        return Reply(
            completion.raw_content,
            tool_calls=structured if completion.structured else None,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
        )


def _too_long(message: str) -> bool:
    lowered = message.lower()
    return any(
        s in lowered for s in ("maximum context length", "context length", "too long", "max_model_len")
    )


def _stop_ids(model: Any, tokenizer: Any) -> list[int]:
    """The ids generation stops at, as a server would read them: the generation config's, else eos."""
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    ids = configured if isinstance(configured, list) else [configured]
    ids = [i for i in ids if i is not None]
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    return ids


def _until_stop(row: list[int], stop_ids: list[int]) -> list[int]:
    for n, token in enumerate(row):
        if token in stop_ids:
            return row[: n + 1]
    return row


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
