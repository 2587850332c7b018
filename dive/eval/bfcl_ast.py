"""A port of BFCL's Python AST checker (bfcl_eval 2026.3.23, eval_checker/ast_eval/ast_checker.py).

Importing bfcl_eval's checker imports every provider SDK, so its rules are copied here instead, quirks
included: scores are only comparable to published BFCL numbers if the verdicts are identical, so this file
follows BFCL's control flow (greedy parallel matching, one-level nested type checks, the "variable"
escape hatch) rather than a cleaner design. Java/JavaScript branches are left out: Python categories
never reach them.

Model output uses BFCL's decoded form: a list of ``{function_name: {param: value}}`` dicts, with names as the
model saw them (dots replaced by underscores, see ``model_name``).
"""

from __future__ import annotations

import re
from typing import Any

# BFCL's PYTHON_TYPE_MAPPING: "any" is checked as a string, "tuple" as a list (JSON has no tuples).
PY_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "float": float,
    "boolean": bool,
    "array": list,
    "tuple": list,
    "dict": dict,
    "any": str,
}
_NESTED_TYPES = ("array", "tuple")
# BFCL strips these before comparing strings so that "April 1, 2024" equals "april 1,2024".
_STRIP = re.compile(r"[ \,\.\/\-\_\*\^]")

Result = tuple[bool, str]
OK: Result = (True, "")


def model_name(bfcl_name: str) -> str:
    """The name an OpenAI-style model sees: BFCL replaces dots, as names must match ^[a-zA-Z0-9_-]{1,64}$."""
    return bfcl_name.replace(".", "_")


def standardize(text: str) -> str:
    return _STRIP.sub("", text).lower().replace("'", '"')


def _answer_type(possible: list) -> type | None:
    # The first non-optional entry decides; None when every entry is "" (type unknown).
    for answer in possible:
        if answer != "":
            return type(answer)
    return None


def _type_check(
    param: str, value: Any, possible: list, expected: type, nested: type | None
) -> tuple[bool, bool]:
    """(valid, is_variable), following BFCL's type_checker line by line."""
    answer_type = _answer_type(possible)
    # An answer whose type differs from the declared type marks the parameter as a "variable" (a name
    # standing for a value); BFCL then skips value normalisation for it.
    is_variable = answer_type is not None and answer_type != expected
    if type(value) is expected:
        if nested is None:
            return True, is_variable
        for item in possible:
            ok = True
            # Non-list entries (such as "") count as a match: BFCL's loop only inspects list entries.
            if type(item) is list:
                ok = all(_type_check(param, v, item, nested, None)[0] for v in value)
            if ok:
                return True, is_variable
        # BFCL falls through with its result already marked invalid, so a failed nested check always fails.
        return False, is_variable
    if answer_type is not None and type(value) is answer_type:
        return True, True
    return False, is_variable


def _string_check(param: str, value: str, possible: list) -> Result:
    if standardize(value) in [standardize(p) for p in possible if type(p) is str]:
        return OK
    return False, f"value_error:string: {param}={value!r} not in {possible} (case/punctuation-insensitive)"


def _list_check(param: str, value: list, possible: list) -> Result:
    norm = [standardize(v) if type(v) is str else v for v in value]
    # BFCL iterates every entry as a list; a "" entry becomes [] (its characters are not lists).
    norm_possible = [[standardize(x) if type(x) is str else x for x in p] for p in possible]
    if norm in norm_possible:
        return OK
    return False, f"value_error:list/tuple: {param}={value!r} not in {possible}"


def _dict_check(param: str, value: dict, possible: list) -> Result:
    reason = f"dict_checker:unclear: {param}"
    for answer in possible:
        if answer == "":
            continue
        reason = ""
        for key, val in value.items():
            if key not in answer:
                reason = f"value_error:dict_key: unexpected key {key!r} in {param}"
                break
            norm = standardize(val) if type(val) is str else val
            norm_possible = [standardize(x) if type(x) is str else x for x in answer[key]]
            if norm not in norm_possible:
                reason = f"value_error:dict_value: {param}.{key}={val!r} not in {norm_possible}"
                break
        # BFCL runs the missing-key loop even after a value failure; the first failure reported wins.
        for key, val in answer.items():
            if key not in value and "" not in val and not reason:
                reason = f"value_error:dict_key: missing key {key!r} in {param}"
                break
        if not reason:
            return OK
    return False, reason


def _list_dict_check(param: str, value: list, possible: list) -> Result:
    reason = f"list_dict_checker:unclear: {param}"
    for answer in possible:
        if len(value) != len(answer):
            reason = f"value_error:list_dict_count: {param} has {len(value)} dicts"
            continue
        for got, want in zip(value, answer, strict=True):
            ok, reason = _dict_check(param, got, [want])
            if not ok:
                break
        else:
            return OK
    return False, reason


def _check_value(param: str, value: Any, spec: dict, possible: list) -> Result:
    declared = spec.get("type")
    if declared not in PY_TYPES:
        return False, f"type_error:unsupported: {param} declares type {declared!r}"
    expected = PY_TYPES[declared]
    nested = None
    if declared in _NESTED_TYPES:
        inner = spec.get("items", {}).get("type")
        if inner not in PY_TYPES:
            return False, f"type_error:unsupported: {param} items declare type {inner!r}"
        nested = PY_TYPES[inner]
    if declared == "float" and type(value) is int:
        value = float(value)  # BFCL allows Python's int -> float promotion
    valid, is_variable = _type_check(param, value, possible, expected, nested)
    if not valid:
        return False, f"type_error: {param} expects {declared}, got {type(value).__name__} ({value!r})"
    # A "variable" is compared as-is: normalising it as a dict/list/string would make no sense.
    if not is_variable:
        if expected is dict:
            return _dict_check(param, value, possible)
        if expected is list and nested is dict:
            return _list_dict_check(param, value, possible)
        if expected is str:
            return _string_check(param, value, possible)
        if expected is list:
            return _list_check(param, value, possible)
    if value not in possible:
        return False, f"value_error:others: {param}={value!r} not in {possible}"
    return OK


def simple_check(func: dict, output: dict, answer: dict) -> Result:
    """One call against one function doc and one possible answer ``{bfcl_name: {param: [values]}}``."""
    # Like BFCL, the answer's own function name is ignored here: the caller picks the doc by it.
    possible = list(answer.values())[0]
    name = model_name(func["name"])
    if name not in output:
        return False, f"wrong_func_name: expected {name!r}, got {list(output)}"
    params = output[name]
    props = func["parameters"]["properties"]
    for param in func["parameters"].get("required", []):
        if param not in params:
            return False, f"missing_required: {param!r}"
    for param, value in params.items():
        if param not in props or param not in possible:
            return False, f"unexpected_param: {param!r}"
        ok, reason = _check_value(param, value, props[param], possible[param])
        if not ok:
            return False, reason
    for param, values in possible.items():
        if param not in params and "" not in values:
            return False, f"missing_optional: {param!r} not provided and not marked optional"
    return OK


def _find(funcs: list[dict], bfcl_name: str) -> dict | None:
    return next((f for f in funcs if f["name"] == bfcl_name), None)


def _check_against(funcs: list[dict], output: dict, answer: dict) -> Result:
    func = _find(funcs, list(answer)[0])
    if func is None:  # an answer key naming no listed function (BFCL would crash); never scores
        return False, f"answer_key: {list(answer)[0]!r} is not among the functions"
    return simple_check(func, output, answer)


def parallel_check(funcs: list[dict], outputs: list[dict], answers: list[dict]) -> Result:
    """Order-free matching, greedy like BFCL: each answer takes the first unmatched call that passes."""
    if len(outputs) != len(answers):
        return False, f"wrong_count: {len(outputs)} calls, expected {len(answers)}"
    matched: set[int] = set()
    for i, answer in enumerate(answers):
        last = ""
        for j, output in enumerate(outputs):
            if j in matched:
                continue
            ok, last = _check_against(funcs, output, answer)
            if ok:
                matched.add(j)
                break
        else:
            return False, f"cannot_find_match for answer {i} ({list(answer)[0]}): {last}"
    return OK


def ast_check(category: str, funcs: list[dict], outputs: list[dict], answers: list[dict]) -> Result:
    """BFCL's ast_checker dispatch, by substring of the category name as BFCL does it."""
    if "parallel" in category:
        return parallel_check(funcs, outputs, answers)
    if "multiple" in category:
        if len(outputs) != len(answers):
            return False, f"wrong_count: {len(outputs)} calls, expected {len(answers)}"
        return _check_against(funcs, outputs[0], answers[0])
    if len(outputs) != 1:
        return False, f"wrong_count: {len(outputs)} calls, expected 1"
    return simple_check(funcs[0], outputs[0], answers[0])
