"""Real tools called from async LLM loops (the LLM synthesizer, the LLM teacher), with a deadline."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from dive.tools.base import Tool, ToolResult


class ToolRunner:
    """Runs real tools off the event loop with a deadline: a hung tool is abandoned (its thread is left
    to finish, and counted) instead of stalling synthesis."""

    def __init__(self, timeout_s: float, workers: int):
        self.timeout_s = timeout_s
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dive-tool")

    async def __call__(self, tool: Tool, arguments: dict[str, Any]) -> ToolResult:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.pool, tool, arguments)
        try:
            return await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            return ToolResult(False, None, f"tool timed out after {self.timeout_s:.0f} s", self.timeout_s)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
