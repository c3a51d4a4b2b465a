"""Synthetic Thailand: a world simulator with ground truth (calls, SMS, money, reports).

``simulate_world(load_config(scale=..., seed=...), out_dir)`` writes the tables described
in docs/simulator.md; :mod:`scamtrace.simulate.demo` reuses a world already simulated.
"""

from scamtrace.simulate.config import SimulationConfig, load_config
from scamtrace.simulate.engine import simulate_world

__all__ = ["SimulationConfig", "load_config", "simulate_world"]
