"""Line numbers for schema problems: from a problem's place (item, field) back to its line in the YAML file.

The loader records the line of every mapping and of each of its keys while it
reads the file; :func:`locator` walks a problem's ``item`` (an item id, or a
dotted place such as ``scales.trust``) and ``field`` (``levels.basic``,
``codes[code 2].da``, ``codes[1].kind``) down the document and returns the
line of the deepest part it finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(r"\[code (-?\d+)\]|\[(\d+)\]|([^.\[\]]+)")

#: id(mapping) -> {"": line of the mapping, key: line of the key}
Lines = dict[int, dict[str, int]]


def _items(doc: Mapping) -> dict[str, Mapping]:
    sections = doc.get("sections")
    out: dict[str, Mapping] = {}
    for section in sections if isinstance(sections, list) else []:
        items = section.get("items") if isinstance(section, Mapping) else None
        for it in items if isinstance(items, list) else []:
            if isinstance(it, Mapping) and isinstance(it.get("id"), str):
                out.setdefault(it["id"], it)
    return out


def _step(node: Any, token: tuple[str, str, str], lines: Lines) -> tuple[Any, int | None]:
    """One step down: (the child, its line), or (None, None) where the path leaves the document."""
    code, index, key = token
    if isinstance(node, Mapping):
        if key and key in node:
            return node[key], lines.get(id(node), {}).get(key)
        if (index or code) and isinstance(node.get("items", node.get("codes")), list):
            node = node.get("items", node.get("codes"))  # sections[2][3] -> its items, a set's codes
    if isinstance(node, list):
        child = None
        if index and int(index) < len(node):
            child = node[int(index)]
        elif code:
            child = next((e for e in node if isinstance(e, Mapping) and e.get("code") == int(code)), None)
        elif key:
            child = next((e for e in node if isinstance(e, Mapping) and e.get("id") == key), None)
            if child is None and key in ("codes", "items"):
                return node, None  # a response set given as a plain list of codes
        if child is not None:
            return child, lines.get(id(child), {}).get("")
    return None, None


def locator(doc: Mapping, lines: Lines) -> Callable[[str | None, str | None], int | None]:
    """A function (item, field) -> the line of that place in the file (None when it is not there).

    Examples
    --------
    >>> doc = {"scales": {"trust": {"levels": {"basic": 12}}}}
    >>> lines = {id(doc): {"": 1, "scales": 1}, id(doc["scales"]): {"": 2, "trust": 2},
    ...          id(doc["scales"]["trust"]): {"": 3, "levels": 3}, id(doc["scales"]["trust"]["levels"]): {"basic": 4}}
    >>> locate = locator(doc, lines)
    >>> locate("scales.trust", "levels.basic"), locate("scales.trust", "kind"), locate("scales.nope", None)
    (4, 2, 1)
    """
    items = _items(doc)

    def locate(item: str | None, fld: str | None) -> int | None:
        node: Any = doc
        line = None
        if item in items:
            node, line = items[item], lines.get(id(items[item]), {}).get("")
            path = fld or ""
        else:
            path = ".".join(p for p in (item, fld) if p)
        for token in _TOKEN.findall(path):
            child, child_line = _step(node, token, lines)
            if child is None:
                break
            node, line = child, child_line or line
        return line

    return locate


__all__ = ["Lines", "locator"]
