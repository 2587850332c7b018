"""Per-dataset diversity plots: PNGs that exist, repeat byte for byte, and label topologies readably."""

from __future__ import annotations

from pathlib import Path

import pytest

from dive.plots import (
    _topology_panel,
    sweep_diversity_plot,
    tool_frequency_plot,
    topology_label,
    topology_plot,
)
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


def test_the_sweep_figure_puts_every_points_data_side_by_side(tmp_path: Path) -> None:
    data = {"v1": (_traces(), TYPES), "vtask": (_traces()[:1], TYPES)}
    first = sweep_diversity_plot(data, tmp_path / "a.png", "smoke").read_bytes()
    assert (
        first.startswith(PNG)
        and first == sweep_diversity_plot(data, tmp_path / "b.png", "smoke").read_bytes()
    )


def test_topology_shares_add_up_to_one_per_point() -> None:
    from collections import Counter

    class Axes:  # records the stacked bars instead of drawing them
        def __init__(self) -> None:
            self.bars: list[tuple[str, list[float]]] = []

        def barh(self, y, widths, left, label):  # type: ignore[no-untyped-def]
            self.bars.append((label, list(widths)))

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return lambda *args, **kwargs: None

    axes = Axes()
    _topology_panel(
        axes, {"a": (Counter({"x": 3, "y": 1}), {"x": "R→P", "y": "R"}), "b": (Counter({"y": 2}), {})}
    )
    shares = dict(axes.bars)
    assert shares == {"R→P": [0.75, 0.0], "R": [0.25, 1.0]}  # every class shown: no empty "other"
    nine = Counter({f"c{n}": 1 for n in range(9)})  # one class more than the panel shows
    axes.bars = []
    _topology_panel(axes, {"a": (nine, {})})
    assert dict(axes.bars)["other"] == [1 / 9] and sum(w for _, (w,) in axes.bars) == pytest.approx(1.0)
