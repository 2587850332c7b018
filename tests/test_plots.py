"""Per-dataset diversity plots: PNGs that exist, repeat byte for byte, and label topologies readably."""

from __future__ import annotations

from pathlib import Path

from dive.plots import tool_frequency_plot, topology_label, topology_plot
from dive.records import Call
from dive.synth.diversity import Trace

PNG = b"\x89PNG\r\n\x1a\n"
TYPES = {"geo.capital": "R", "geo.population": "R", "math.double": "P"}


def _traces() -> list[Trace]:
    capital = Call("geo.capital", {"country": "Kenya"}, True, {"capital": "Nairobi"}, turn=0)
    population = Call("geo.population", {"city": "Nairobi"}, True, {"population": 4397073}, turn=1)
    double = Call("math.double", {"x": 4397073}, True, {"result": 8794146}, turn=2)
    failed = Call("math.double", {"x": "?"}, False, error="bad x", turn=3)
    chain = Trace(list(TYPES), [capital, population, double])
    return [chain, chain, Trace(list(TYPES), [capital, failed]), Trace(list(TYPES), [])]


def test_plots_write_deterministic_pngs(tmp_path: Path) -> None:
    for name in ("a", "b"):
        tool_frequency_plot(_traces(), tmp_path / name / "freq.png", "calls per tool")
        topology_plot(_traces(), TYPES, tmp_path / name / "topo.png", "data")
    for plot in ("freq.png", "topo.png"):
        first = (tmp_path / "a" / plot).read_bytes()
        assert first.startswith(PNG) and len(first) > 5000
        assert first == (tmp_path / "b" / plot).read_bytes()


def test_plots_of_no_calls(tmp_path: Path) -> None:
    assert tool_frequency_plot([], tmp_path / "f.png", "empty").read_bytes().startswith(PNG)
    assert topology_plot([], {}, tmp_path / "t.png", "empty").read_bytes().startswith(PNG)


def test_topology_labels() -> None:
    assert topology_label(("R", "R", "P"), [(0, 1), (1, 2)]) == "R→R→P"
    assert topology_label(("R", "R", "P"), [(0, 2)]) == "R·R·P  (1→3)"
    assert topology_label((), []) == "(no calls)"
    assert topology_label(("P",) * 40, [(i, i + 1) for i in range(39)]).endswith("…")
