"""BFCL prompting/FC modes: the system prompt and the Python-call decoder agree with bfcl_eval's own.

bfcl_eval's model_handler cannot be imported without every provider SDK, so the references are built two
ways: the prompt from ``bfcl_eval.constants.default_prompts`` (plain constants) by the documented template
composition, and the prompt and decoder functions compiled from the wheel's source text alone (no imports
run), then called on fixed inputs. BFCL ``eval``s arithmetic in model output, so only harmless inputs are
given to its decoder.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import importlib.util
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("bfcl_eval") is None, reason="bfcl-eval is not installed"
)

from bfcl_eval.constants import default_prompts  # noqa: E402  (plain constants, no provider SDKs)
from bfcl_eval.constants.enums import ReturnFormat  # noqa: E402

from dive.eval.bfcl import CATEGORIES, BfclItem, gold_calls, load_items  # noqa: E402
from dive.eval.bfcl_prompt import (  # noqa: E402
    MODES,
    calls_for_check,
    decode_fc,
    decode_prompting,
    prompting_messages,
    score,
    system_prompt,
)

AST_CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple")
HINT = " Note that the provided function is in Python 3 syntax."


def _bfcl_functions(module: str, names: set[str], env: dict[str, Any]) -> dict[str, Any]:
    """Functions ``names`` of bfcl_eval/``module``, compiled from its source without running its imports."""
    path = Path(importlib.util.find_spec("bfcl_eval").submodule_search_locations[0]) / module
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names]
    assert {d.name for d in defs} == names
    namespace = dict(env)
    exec(compile(ast.Module(body=defs, type_ignores=[]), str(path), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def bfcl() -> dict[str, Any]:
    env = {"ast": ast, "re": re, "json": json, "ReturnFormat": ReturnFormat, **vars(default_prompts)}
    utils = {"extract_prompt_format_from_id"}
    handler_utils = {
        "formulate_system_prompt",
        "format_function_doc",
        "parse_prompt_variation_params",
        "system_prompt_pre_processing_chat_model",
        "default_decode_ast_prompting",
        "ast_parse",
        "resolve_ast_call",
        "resolve_ast_by_type",
    }
    env |= _bfcl_functions("utils.py", utils, env)
    return _bfcl_functions("model_handler/utils.py", handler_utils, env)


def _documented_prompt(functions: list[dict]) -> str:
    """BFCL's default system prompt, composed from its constants as formulate_system_prompt documents."""
    fmt = dict(part.split("=") for part in default_prompts.DEFAULT_SYSTEM_PROMPT_FORMAT.split("&"))
    style = default_prompts.PROMPT_STYLE_TEMPLATES[fmt["style"]]
    ret = fmt["ret_fmt"]
    tool_call = style["tool_call_with_tag" if fmt["tool_call_tag"] == "True" else "tool_call_no_tag"]
    return default_prompts.PROMPT_TEMPLATE_MAPPING[fmt["prompt_fmt"]].format(
        persona=style["persona"],
        task=style["task"],
        tool_call_format=tool_call.format(
            output_format=default_prompts.OUTPUT_FORMAT_MAPPING[ret],
            param_types=default_prompts.PARAM_TYPE_MAPPING[ret],
        ),
        multiturn_behavior=style["multiturn_behavior"],
        available_tools=style["available_tools"].format(
            format=fmt["func_doc_fmt"], functions=json.dumps(functions, indent=4)
        ),
    )


def _hinted(item: BfclItem) -> list[dict]:
    functions = copy.deepcopy(item.functions)
    for func in functions:
        func["description"] += HINT
    return functions


def _sample(category: str) -> list[BfclItem]:
    items = load_items(category)
    return items[:4] + items[-2:]


@pytest.mark.parametrize("category", CATEGORIES)
def test_system_prompt_is_bfcls(category: str, bfcl: dict[str, Any]) -> None:
    for item in _sample(category):
        before = copy.deepcopy(item)
        expected = _documented_prompt(_hinted(item))
        assert system_prompt(_hinted(item)) == expected
        assert expected == bfcl["formulate_system_prompt"](
            default_prompts.DEFAULT_SYSTEM_PROMPT_FORMAT, _hinted(item)
        )
        messages = prompting_messages(item)
        assert messages == [{"role": "system", "content": expected}, *item.messages]
        reference = bfcl["system_prompt_pre_processing_chat_model"](
            copy.deepcopy(item.messages), _hinted(item), item.id
        )
        assert messages == reference
        assert item == before  # the item is not mutated


def test_dotted_names_are_shown_as_bfcl_writes_them() -> None:
    item = load_items("simple_python", limit=2)[1]
    assert item.functions[0]["name"] == "math.factorial"
    assert '"name": "math.factorial"' in prompting_messages(item)[0]["content"]


def test_existing_system_message_gets_the_prompt_prepended(bfcl: dict[str, Any]) -> None:
    live = next(i for i in load_items("live_simple") if i.messages[0]["role"] == "system")
    plain = load_items("simple_python", limit=1)[0]
    synthetic = dataclasses.replace(
        plain, messages=[{"role": "system", "content": "Be brief."}, *plain.messages]
    )
    for item in (live, synthetic):
        original = item.messages[0]["content"]
        messages = prompting_messages(item)
        assert messages[0]["content"] == system_prompt(_hinted(item)) + "\n\n" + original
        assert messages[1:] == item.messages[1:] and len(messages) == len(item.messages)
        assert item.messages[0]["content"] == original
        reference = bfcl["system_prompt_pre_processing_chat_model"](
            copy.deepcopy(item.messages), _hinted(item), item.id
        )
        assert messages == reference


def _render(item: BfclItem, calls: list[dict]) -> str:
    """Gold calls as a prompting model would write them: BFCL's dotted names, Python literals."""
    parts = []
    for call in calls:
        args = ", ".join(f"{k}={v!r}" for k, v in call["arguments"].items())
        parts.append(f"{item.name_map[call['name']]}({args})")
    return "[" + ", ".join(parts) + "]"


@pytest.mark.parametrize("category", AST_CATEGORIES)
def test_gold_answers_decode_and_pass(category: str, bfcl: dict[str, Any]) -> None:
    failures = []
    for item in load_items(category):
        gold = gold_calls(item)
        text = _render(item, gold)
        decoded = decode_prompting(text)
        assert decoded == bfcl["default_decode_ast_prompting"](text), text
        assert calls_for_check(decoded) == gold
        correct, reason, calls = score(item, "prompting", text)
        if not correct or calls != gold:
            failures.append((item.id, reason))
    assert failures == []


# Model outputs BFCL's decoder handles without evaluating anything dangerous. Each must decode to exactly
# what BFCL's own decoder returns, or fail where it fails.
AGREES = [
    "[f(a=1)]",
    "f(a=1)",
    "  [f(a=1)]\n",
    "```\n[f(a=1)]\n```",
    "```python\n[f(a=1)]\n```",  # BFCL reads "python" as a name subscripted by the list: a failure
    "[math.factorial(number=5), a.b.c(x='y')]",
    "f(1, 2, a=3)",
    "[f(a=-5, b=-2.5, c=[1, -2], d={'k': [1, {'x': None}]}, e=(1, (2, 3)), g=True)]",
    "f(a=+5, b=not True, c=~3)",
    "f(a=2*3+1, b=10/4, c=2**10, d=7//2, e=7%3, f=-3*2, g=1.5**2, h=True+1, i=2**-1, j=(1+2j)*2)",
    "f(a=-(2**3))",  # BFCL negates the operand's .value, which a BinOp lacks: a failure
    "f(a=10.0**400)",
    "f(a=x, b=g(1), c=g(b=1), d=x[0], e=x[1:2], f=...)",
    "f(a=b'x', b=1j, c='it\\'s', d=\"q\")",
    "f(**{'a': 1})",
    "[]",
    "f()",
    "f(a=1), g(b=2)",
    "[f(a=1),\n g(b=2)]",
    "'[f(a=1)]'",
    "Sure! The answer is 42.",
    "I cannot help with that.",
    "",
    "[1, 2]",
    "[f(a=1), 'text']",
    "[f(a=1)][0]",
    "f(a=1)\ng(b=2)",
    "f(a=lambda: 1)",
    "f(a=x.y)",
    "f(a={1, 2})",
    "f(a=f'{x}')",
    "f(a=1 if x else 2)",
    "f(a=[i for i in x])",
    "f(a={**x})",
    "f(a=-x)",
    "f(a=-'s')",
    "f(a=x+1)",
    "f(a=1/0)",
    "f(a={[1]: 2})",
    "f(a=1, a=2)",
]


@pytest.mark.parametrize("text", AGREES)
def test_decoder_agrees_with_bfcl(text: str, bfcl: dict[str, Any]) -> None:
    try:
        expected = bfcl["default_decode_ast_prompting"](text, ReturnFormat.PYTHON, False)
    except Exception:  # any exception is a decode failure in BFCL's eval runner
        with pytest.raises(ValueError):
            decode_prompting(text)
        return
    assert decode_prompting(text) == expected


# Arithmetic BFCL would eval; here it is refused rather than evaluated (see the module docstring).
@pytest.mark.parametrize("text", ["f(a='x' + 'y')", "f(a=[1] * 2)", "f(a=10**100)", "f(a=1 << 3)"])
def test_non_numeric_or_big_arithmetic_is_refused(text: str, bfcl: dict[str, Any]) -> None:
    assert bfcl["default_decode_ast_prompting"](text)  # BFCL evaluates these
    with pytest.raises(ValueError):
        decode_prompting(text)


@pytest.mark.parametrize(
    "text", ["f(a=2**10**10)", "f(a=((2**64)**64)**64)", "f(a=(2**64)**60 * (2**64)**60)", "f(a=lambda: 1)"]
)
def test_dangerous_values_are_rejected_fast(text: str) -> None:
    start = time.monotonic()
    with pytest.raises(ValueError):
        decode_prompting(text)
    assert time.monotonic() - start < 1


def test_values_and_shapes() -> None:
    text = "```\nf(a=-5, b=[1, [-2.5, {'k': (1, 2)}]], c={'x': {'y': None}}, d=1e-05)\n```"
    assert decode_prompting(text) == [
        {"f": {"a": -5, "b": [1, [-2.5, {"k": (1, 2)}]], "c": {"x": {"y": None}}, "d": 1e-05}}
    ]
    assert decode_prompting("math.factorial(5, number=5)") == [{"math.factorial": {"number": 5}}]
    assert calls_for_check([{"math.factorial": {"number": 5}}]) == [
        {"name": "math_factorial", "arguments": {"number": 5}}
    ]


def test_prompting_verdicts() -> None:
    item = load_items("simple_python", limit=2)[1]  # math.factorial(number=5)
    assert score(item, "prompting", "[math.factorial(number=5)]") == (
        True,
        "",
        [{"name": "math_factorial", "arguments": {"number": 5}}],
    )
    # BFCL compares prompting names as written: the underscore form is a wrong name.
    correct, reason, _ = score(item, "prompting", "[math_factorial(number=5)]")
    assert not correct and "wrong_func_name" in reason
    assert not score(item, "prompting", "[math.factorial(number=6)]")[0]
    correct, reason, calls = score(item, "prompting", "The factorial of 5 is 120.")
    assert (correct, calls) == (False, None) and reason.startswith("decode_failed: ")


def test_irrelevance_verdicts() -> None:
    item = load_items("irrelevance", limit=1)[0]
    name = item.functions[0]["name"]
    assert score(item, "prompting", "None of the functions can answer this.") == (True, "", None)
    assert score(item, "prompting", "[]") == (True, "", [])
    assert not score(item, "prompting", f"[{name}(x=1)]")[0]
    assert score(item, "fc", "I cannot help.") == (True, "", [])
    assert not score(item, "fc", "", [{"name": item.tools[0]["function"]["name"], "arguments": "{}"}])[0]
    # An unreadable tool call is no call, as in BFCL.
    assert score(item, "fc", "", [{"name": "f", "arguments": "{"}])[:2] == (True, "")


def test_fc_verdicts() -> None:
    item = load_items("simple_python", limit=2)[1]
    assert score(item, "fc", '<tool_call>{"name": "math_factorial", "arguments": {"number": 5}}</tool_call>')[
        0
    ]
    assert not score(item, "fc", '{"name": "math.factorial", "arguments": {"number": 5}}')[0]
    correct, reason, calls = score(item, "fc", "", [{"name": "math_factorial", "arguments": "{"}])
    assert (correct, calls) == (False, None) and reason.startswith("decode_failed: ")
    with pytest.raises(ValueError, match="fc"):
        score(item, "json", "[]")
    assert MODES == ("fc", "prompting")


def test_decode_fc() -> None:
    f1 = {"name": "f", "arguments": {"x": 1}}
    assert decode_fc('thinking <tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>', None) == [f1]
    assert decode_fc('[{"name": "f", "arguments": {"x": 1}}]', None) == [f1]
    openai = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}]
    assert decode_fc(None, openai) == [f1]
    assert decode_fc("ignored", [{"name": "f", "arguments": {"x": 1}}]) == [f1]
    assert decode_fc('<tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>', []) == [f1]
    assert decode_fc("no calls here", None) == []
    assert decode_fc("", [{"name": "f", "arguments": "[1]"}]) == [{"name": "f", "arguments": [1]}]
    for bad in ({"name": "f", "arguments": "{"}, {"function": {"arguments": "{}"}}):
        with pytest.raises(ValueError):
            decode_fc("", [bad])
