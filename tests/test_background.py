"""brainmodel.background.poisson_events: per-step counts of a Poisson process, on cpp_standalone
(the event-by-event C++ implementation, one random stream per cell) and runtime (numpy)."""
import numpy as np
import pytest

RATES = (0.0, 0.04, 0.2, 1.5)     # events per step: none, m1-gamma's (drawn event by event),
                                  # the microcircuit's and several (inverted per step)
CELLS_PER_RATE, STEPS = 300, 400
SEED = 11


def _counts(device, tmp_path, subset_streams=None):
    """(cells x steps) counts; cells in blocks of CELLS_PER_RATE, one block per rate; with
    ``subset_streams`` also the counts of a second group holding only those streams."""
    import brian2 as b2
    from brainmodel.simulation import devices
    from brainmodel.simulation.background import poisson_events_function

    run = devices.use_device(device, tmp_path / "build", 0)
    try:
        b2.seed(7)
        b2.defaultclock.dt = 0.1 * b2.ms
        namespace = {"poisson_events": poisson_events_function(), "seed": SEED}
        code = "k = poisson_events(rate_dt, timestep(t, dt), stream, seed)"
        eqs = "k : integer\nrate_dt : 1 (constant)\nstream : integer (constant)"
        rates = np.repeat(RATES, CELLS_PER_RATE)
        groups = []
        for streams in (np.arange(len(rates)), subset_streams):
            if streams is None:
                continue
            group = b2.NeuronGroup(len(streams), eqs, namespace=namespace)
            group.rate_dt, group.stream = rates[streams], streams
            group.run_regularly(code)
            groups.append((group, b2.StateMonitor(group, "k", record=True, when="end")))
        net = b2.Network(*[o for pair in groups for o in pair])
        devices.run_network(run, net, STEPS * 0.1 * b2.ms, progress=None)
        return [np.asarray(monitor.k[:]) for _, monitor in groups]
    finally:
        devices.release_device()


@pytest.mark.parametrize("device", ["cpp_standalone", "runtime"])
def test_poisson_events_counts_are_poisson(device, tmp_path):
    counts = _counts(device, tmp_path)[0]
    assert counts.shape == (len(RATES) * CELLS_PER_RATE, STEPS)
    for block, rate in enumerate(RATES):
        sample = counts[block * CELLS_PER_RATE:(block + 1) * CELLS_PER_RATE]
        if rate == 0:
            assert sample.sum() == 0
            continue
        n = sample.size
        # mean and variance both equal the rate; P(0) = exp(-rate); within 5 standard errors
        assert abs(sample.mean() - rate) < 5 * np.sqrt(rate / n)
        assert abs(sample.var() / rate - 1) < 5 * np.sqrt(2 / n) + 0.02
        p0 = np.exp(-rate)
        assert abs((sample == 0).mean() - p0) < 5 * np.sqrt(p0 * (1 - p0) / n)
        # successive steps independent; cells independent of each other
        lag = np.corrcoef(sample[:, :-1].ravel(), sample[:, 1:].ravel())[0, 1]
        assert abs(lag) < 5 / np.sqrt(n)
        cells = np.corrcoef(sample[:-1].ravel(), sample[1:].ravel())[0, 1]
        assert abs(cells) < 5 / np.sqrt(n)


def test_a_cells_counts_do_not_depend_on_the_other_cells_of_its_group(tmp_path):
    """What MPI ranks rely on: a group holding some of the streams, in another order, draws
    exactly the counts those streams draw in the full group."""
    streams = np.arange(len(RATES) * CELLS_PER_RATE)[::-3]          # every third, reversed
    full, subset = _counts("cpp_standalone", tmp_path, subset_streams=streams)
    assert subset.sum() > 0
    np.testing.assert_array_equal(subset, full[streams])
