"""Poisson background input drawn event by event, from one random stream per cell.

``poisson_events(rate_dt, step, stream, seed)`` is a Brian2 function: the number of events that
fall in time step ``step`` (pass ``timestep(t, dt)``) of a Poisson process of ``rate_dt`` events
per step. ``stream`` (an integer per cell, e.g. its global cell id) and ``seed`` pick the cell's
own random stream. Use it in a group's ``run_regularly`` code, e.g.
``g_ampa += w_background * poisson_events(rate_dt, timestep(t, dt), cell_id, background_seed)``.

Why not ``PoissonInput`` or ``poisson()``:
- Cost: they draw one random count per cell per time step. Background rates give a small
  fraction of an event per step (m1-gamma: 50 sources x 8 Hz x 0.1 ms = 0.04), so the C++
  implementation keeps each cell's next event time and draws one exponential interval per event.
  The counts in successive steps of a Poisson process are independent Poisson variables, so the
  result is exact, not an approximation. In the Potjans-Diesmann benchmark the background went
  from 0.73 s to 0.32 s per simulated second (benchmarks/benchmark.py).
- Partition invariance: the random numbers of a cell depend on (seed, stream) only, through a
  splitmix64 generator (Steele et al. 2014, OOPSLA, "Fast splittable pseudorandom number
  generators") per cell, not on which other cells share the process. A network split over MPI
  ranks therefore gives every cell the same background as the single-process run.

Devices: cpp_standalone (the C++ below) and runtime (numpy: one Poisson draw per cell and step
from Brian2's numpy generator; the same distribution, not the same numbers). Not cuda_standalone
(no CUDA implementation; the builder keeps PoissonInput there). Each compiled code object that
uses it keeps its own per-cell state, indexed by the cell's index in the group: use it once per
group.
"""
import numpy as np

_CPP = """
#include <vector>
#include <cmath>
#include <cstdint>
namespace {
std::vector<double> _poisson_events_next;      // per cell: next event, in time steps
std::vector<uint64_t> _poisson_events_state;   // per cell: splitmix64 state
inline uint64_t _poisson_events_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
inline double _poisson_events_interval(uint64_t& state, double rate_dt) {
    state += 0x9E3779B97F4A7C15ULL;
    const double u = (double)(_poisson_events_mix(state) >> 11) / 9007199254740992.0;   // [0, 1)
    return -std::log1p(-u) / rate_dt;                                           // exponential
}
}
int32_t _poisson_events(double rate_dt, int64_t step, int64_t stream, int64_t seed,
                        int _vectorisation_idx)
{
    if (!(rate_dt > 0.0))
        return 0;
    const size_t cell = (size_t)_vectorisation_idx;
    if (cell >= _poisson_events_next.size()) {
        _poisson_events_next.resize(cell + 1, -1.0);
        _poisson_events_state.resize(cell + 1, 0);
    }
    double next = _poisson_events_next[cell];
    uint64_t state = _poisson_events_state[cell];
    if (next < 0.0) {   // first call: seed the cell's stream; the process starts now
        state = _poisson_events_mix(_poisson_events_mix((uint64_t)seed) ^ (uint64_t)stream);
        next = step + _poisson_events_interval(state, rate_dt);
    }
    int32_t count = 0;
    while (next < step + 1.0) {
        count++;
        next += _poisson_events_interval(state, rate_dt);
    }
    _poisson_events_next[cell] = next;
    _poisson_events_state[cell] = state;
    return count;
}
"""


def _numpy_poisson_events(rate_dt, step, stream, seed, _vectorisation_idx):
    size = np.size(_vectorisation_idx) if np.ndim(_vectorisation_idx) else 1
    return np.random.poisson(np.broadcast_to(rate_dt, (size,)))


def poisson_events_function():
    """The Brian2 Function (see the module docstring); add it to the group's namespace."""
    import brian2 as b2
    from brian2.codegen.generators.cpp_generator import CPPCodeGenerator

    function = b2.Function(_numpy_poisson_events, arg_units=[1, 1, 1, 1], return_unit=1,
                           arg_types=["float", "integer", "integer", "integer"],
                           return_type="integer", stateless=False, auto_vectorise=True)
    function.implementations.add_implementation(CPPCodeGenerator, code=_CPP,
                                                name="_poisson_events")
    return function
