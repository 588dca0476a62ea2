"""Allen structure ontology (structure graph 1): ids, acronyms, parents, descendants."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import data
from ..errors import BrainmodelError


@dataclass(frozen=True)
class Structure:
    id: int
    acronym: str
    name: str
    parent_id: int | None
    rgb: tuple[int, int, int]


class Ontology:
    """Read-only view of the Allen structure tree."""

    def __init__(self, structures: list[Structure]):
        self.by_id = {s.id: s for s in structures}
        self.by_acronym = {s.acronym: s for s in structures}
        self.children: dict[int, list[int]] = {s.id: [] for s in structures}
        for s in structures:
            if s.parent_id is not None:
                self.children[s.parent_id].append(s.id)

    @classmethod
    def from_graph_json(cls, path: Path) -> "Ontology":
        """Parse the Allen API ``structure_graph_download/1.json`` (nested ``children``)."""
        root = json.loads(Path(path).read_text())["msg"][0]
        structures, stack = [], [root]
        while stack:
            node = stack.pop()
            hex_colour = node.get("color_hex_triplet") or "888888"
            structures.append(Structure(int(node["id"]), node["acronym"], node["name"],
                                        node.get("parent_structure_id"),
                                        tuple(int(hex_colour[k:k + 2], 16) for k in (0, 2, 4))))
            stack.extend(node.get("children", []))
        return cls(structures)

    @classmethod
    def load(cls, data_dir: Path) -> "Ontology":
        return cls.from_graph_json(data.require(data_dir, data.ONTOLOGY))

    def get(self, acronym: str) -> Structure:
        try:
            return self.by_acronym[acronym]
        except KeyError:
            close = sorted(a for a in self.by_acronym if a.lower().startswith(acronym[:2].lower()))
            hint = f" (similar: {', '.join(close[:8])})" if close else ""
            raise BrainmodelError(f"unknown region acronym {acronym!r}: not in the Allen "
                                  f"structure ontology{hint}") from None

    def descendants(self, structure_id: int, include_self: bool = True) -> list[int]:
        out, stack = [], [structure_id]
        while stack:
            sid = stack.pop()
            out.append(sid)
            stack.extend(self.children[sid])
        return out if include_self else out[1:]

    def is_descendant(self, structure_id: int, ancestor_id: int) -> bool:
        sid = structure_id
        while sid is not None:
            if sid == ancestor_id:
                return True
            sid = self.by_id[sid].parent_id
        return False
