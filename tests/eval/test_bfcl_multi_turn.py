"""BFCL multi-turn: gold sequences pass, corrupted ones fail, and verdicts, decoding and execution results
equal those of BFCL's own code (its checker and executor are light to import; its decoder is compiled from
its source, since importing the handler package needs the provider SDKs)."""

from __future__ import annotations

import ast
import copy
import dataclasses
import importlib.util
import itertools
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("bfcl_eval") is None, reason="bfcl-eval is not installed"
)

from dive.eval.bfcl_multi_turn import (  # noqa: E402  (the skip must be declared before a failing import could matter)
    MAX_STEPS,
    Call,
    Environment,
    MultiTurnItem,
    call_string,
    calls_from_structured,
    check,
    decode_execute,
    load_multi_turn_items,
    parse_ground_truth,
    tool_messages,
)

Steps = list[list[list[Call]]]
_HINT = " Note that the provided function is in Python 3 syntax."
_names = itertools.count()


@pytest.fixture(scope="module")
def items() -> list[MultiTurnItem]:
    return load_multi_turn_items()


def _bfcl_root() -> Path:
    spec = importlib.util.find_spec("bfcl_eval")
    assert spec is not None and spec.submodule_search_locations
    return Path(list(spec.submodule_search_locations)[0])


def _bfcl_check(item: MultiTurnItem, steps: Steps) -> tuple[bool, str]:
    """BFCL's multi_turn_checker on the string form of ``steps``, empty steps skipped as eval_runner does."""
    from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker import multi_turn_checker

    decoded = [[[call_string(c) for c in step] for step in turn if step] for turn in steps]
    entry = {"id": item.id, "initial_config": item.initial_config, "involved_classes": item.involved_classes}
    # BFCL caches instances in its module globals by model name + entry id: a fresh name per call.
    result = multi_turn_checker(decoded, item.ground_truth, entry, item.category, f"dive_{next(_names)}")
    return result["valid"], result.get("error_type", "")


def _gold(item: MultiTurnItem) -> Steps:
    return [[[parse_ground_truth(c) for c in turn]] for turn in item.ground_truth]


def _first_gold_turn(item: MultiTurnItem) -> int:
    return next(i for i, turn in enumerate(item.ground_truth) if turn)


def _drop_last_call(item: MultiTurnItem) -> Steps:
    steps, turn = _gold(item), _first_gold_turn(item)
    steps[turn] = [steps[turn][0][:-1]]
    return steps


def _empty_turn(item: MultiTurnItem) -> Steps:
    steps = _gold(item)
    steps[_first_gold_turn(item)] = []
    return steps


def _public_state(env: Environment) -> dict[str, dict[str, Any]]:
    return {
        name: copy.deepcopy({k: v for k, v in vars(obj).items() if not k.startswith("_")})
        for name, obj in env.instances.items()
    }


def _with_wrong_string(call: Call, key: str | int) -> Call:
    if isinstance(key, str):
        return dataclasses.replace(call, kwargs={**call.kwargs, key: "__wrong__"})
    args = list(call.args)
    args[key] = "__wrong__"
    return dataclasses.replace(call, args=tuple(args))


def _wrong_argument(item: MultiTurnItem) -> Steps | None:
    """The first gold call where setting a string argument to "__wrong__" changes the resulting state."""
    steps, env = _gold(item), Environment.for_item(item)
    for turn, (step,) in enumerate(steps):
        for index, call in enumerate(step):
            keys = [k for k, v in call.kwargs.items() if isinstance(v, str)]
            keys += [i for i, v in enumerate(call.args) if isinstance(v, str)]
            for key in keys:
                probe = copy.deepcopy(env)
                probe.execute([_with_wrong_string(call, key)])
                env_after = copy.deepcopy(env)
                env_after.execute([call])
                if _public_state(probe) != _public_state(env_after):
                    steps[turn][0][index] = _with_wrong_string(call, key)
                    return steps
            env.execute([call])
    return None


# ---- loading ----------------------------------------------------------------------------------------


def test_all_items_load_in_id_order(items: list[MultiTurnItem]) -> None:
    assert [item.id for item in items] == [f"multi_turn_base_{i}" for i in range(200)]
    for item in items:
        assert len(item.ground_truth) == len(item.turns)
        assert item.functions and all(f["description"].endswith(_HINT) for f in item.functions)
        assert all(msg["role"] and msg["content"] for turn in item.turns for msg in turn)


def test_functions_follow_involved_classes_and_are_copies(items: list[MultiTurnItem]) -> None:
    item = next(i for i in items if i.involved_classes == ["GorillaFileSystem", "MathAPI"])
    names = [f["name"] for f in item.functions]
    assert names.index("cd") < names.index("add")
    item.functions[0]["description"] = "changed"
    fresh = load_multi_turn_items(limit=1, offset=int(item.id.rsplit("_", 1)[1]))[0]
    assert fresh.functions[0]["description"].endswith(_HINT)


def test_limit_offset_and_category_validation() -> None:
    ids = [i.id for i in load_multi_turn_items(limit=2, offset=9)]
    assert ids == ["multi_turn_base_9", "multi_turn_base_10"]
    with pytest.raises(ValueError, match="multi_turn_base"):
        load_multi_turn_items("multi_turn_long_context")


def test_max_steps_is_bfcls() -> None:
    source = (_bfcl_root() / "constants" / "default_prompts.py").read_text()
    assert re.search(r"^MAXIMUM_STEP_LIMIT = (\d+)$", source, re.M).group(1) == str(MAX_STEPS)


# ---- checking ---------------------------------------------------------------------------------------


def test_gold_sequences_are_valid(items: list[MultiTurnItem]) -> None:
    for item in items:
        assert check(item, _gold(item)).valid, item.id


def test_corrupted_sequences_are_invalid(items: list[MultiTurnItem]) -> None:
    state, response = "multi_turn:instance_state_mismatch", "multi_turn:execution_response_mismatch"
    wrong_applies = 0
    for item in items:
        dropped = check(item, _drop_last_call(item))
        # Dropping a turn's only call leaves the turn empty.
        assert dropped.error_type in (state, response, "multi_turn:empty_turn_model_response"), item.id
        assert not dropped.valid
        assert check(item, _empty_turn(item)).error_type == "multi_turn:empty_turn_model_response"
        assert check(item, _gold(item)[:-1]).error_type == "multi_turn:force_terminated"
        wrong = _wrong_argument(item)
        if wrong is not None:
            wrong_applies += 1
            result = check(item, wrong)
            assert not result.valid and result.error_type in (state, response), item.id
    assert wrong_applies >= 180  # some items only read state or change it whatever the string arguments


def test_verdicts_equal_bfcls_checker(items: list[MultiTurnItem]) -> None:
    for item in items:
        for steps in (_gold(item), _drop_last_call(item), _empty_turn(item), _wrong_argument(item)):
            if steps is not None:
                result = check(item, steps)
                assert (result.valid, result.error_type) == _bfcl_check(item, steps), item.id


def test_steps_without_calls_are_skipped(items: list[MultiTurnItem]) -> None:
    item = items[0]
    steps = _gold(item)
    steps[0] = [[], *steps[0], []]
    assert check(item, steps).valid
    assert check(item, steps) == check(item, steps)  # the check replays on fresh environments each time


# ---- decoding ---------------------------------------------------------------------------------------


def _bfcl_decoder() -> Any:
    """BFCL's default_decode_execute_prompting, compiled from its source with only ``ast`` and ``re``."""
    wanted = {
        "ast_parse",
        "resolve_ast_call",
        "resolve_ast_by_type",
        "parse_nested_value",
        "decoded_output_to_execution_list",
        "default_decode_execute_prompting",
    }
    tree = ast.parse((_bfcl_root() / "model_handler" / "utils.py").read_text())
    body = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted]
    assert {n.name for n in body} == wanted
    return_format = type("ReturnFormat", (), {"PYTHON": "python"})
    namespace: dict[str, Any] = {"ast": ast, "re": re, "ReturnFormat": return_format}
    exec(compile(ast.Module(body=body, type_ignores=[]), "bfcl_utils", "exec"), namespace)
    return namespace["default_decode_execute_prompting"]


# Only inputs that are harmless to BFCL's eval of BinOp nodes.
DECODE_CASES = [
    "cd(folder='document')",
    "[cd(folder='a'), ls()]",
    "```\ncd(folder='a')\n```",
    "```python\ncd(folder='a')\n```",
    "cd('document')",
    "mv(source='a', destination=pwd())",
    "echo(content=cat(file_name='a.txt'), file_name='b.txt')",
    "add(a=-5, b=+3)",
    "add(a=2**10, b=7//2 - 1.5 * 2)",
    "mean(numbers=[1, 2.5, -3])",
    "f(x={'a': 1, 'b': {'c': 2}})",
    "f(x={'g': {'y': 1}})",
    "f(x={'g': {'y': {'h': {'z': 1}}}, 'k': 2})",
    "f(x={})",
    "f(x=(1, 'a'), y=None, z=True, w=...)",
    "f(x=a.b[0], y=some_name, z=d[1:2])",
    "os.path.join(a='x')",
    "f(**kw)",
    "f(x={1: 'a'})",
    "I will now list the files.",
    "[]",
    "f(x=lambda: 1)",
    "f(x=1 < 2)",
    "f(x=f'{y}')",
    "f(x=-'a')",
    "f(x=-y)",
    "'cd(folder=\"a\")'",
    "cd(folder='a'); ls()",
]


@pytest.mark.parametrize("text", DECODE_CASES)
def test_decode_equals_bfcls(text: str) -> None:
    try:
        expected: list[str] | None = _bfcl_decoder()(text)
    except Exception:
        expected = None
    try:
        ours: list[str] | None = [call_string(c) for c in decode_execute(text)]
    except ValueError:
        ours = None
    assert ours == expected


def test_decode_shapes() -> None:
    assert decode_execute("cd('document')") == [Call("cd", {})]
    assert decode_execute("[cd(folder='a'), ls()]") == [Call("cd", {"folder": "a"}), Call("ls", {})]
    nested = decode_execute("echo(content=cat(file_name='a'), file_name='b')")[0]
    assert nested.kwargs == {"content": Call("cat", {"file_name": "a"}), "file_name": "b"}
    assert decode_execute("cd(folder=pwd())")[0].kwargs == {"folder": "pwd()"}
    assert decode_execute("f(x=2**10)")[0].kwargs == {"x": 1024}
    assert decode_execute("[]") == []


@pytest.mark.parametrize(
    "text",
    [
        "Sure, I have moved the file for you.",
        "f(x=2**10**10)",
        "f(x=(2**64)**64**64)",
        "f(x=lambda: __import__('os').system('echo hacked'))",
        "f(x=1 + __import__('os').getpid())",
        "f(x='a' * 10**9)",
        "f(x=1/0)",
        "f(x=1e308 ** 64)",
        "f(x=" + "(" * 500 + "1" + ")" * 500 + ")",
    ],
)
def test_decode_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        decode_execute(text)


def test_model_names_are_only_data(items: list[MultiTurnItem]) -> None:
    env = Environment.for_item(items[0])
    calls = decode_execute("[__import__(name='os'), ls(a=__import__('os').system('echo hacked'))]")
    assert calls[1].kwargs == {"a": "__import__('os').system('echo hacked')"}
    results = env.execute(calls)
    assert results[0] == "Error during execution: name '__import__' is not defined"
    assert env.execute(decode_execute("kill(pid=1)"))[0].endswith("Function call kill is not allowed.")


def test_structured_calls() -> None:
    expected = [Call("cd", {"folder": "a"}), Call("ls", {})]
    assert calls_from_structured([{"name": "cd", "arguments": {"folder": "a"}}, {"name": "ls"}]) == expected
    assert calls_from_structured([{"name": "cd", "arguments": '{"folder": "a"}'}]) == expected[:1]
    for bad in ([{"name": 3}], [{"name": "cd", "arguments": "{"}], [{"name": "cd", "arguments": [1]}]):
        with pytest.raises(ValueError):
            calls_from_structured(bad)


def test_ground_truth_keeps_positional_args() -> None:
    assert parse_ground_truth("sort('final_report.pdf')") == Call("sort", {}, ("final_report.pdf",))
    assert call_string(parse_ground_truth("tail(file_name='log.txt',lines=20)")) == (
        "tail(file_name='log.txt', lines=20)"
    )


def test_tool_messages() -> None:
    calls = [Call("cd", {"folder": "document"}), Call("ls", {"a": True})]
    assert tool_messages(calls, ["ok", "{}"]) == [
        {"role": "tool", "name": "cd(folder='document')", "content": "ok"},
        {"role": "tool", "name": "ls(a=True)", "content": "{}"},
    ]
    with pytest.raises(ValueError):
        tool_messages(calls, ["ok"])


# ---- execution --------------------------------------------------------------------------------------

# Harmless to BFCL's eval. Excluded: identifiers followed by "(" inside string values, which BFCL's
# _process_method_calls rewrites (with its instance names) even inside string literals.
EXECUTION_CASES = [
    "ls(a=True)",
    "cd(folder='nonexistent_dir_xyz')",
    "pwd()",
    "mkdir(dir_name='new')",
    "cd(folder='new')",
    "touch(file_name='h.txt')",
    "echo(content='hello world', file_name='h.txt')",
    "cat(file_name='h.txt')",
    "wc(file_name='h.txt', mode='w')",
    "add(a=1, b=add(a=2, b=3))",
    "mean(numbers=[1, 2, 4])",
    "kill(pid=1)",
    "os.kill(pid=1)",
    "x.cd(folder='..')",
    "undefined_tool(a=1)",
    "cd(dir='x')",
    "cd()",
    "touch(file_name={'a': 1})",
    "divide(a=1, b=0)",
    "remove(file_name='h.txt')",
    "cd('..')",
    "find(path='.', name='h')",
    "ls(a=True)",
]


def test_execution_results_equal_bfcls(items: list[MultiTurnItem]) -> None:
    from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_utils import execute_multi_turn_func_call

    item = next(i for i in items if i.involved_classes == ["GorillaFileSystem", "MathAPI"])
    env, model_name = Environment.for_item(item), f"dive_{next(_names)}"
    for text in EXECUTION_CASES:
        calls = decode_execute(text)
        expected, _ = execute_multi_turn_func_call(
            [call_string(c) for c in calls], item.initial_config, item.involved_classes, model_name, item.id
        )
        assert env.execute(calls) == expected, text


def test_execution_copies_arguments(items: list[MultiTurnItem]) -> None:
    item = next(i for i in items if "TwitterAPI" in i.involved_classes)
    env = Environment.for_item(item)
    twitter = env.instances["TwitterAPI"]
    login = Call("authenticate_twitter", {"username": twitter.username, "password": twitter.password})
    post = Call("post_tweet", {"content": "hi", "tags": ["#a"], "mentions": []})
    assert '"content": "hi"' in env.execute([login, post])[1]
    stored = next(t for t in twitter.tweets.values() if t["content"] == "hi")
    assert stored["tags"] == ["#a"] and stored["tags"] is not post.kwargs["tags"]


def test_environments_import_no_provider_code() -> None:
    code = (
        "import sys\n"
        "from dive.eval.bfcl_multi_turn import Environment, load_multi_turn_items\n"
        "envs = [Environment.for_item(i) for i in load_multi_turn_items()]\n"
        "bad = [m for m in sys.modules if m.startswith('bfcl_eval.model_handler') or m == 'bfcl_eval.utils'\n"
        "       or m.split('.')[0] in ('openai', 'anthropic')]\n"
        "print(len(envs), bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "200 []"
