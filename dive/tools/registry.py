"""Load the tool pool: import every domain package so its tools register themselves."""

from __future__ import annotations

import importlib
import importlib.util

from dive.tools.base import DOMAINS, REGISTRY, Tool

# Tools that live outside their domain's package because they are infrastructure, not data lookups.
_EXTRA_MODULES: dict[str, tuple[str, ...]] = {"general": ("dive.tools.sandbox",)}


def load_tools(domains: tuple[str, ...] | list[str] = DOMAINS) -> dict[str, Tool]:
    """All registered tools of ``domains``, by id (sorted). Importing a domain never needs its data."""
    unknown = sorted(set(domains) - set(DOMAINS))
    if unknown:
        raise ValueError(f"unknown tool domain(s) {unknown}; valid: {list(DOMAINS)}")
    for domain in domains:
        importlib.import_module(f"dive.tools.{domain}")
        for module in _EXTRA_MODULES.get(domain, ()):
            if importlib.util.find_spec(module) is not None:
                importlib.import_module(module)
    return {tid: REGISTRY[tid] for tid in sorted(REGISTRY) if REGISTRY[tid].domain in domains}


def tool_by_name(tools: dict[str, Tool], name: str) -> Tool | None:
    """Look a tool up by the function name a model used (``a__b__c``) or by its id (``a.b.c``)."""
    return tools.get(name.replace("__", ".")) if "__" in name else tools.get(name)
