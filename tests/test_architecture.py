"""The layout rules of the engine, read from the source: stage packages whose imports point
upstream only, no import cycles between project modules (imports inside functions included),
project modules imported at module level only, and no module over 400 lines."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("brainmodel", "regions", "projections", "cosim")
# brainmodel's stages, upstream first; a module may import its own stage or an earlier one
STAGES = ("errors", "config", "inputs", "model", "analysis", "simulation", "figures", "sonata",
          "outputs", "experiments", "api", "cli")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]):
    """(imported project module, inside a function?) for every import statement."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef,
                                                               ast.AsyncFunctionDef))
              for n in ast.walk(f)}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, id(node) in inside


@pytest.fixture(scope="module")
def graph():
    modules = _modules()
    return {name: list(_imports(name, path, set(modules))) for name, path in modules.items()}


def test_the_import_graph_is_read(graph):
    """The parser sees relative, absolute and function-level imports."""
    assert len(graph) > 60
    assert ("brainmodel.model.cells", False) in graph["brainmodel.model.loop"]
    assert ("projections.cortical", False) in graph["brainmodel.model.long_range"]
    assert ("brainmodel.api", True) in graph["brainmodel"]


def test_no_import_cycles_between_project_modules(graph):
    edges = {name: {t for t, _ in targets} for name, targets in graph.items()}
    state, cycles = {}, []

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert cycles == []


# the one exception: ``import brainmodel`` loads the public API on first use (PEP 562), so that
# importing a small module such as brainmodel.errors does not import the whole engine
LAZY = {("brainmodel", "brainmodel.api")}


def test_project_modules_are_imported_at_module_level(graph):
    hidden = {(name, target) for name, targets in graph.items() for target, inside in targets
              if inside}
    assert hidden == LAZY


def _stage(module: str):
    parts = module.split(".")
    return STAGES.index(parts[1]) if parts[0] == "brainmodel" and len(parts) > 1 else None


def test_stage_imports_point_upstream(graph):
    backwards = [(name, target) for name, targets in graph.items() for target, _ in targets
                 if _stage(name) is not None and _stage(target) is not None
                 and _stage(target) > _stage(name)]
    assert backwards == []


def test_regions_only_declare(graph):
    """Region modules import nothing from the engine (the builder reads them, not the reverse)."""
    engine = [(name, target) for name, targets in graph.items() if name.startswith("regions")
              for target, _ in targets if not target.startswith("regions")]
    assert engine == []


def test_no_module_is_longer_than_400_lines():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def _compared_strings(tree):
    """String constants on either side of a comparison (==, !=, in, not in), also inside
    tuples, lists and sets there."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                items = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                yield from (i.value for i in items
                            if isinstance(i, ast.Constant) and isinstance(i.value, str))


def test_no_experiment_name_is_compared_outside_its_plug_in():
    """No module compares against an experiment's name: experiments are found through the
    registry, and their differences live in their plug-in modules."""
    from brainmodel.experiments import registry

    names = set(registry())
    compared = {name: names & set(_compared_strings(ast.parse(path.read_text())))
                for name, path in _modules().items()}
    assert {name: found for name, found in compared.items() if found} == {}
    assert names & set(_compared_strings(ast.parse('x == "m1-gamma"'))) == {"m1-gamma"}


def test_public_names_are_the_api_not_stage_packages():
    """``bm.simulate`` etc. stay the API's functions after every stage package is imported (a
    subpackage of the same name would shadow them)."""
    import brainmodel as bm
    from brainmodel import api
    from brainmodel.experiments import registry

    registry()                                   # imports every stage
    for name in bm.__all__:
        assert getattr(bm, name) is getattr(api, name, getattr(bm, name)), name
        assert not isinstance(getattr(bm, name), type(bm)), name
