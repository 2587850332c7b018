"""Shared test helpers: run the real CLI in a subprocess and read what it left behind (artifacts,
MLflow runs), and build the sft.jsonl rows that solve writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

TINY_SMOKE = ["+sweep=smoke", "debug=tiny", "sft.max_seq_len=4096", "evaluate.models=[grpo,sft,base]"]


def run_dive(
    args: list[str], root: Path, timeout: int = 1500, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """``python -m dive <args>`` with DIVE_ROOT=root; with ``check`` a failure raises with the job logs."""
    env = {**os.environ, "DIVE_ROOT": str(root), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    result = subprocess.run(
        [sys.executable, "-m", "dive", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        logs = "\n".join(p.read_text()[-3000:] for p in root.glob("sweeps/*/*/.submitit/*/*_log.err"))
        raise AssertionError(
            f"dive {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}\n{logs}"
        )
    return result


def done_markers(root: Path) -> dict[str, float]:
    return {str(p.parent.relative_to(root)): p.stat().st_mtime for p in root.glob("artifacts/*/*/DONE")}


def mlflow_runs(root: Path) -> list[Any]:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{root}/results/mlflow.db")
    experiment = client.get_experiment_by_name("dive")
    return client.search_runs([experiment.experiment_id], max_results=1000)


def tool_schema(tool_id: str) -> dict[str, Any]:
    """The OpenAI tool schema solve writes for ``tool_id`` (dots become ``__``), without parameters."""
    name = tool_id.replace(".", "__")
    return {"type": "function", "function": {"name": name, "description": "", "parameters": {}}}


def tool_request(call_id: str, tool_id: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """One entry of an assistant message's ``tool_calls``."""
    function = {"name": tool_id.replace(".", "__"), "arguments": json.dumps(arguments)}
    return {"id": call_id, "type": "function", "function": function}


def tool_result(call_id: str, content: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def sft_row(
    question: str, calls: list[tuple[str, dict[str, Any], str]], answer: str, toolset: list[str]
) -> dict[str, Any]:
    """An sft.jsonl row: the question, one assistant turn per (tool_id, arguments, output), the answer."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    for n, (tool_id, arguments, output) in enumerate(calls):
        messages.append(
            {"role": "assistant", "content": "", "tool_calls": [tool_request(f"c{n}", tool_id, arguments)]}
        )
        messages.append(tool_result(f"c{n}", output))
    messages.append({"role": "assistant", "content": f"The final answer is: {answer}."})
    return {"messages": messages, "tools": [tool_schema(t) for t in toolset]}
