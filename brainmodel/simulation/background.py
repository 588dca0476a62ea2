"""Poisson background input drawn event by event, from one random stream per cell.

``poisson_events(rate_dt, step, stream, seed)`` is a Brian2 function: the number of events that
fall in time step ``step`` (pass ``timestep(t, dt)``) of a Poisson process of ``rate_dt`` events
per step. ``stream`` (an integer per cell, e.g. its global cell id) and ``seed`` pick the cell's
own random stream. Use it in a group's ``run_regularly`` code, e.g.
``g_ampa += w_background * poisson_events(rate_dt, timestep(t, dt), cell_id, background_seed)``.

Why not ``PoissonInput`` or ``poisson()``:
- Cost: they draw one random count per cell per time step with Brian2's Mersenne twister.
  Background rates give a small fraction of an event per step (m1-gamma: 50 sources x 8 Hz x
  0.1 ms = 0.04), so below ``EVENT_MODE_BELOW`` (0.1) events per step the C++ implementation
  keeps each cell's next event time and draws one exponential interval per event (the counts in
  successive steps of a Poisson process are independent Poisson variables, so this is exact);
  above it, it inverts the Poisson distribution function with one uniform draw per step against
  a table of the distribution function shared by all cells of that rate (a table's data stay in
  place when the list of tables grows: moving a std::vector keeps its buffer). Measured in the
  Potjans-Diesmann microcircuit (benchmarks/benchmark.py), seconds of background per simulated
  second: at scale 0.1 (0.13-0.23 events per step) 0.73 with ``poisson()``, 0.32 event by event;
  at scale 0.3 (0.4-0.7 events per step) 3.07 event by event, 1.61 with the table inversion.
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

EVENT_MODE_BELOW = 0.1     # events per step: below, draw event by event; above, invert per step
# One splitmix64 stream per cell, the distribution-function tables and their inversion (also
# used by brainmodel.simulation.delivery's background, which draws the same numbers)
STREAM_CPP = """
inline uint64_t _poisson_events_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
inline double _poisson_events_uniform(uint64_t& state) {        // [0, 1)
    state += 0x9E3779B97F4A7C15ULL;
    return (double)(_poisson_events_mix(state) >> 11) / 9007199254740992.0;
}
std::vector<double> _poisson_events_table_rates;
std::vector<std::vector<double>> _poisson_events_tables;
// P(count <= k) for k = 0, 1, ... until it reaches 1 in double precision, then a sentinel
const double* _poisson_events_table(double rate) {
    for (size_t n = 0; n < _poisson_events_table_rates.size(); n++)
        if (_poisson_events_table_rates[n] == rate)
            return _poisson_events_tables[n].data();
    std::vector<double> table;
    double p = std::exp(-rate), cumulative = p;
    table.push_back(cumulative);
    for (int k = 1; cumulative < 1.0 && k < 10000; k++) {
        p *= rate / k;
        const double before = cumulative;
        cumulative += p;
        table.push_back(cumulative);
        if (cumulative == before) break;
    }
    while (table.size() < 16) table.push_back(2.0);   // sentinels: never below u
    table.push_back(2.0);
    _poisson_events_table_rates.push_back(rate);
    _poisson_events_tables.push_back(table);
    return _poisson_events_tables.back().data();
}
// inversion of the distribution function, one uniform per part; a sum of Poisson counts is a
// Poisson count
inline int32_t _poisson_events_invert(const double* table, int parts, uint64_t& state) {
    int32_t count = 0;
    for (int part = 0; part < parts; part++) {
        const double u = _poisson_events_uniform(state);
        if (u < table[0])                       // no event: the common case at low rates
            continue;
        int32_t k = 0;
        for (int j = 0; j < 16; j++)            // branch-free for the first 16 entries
            k += (u >= table[j]);
        if (k == 16)
            while (u >= table[k]) k++;
        count += k;
    }
    return count;
}
"""
_CPP = """
#include <vector>
#include <cmath>
#include <cstdint>
namespace {
""" + STREAM_CPP + """
struct _PoissonEventsCell {
    double rate_dt = -1.0;      // the rate the cached values belong to
    double next = 0.0;          // event mode: next event, in time steps
    const double* cumulative = nullptr;   // inversion mode: distribution function of one part
    int parts = 1;              // inversion mode: the rate is split into this many equal parts
    uint64_t state = 0;         // splitmix64 state
    bool seeded = false;
};
std::vector<_PoissonEventsCell> _poisson_events_cells;
}
int32_t _poisson_events(double rate_dt, int64_t step, int64_t stream, int64_t seed,
                        int _vectorisation_idx)
{
    if (!(rate_dt > 0.0))
        return 0;
    const size_t index = (size_t)_vectorisation_idx;
    if (index >= _poisson_events_cells.size())
        _poisson_events_cells.resize(index + 1);
    _PoissonEventsCell& cell = _poisson_events_cells[index];
    if (!cell.seeded) {
        cell.state = _poisson_events_mix(_poisson_events_mix((uint64_t)seed) ^ (uint64_t)stream);
        cell.seeded = true;
    }
    const bool event_mode = rate_dt < %(event_mode_below)r;
    if (rate_dt != cell.rate_dt || (!event_mode && cell.cumulative == nullptr)) {
        // first call or a new rate: restart (the process is memoryless, so this is exact)
        if (event_mode && rate_dt != cell.rate_dt)
            cell.next = step - std::log1p(-_poisson_events_uniform(cell.state)) / rate_dt;
        if (!event_mode) {
            cell.parts = (int)std::ceil(rate_dt / 50.0);
            cell.cumulative = _poisson_events_table(rate_dt / cell.parts);
        }
        cell.rate_dt = rate_dt;
    }
    int32_t count = 0;
    if (event_mode) {
        while (cell.next < step + 1.0) {
            count++;
            cell.next -= std::log1p(-_poisson_events_uniform(cell.state)) / rate_dt;
        }
        return count;
    }
    return _poisson_events_invert(cell.cumulative, cell.parts, cell.state);
}
""" % {"event_mode_below": EVENT_MODE_BELOW}


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
