"""BFCL loading and scoring: gold answers pass for every item, perturbed answers fail, parsing works."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("bfcl_eval") is None, reason="bfcl-eval is not installed"
)

from dive.eval.bfcl import (  # noqa: E402  (the skip must be declared before a failing import could matter)
    CATEGORIES,
    LIVE_CATEGORIES,
    BfclItem,
    check,
    gold_calls,
    load_items,
    parse_tool_calls,
)

# Counts observed in bfcl-eval 2026.3.23's data files.
COUNTS = {
    "simple_python": 400,
    "multiple": 200,
    "parallel": 200,
    "parallel_multiple": 200,
    "irrelevance": 240,
    "live_simple": 258,
    "live_multiple": 1053,
    "live_parallel": 16,
    "live_parallel_multiple": 24,
    "live_irrelevance": 884,
    "live_relevance": 16,
}
# Live answer keys BFCL itself can never accept: a required parameter whose only answer is "" (omit), or an
# answer naming a parameter the function lacks. BFCL's own checker rejects the gold calls for these too.
UNSATISFIABLE = {
    "live_simple_106-63-0",
    "live_simple_112-68-0",
    "live_multiple_507-149-4",
    "live_multiple_862-181-3",
    "live_multiple_964-207-0",
}


def _one(category: str, item_id: str) -> BfclItem:
    return next(i for i in load_items(category) if i.id == item_id)


@pytest.mark.parametrize("category", CATEGORIES + LIVE_CATEGORIES)
def test_counts_order_and_schema(category: str) -> None:
    items = load_items(category)
    assert len(items) == COUNTS[category]
    ids = [i.id for i in items]
    assert len(set(ids)) == len(ids)
    assert [i.id for i in load_items(category, limit=3, offset=2)] == ids[2:5]
    for item in items:
        assert item.messages and item.messages[-1]["role"] == "user"
        assert all(set(m) == {"role", "content"} for m in item.messages)
        assert ("irrelevance" in category or "relevance" in category) == (item.answers == [])
        for tool in item.tools:
            assert tool["type"] == "function" and "." not in tool["function"]["name"]
            assert item.name_map[tool["function"]["name"]] in {f["name"] for f in item.functions}
            _assert_json_schema(tool["function"]["parameters"])


def _assert_json_schema(schema: dict) -> None:
    assert schema["type"] in {"object", "array", "string", "integer", "number", "boolean"}, schema
    for sub in schema.get("properties", {}).values():
        _assert_json_schema(sub)
    if isinstance(schema.get("items"), dict):
        _assert_json_schema(schema["items"])


def test_unknown_category_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="simple_python.*irrelevance"):
        load_items("simple")


@pytest.mark.parametrize("category", CATEGORIES + LIVE_CATEGORIES)
def test_gold_answers_pass(category: str) -> None:
    failures = []
    for item in load_items(category):
        calls = gold_calls(item)
        if category == "live_relevance":  # no answer key: any call is correct
            calls = [{"name": item.tools[0]["function"]["name"], "arguments": {}}]
        ok, reason = check(item, calls)
        if ok == (item.id in UNSATISFIABLE):
            failures.append((item.id, reason))
    assert failures == []


def test_type_conversion_and_hints() -> None:
    item = _one("simple_python", "simple_python_200")  # has a float parameter
    fn = item.tools[0]["function"]
    assert fn["description"].endswith("Note that the provided function is in Python 3 syntax.")
    assert fn["parameters"]["type"] == "object"
    assert fn["parameters"]["properties"]["fuel_efficiency"]["type"] == "number"
    nested = _one("parallel_multiple", "parallel_multiple_26").tools[1]["function"]["parameters"]
    assert nested["properties"]["transactions"]["items"]["type"] == "object"
    assert nested["properties"]["transactions"]["items"]["properties"]["amount"]["type"] == "number"


def test_dotted_names_round_trip() -> None:
    item = _one("simple_python", "simple_python_1")
    assert item.tools[0]["function"]["name"] == "math_factorial"
    assert item.name_map == {"math_factorial": "math.factorial"}
    assert check(item, [{"name": "math_factorial", "arguments": {"number": 5}}])[0]
    # BFCL compares in the model-facing naming, so the original dotted name is a wrong name.
    assert not check(item, [{"name": "math.factorial", "arguments": {"number": 5}}])[0]


def test_simple_perturbations_fail() -> None:
    item = _one("simple_python", "simple_python_0")  # base=10, height=5, unit in ["units", ""]
    good = {"base": 10, "height": 5}
    assert check(item, [{"name": "calculate_triangle_area", "arguments": good}]) == (True, "")
    assert check(item, [{"name": "calculate_triangle_area", "arguments": {**good, "unit": "Units"}}])[0]
    wrong = [
        [{"name": "calculate_circle_area", "arguments": good}],
        [{"name": "calculate_triangle_area", "arguments": {"base": 10}}],
        [{"name": "calculate_triangle_area", "arguments": {"base": 11, "height": 5}}],
        [{"name": "calculate_triangle_area", "arguments": {"base": 10.0, "height": 5}}],  # float for integer
        [{"name": "calculate_triangle_area", "arguments": {**good, "color": "red"}}],
        [{"name": "calculate_triangle_area", "arguments": {**good, "unit": "cm"}}],
        [{"name": "calculate_triangle_area", "arguments": good}] * 2,
        [],
    ]
    for calls in wrong:
        assert not check(item, calls)[0], calls


def test_int_accepted_for_float_and_quirks() -> None:
    item = _one("simple_python", "simple_python_200")  # fuel_efficiency lists "" first but is required
    base = {"distance": 12000, "fuel_type": "Gas"}
    assert check(item, [{"name": "calculate_emissions", "arguments": {**base, "fuel_efficiency": 25}}])[0]
    assert not check(item, [{"name": "calculate_emissions", "arguments": base}])[0]
    item = _one("parallel_multiple", "parallel_multiple_26")  # answer lists "type", which the function lacks
    calls = gold_calls(item)
    assert check(item, calls)[0]
    calls[1]["arguments"]["type"] = "credit"
    assert not check(item, calls)[0]


def test_parallel_is_order_free_but_exact() -> None:
    item = _one("parallel", "parallel_0")
    calls = gold_calls(item)
    assert len(calls) > 1
    assert check(item, calls[::-1])[0]
    assert not check(item, calls[:-1])[0]
    assert not check(item, calls + calls[:1])[0]
    assert not check(item, [calls[0]] * len(calls))[0]  # each answer must be matched by its own call


def test_multiple_needs_the_right_function() -> None:
    item = _one("multiple", "multiple_0")
    calls = gold_calls(item)
    assert check(item, calls)[0]
    other = next(n for n in item.name_map if n != calls[0]["name"])
    assert not check(item, [{"name": other, "arguments": calls[0]["arguments"]}])[0]


def test_irrelevance_means_no_call() -> None:
    item = load_items("irrelevance", limit=1)[0]
    assert check(item, []) == (True, "")
    name = item.tools[0]["function"]["name"]
    assert not check(item, [{"name": name, "arguments": {}}])[0]


def test_parse_tool_calls() -> None:
    f, f1 = {"name": "f", "arguments": {}}, {"name": "f", "arguments": {"x": 1}}
    g2 = {"name": "g", "arguments": {"y": [2]}}
    one = '<tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>'
    assert parse_tool_calls(one) == [f1]
    two = "thinking...\n" + one + '\n<tool_call>\n{"name": "g", "arguments": "{\\"y\\": [2]}"}\n</tool_call>'
    assert parse_tool_calls(two) == [f1, g2]  # arguments given as a JSON string are decoded
    assert parse_tool_calls(one + '<tool_call>{"name": "g", "arguments": {</tool_call>') == [f1]
    assert parse_tool_calls('<tool_call>{"name": "f", "arguments": {}}') == [f]  # cut at the stop token
    assert parse_tool_calls('{"name": "f", "arguments": {"x": 1}}') == [f1]
    bare_list = '[{"name": "f", "arguments": {}}, {"name": "g", "parameters": {"y": [2]}}]'
    assert parse_tool_calls(bare_list) == [f, g2]
    assert parse_tool_calls('```json\n{"name": "f", "arguments": {}}\n```') == [f]
    assert parse_tool_calls("The capital of France is Paris.") == []
    assert parse_tool_calls('{"answer": 42}') == []


@pytest.mark.skipif(
    "BFCL_VENV_PYTHON" not in os.environ, reason="set BFCL_VENV_PYTHON to a full bfcl-eval venv"
)
def test_agrees_with_bfcl_checker() -> None:
    """Opt-in: BFCL's own checker (in its own venv, see bfcl_compare.py) gives the same verdict everywhere."""
    script = Path(__file__).with_name("bfcl_compare.py")
    proc = subprocess.run([os.environ["BFCL_VENV_PYTHON"], str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
