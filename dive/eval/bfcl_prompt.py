"""BFCL v4's two ways of asking a model for tool calls, and of reading its answer, for single-turn categories.

BFCL runs a model either in function-calling ("fc") mode, where tools go through the chat API and calls come
back structured (or as ``<tool_call>`` blocks), or in "prompting" mode, where the function docs are pasted
into a system prompt and the model writes ``[func(param=value), ...]`` as Python. Published BFCL numbers are
only comparable when the prompt and the decoder match BFCL's byte for byte, so this module ports them from
bfcl_eval 2026.3.23 (model_handler/utils.py: formulate_system_prompt with the default format,
system_prompt_pre_processing_chat_model, default_decode_ast_prompting) rather than designing new ones.
bfcl_eval itself is never imported: its model_handler pulls in every provider SDK.

One deliberate difference: BFCL ``eval``s arithmetic and lambdas found in model output. Model text is never
evaluated here; only numeric constant arithmetic is computed, with bounded powers.

Usage::

    item = load_items("simple_python", limit=1)[0]
    text = my_model(prompting_messages(item))
    correct, reason, calls = score(item, "prompting", text)
"""

from __future__ import annotations

import ast
import copy
import json
import operator
from collections.abc import Callable
from typing import Any

from dive import chat
from dive.eval.bfcl import PYTHON_HINT, BfclItem, check
from dive.eval.bfcl_ast import model_name

MODES = ("fc", "prompting")

# BFCL's DEFAULT_SYSTEM_PROMPT_FORMAT ("ret_fmt=python&tool_call_tag=False&func_doc_fmt=json&
# prompt_fmt=plaintext&style=classic") rendered through the plaintext template and the classic style.
# Copied, not imported: the persona and task are joined without a space, and the empty python
# param_types leaves two spaces before "You SHOULD NOT"; both are part of BFCL's exact prompt.
_PERSONA = "You are an expert in composing functions."
_TASK = (
    "You are given a question and a set of possible functions. Based on the question, you will need to make "
    "one or more function/tool calls to achieve the purpose. If none of the functions can be used, point it "
    "out. If the given question lacks the parameters required by the function, also point it out."
)
_TOOL_CALL_FORMAT = (
    "You should only return the function calls in your response.\n\nIf you decide to invoke any of the "
    "function(s), you MUST put it in the format of [func_name1(params_name1=params_value1, "
    "params_name2=params_value2...), func_name2(params)].  You SHOULD NOT include any other text in the "
    "response."
)
_MULTITURN = (
    "At each turn, you should try your best to complete the tasks requested by the user within the current "
    "turn. Continue to output functions to call until you have fulfilled the user's request to the best of "
    "your ability. Once you have no more functions to call, the system will consider the current turn "
    "complete and proceed to the next turn or task."
)
_TOOLS_HEADER = "Here is a list of functions in json format that you can invoke.\n"

# Arithmetic BFCL would evaluate that is safe to compute on numeric constants. ** is bounded separately.
_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_MAX_EXPONENT = 64
# Nested powers such as ((2**64)**64)**64 respect the exponent bound yet grow without limit; results stay
# far below the 4300 digits past which Python refuses to print an int (and check() could not report it).
_MAX_INT_BITS = 4096


def system_prompt(functions: list[dict[str, Any]]) -> str:
    """BFCL's formulate_system_prompt(DEFAULT_SYSTEM_PROMPT_FORMAT, functions), byte for byte."""
    tools = _TOOLS_HEADER + json.dumps(functions, indent=4) + "\n"
    return f"{_PERSONA}{_TASK}\n\n{_TOOL_CALL_FORMAT}\n\n{_MULTITURN}\n\n{tools}"


def prompt_functions(item: BfclItem) -> list[dict[str, Any]]:
    """The docs BFCL shows a prompting model: the item's, with BFCL's Python hint, dotted names kept."""
    functions = copy.deepcopy(item.functions)
    for func in functions:
        func["description"] = func["description"] + PYTHON_HINT
    return functions


def prompting_messages(item: BfclItem) -> list[dict[str, Any]]:
    """The item's messages with BFCL's system prompt, as system_prompt_pre_processing_chat_model adds it."""
    messages = [dict(m) for m in item.messages]
    prompt = system_prompt(prompt_functions(item))
    # BFCL puts its prompt first: before an existing system message's text, else as a new system message.
    if messages and messages[0]["role"] == "system":
        messages[0]["content"] = prompt + "\n\n" + messages[0]["content"]
    else:
        messages.insert(0, {"role": "system", "content": prompt})
    return messages


def decode_prompting(text: str) -> list[dict[str, dict[str, Any]]]:
    """BFCL's default_decode_ast_prompting for the Python format: ``[{name: {param: value}}]``.

    Raises ValueError on any failure, where BFCL's own decoder raises some exception.
    """
    body = text.strip("`\n ")
    body = ("" if body.startswith("[") else "[") + body + ("" if body.endswith("]") else "]")
    try:
        parsed = ast.parse(body.strip().strip("'"), mode="eval").body
        if isinstance(parsed, ast.Call):
            return [_call(parsed)]
        if not isinstance(parsed, ast.List | ast.Tuple | ast.Set):
            raise ValueError(f"expected a list of calls, got {type(parsed).__name__}")
        if not all(isinstance(elem, ast.Call) for elem in parsed.elts):
            raise ValueError("every element must be a function call")
        return [_call(elem) for elem in parsed.elts]
    except ValueError:
        raise
    except Exception as e:  # BFCL counts any exception as a decode failure; so does this port
        raise ValueError(f"{type(e).__name__}: {e}") from e


def _call(node: ast.Call) -> dict[str, dict[str, Any]]:
    """resolve_ast_call: the dotted attribute chain as name, keyword arguments only (positional dropped)."""
    parts = []
    func = node.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    # keyword.arg is None for **kwargs; BFCL stores that under the key None too.
    return {".".join(reversed(parts)): {kw.arg: _value(kw.value) for kw in node.keywords}}


def _value(node: ast.expr) -> Any:
    """resolve_ast_by_type, except that BinOp is computed safely and Lambda always fails."""
    match node:
        case ast.Constant(value=value):
            return "..." if value is Ellipsis else value
        case ast.UnaryOp(operand=ast.Constant(value=value)) if _is_number(value):
            # BFCL returns -operand for every unary operator, so "+5" and "not True" decode as -5 and -1.
            return -value
        case ast.List(elts=elts):
            return [_value(e) for e in elts]
        case ast.Tuple(elts=elts):
            return tuple(_value(e) for e in elts)
        case ast.Dict(keys=keys, values=values):
            if None in keys:
                raise ValueError("** unpacking in a dict is not supported")
            return {_value(k): _value(v) for k, v in zip(keys, values, strict=True)}
        case ast.BinOp():
            return _arithmetic(node)
        case ast.Name(id=name):
            return name  # a bare identifier is kept as its name, like BFCL
        case ast.Call(keywords=[]):
            return ast.unparse(node)
        case ast.Call():
            return _call(node)
        case ast.Subscript(value=value, slice=index):
            return ast.unparse(value) + "[" + ast.unparse(index) + "]"
    # Includes Lambda: BFCL's branch subscripts the lambda's body, which always raises.
    raise ValueError(f"unsupported value: {type(node).__name__}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | complex)


def _arithmetic(node: ast.expr) -> Any:
    """Numeric constant arithmetic, the only BinOp evaluated; BFCL would eval any expression here."""
    match node:
        case ast.Constant(value=value) if _is_number(value):
            return value
        case ast.UnaryOp(op=op, operand=operand) if type(op) in _UNARY:
            return _UNARY[type(op)](_arithmetic(operand))
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _BINOPS:
            lhs, rhs = _arithmetic(left), _arithmetic(right)
            if isinstance(op, ast.Pow):
                _check_power(lhs, rhs)
            result = _BINOPS[type(op)](lhs, rhs)
            if isinstance(result, int) and result.bit_length() > _MAX_INT_BITS:
                raise ValueError("integer result is too large")
            return result
    raise ValueError(f"only arithmetic on numbers is evaluated, not {ast.unparse(node)[:80]!r}")


def _check_power(base: Any, exponent: Any) -> None:
    if abs(exponent) > _MAX_EXPONENT:
        raise ValueError(f"exponent {exponent} is larger than {_MAX_EXPONENT}")
    if isinstance(base, int) and abs(base).bit_length() * abs(exponent) > _MAX_INT_BITS:
        raise ValueError("power is too large")


def calls_for_check(decoded: list[dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """BFCL's decoded form as ``bfcl.check`` input: ``[{"name": model-facing name, "arguments": {...}}]``."""
    return [{"name": model_name(name), "arguments": args} for call in decoded for name, args in call.items()]


def decode_fc(text: str | None, tool_calls: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Calls of a function-calling answer: the server's structured tool_calls, else those in the text.

    ``tool_calls`` entries are ``{"name", "arguments"}`` or OpenAI's ``{"function": {"name", "arguments"}}``
    with arguments as a JSON string. An empty list counts as absent, so a server without a tool parser
    still gets its ``<tool_call>`` blocks read from the text. Raises ValueError on an unreadable entry,
    as BFCL's json.loads of the arguments would.
    """
    if not tool_calls:
        return chat.parse_tool_calls(text or "", bare_json=True)
    return [_structured(call) for call in tool_calls]


def _structured(call: dict[str, Any]) -> dict[str, Any]:
    function = call.get("function", call)
    name, arguments = function.get("name"), function.get("arguments", {})
    if not isinstance(name, str):
        raise ValueError(f"tool call without a name: {call!r}")
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as e:
            raise ValueError(f"arguments of {name!r} are not JSON: {e}") from e
    # Non-dict arguments pass through: check() rejects them as BFCL's format check does.
    return {"name": name, "arguments": arguments}


def score(
    item: BfclItem, mode: str, text: str | None, tool_calls: list[dict[str, Any]] | None = None
) -> tuple[bool, str, list[dict[str, Any]] | None]:
    """(correct, reason, calls in ``bfcl.check`` form or None when decoding failed), judged like BFCL.

    A decode failure is wrong on AST categories and means "no call" on (ir)relevance ones.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; valid: {list(MODES)}")
    try:
        if mode == "fc":
            calls = checked = decode_fc(text, tool_calls)
        else:
            decoded = decode_prompting(text or "")
            calls = calls_for_check(decoded)
            checked = _exact_names(item, decoded, calls)
    except ValueError as e:
        if "relevance" not in item.category:
            return False, f"decode_failed: {e}", None
        correct, _ = check(item, [])  # BFCL: an undecodable answer made no call
        return correct, "" if correct else f"decode_failed: {e}", None
    correct, reason = check(item, checked)
    return correct, reason, calls


def _exact_names(
    item: BfclItem, decoded: list[dict[str, dict[str, Any]]], calls: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``calls`` where a name that only matches a function after dots became underscores matches none.

    BFCL compares prompting names as written, so "math_factorial" is wrong for "math.factorial", though
    both are "math_factorial" in check()'s model-facing naming.
    """
    listed = {func["name"] for func in item.functions}
    written = [name for call in decoded for name in call]
    return [
        {**call, "name": f"{name} (not listed)"}
        if name not in listed and call["name"] in item.name_map
        else call
        for call, name in zip(calls, written, strict=True)
    ]
