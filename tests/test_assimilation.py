"""EnKF on a known forward model, and clear errors for mismatched shapes and unknown names."""
import numpy as np
import pytest

import brainmodel as bm
from brainmodel.analysis import assimilation
from brainmodel.errors import BrainmodelError
from brainmodel.simulation import ensemble

BOUNDS = assimilation.Bounds(np.array([0.0, 0.0]), np.array([4.0, 4.0]))
TRUTH = np.array([1.0, 3.0])


def _forward(theta):
    # a smooth, non-linear map from two parameters to three "rates"
    theta = np.atleast_2d(theta)
    return np.column_stack([2 * theta[:, 0] + theta[:, 1], theta[:, 1] ** 2,
                            np.exp(0.3 * theta[:, 0])])


def test_enkf_lowers_the_parameter_error_five_fold():
    observed = _forward(TRUTH)[0]
    result = assimilation.assimilate(_forward, BOUNDS, np.array([2.0, 2.0]), np.array([1.5, 1.5]),
                                     observed, 0.02 * np.abs(observed), n_members=40,
                                     n_cycles=10, seed=3, truth=TRUTH)
    assert result["mean"].shape == (11, 2) and result["error"].shape == (11,)
    assert result["error"][-1] < result["error"][0] / 5
    assert np.all(result["mean"] > 0) and np.all(result["mean"] < 4)     # bounds hold
    assert result["sd"][-1].max() < result["sd"][0].min()                # spread shrinks


def test_transform_round_trip_and_shape_errors():
    theta = np.array([[0.5, 3.9], [2.0, 0.1]])
    assert np.allclose(BOUNDS.to_bounded(BOUNDS.to_unbounded(theta)), theta)
    rng = np.random.default_rng(0)
    with pytest.raises(BrainmodelError, match="3 predicted observations per member, but 2"):
        assimilation.analysis_update(np.zeros((5, 2)), np.zeros((5, 3)), np.zeros(2),
                                     np.ones(2), 1.0, rng)
    with pytest.raises(BrainmodelError, match="members x observations with 5 members"):
        assimilation.analysis_update(np.zeros((5, 2)), np.zeros((4, 3)), np.zeros(3),
                                     np.ones(3), 1.0, rng)


def test_unknown_ensemble_parameter_is_refused():
    ensemble.check_parameters(["background:MOp", "gain:MOs"], {"MOp", "MOs"})
    with pytest.raises(BrainmodelError, match="unknown ensemble parameter 'drive:MOp'"):
        ensemble.check_parameters(["drive:MOp"], {"MOp"})
    with pytest.raises(BrainmodelError, match="unknown ensemble parameter 'gain:VISp'"):
        ensemble.check_parameters(["gain:VISp"], {"MOp", "MOs"})


def test_replicated_model_holds_independent_copies(data_dir):
    config = bm.configure(density=0.01, data_dir=data_dir)
    model = bm.build(config, progress=lambda m: None)
    batch = ensemble.replicated_model(model, 3)
    n = len(model.cells)
    assert len(batch.cells) == 3 * n and batch.stimulated.sum() == 3 * model.stimulated.sum()
    for original, copied in zip(model.edges, batch.edges):
        assert len(copied) == 3 * len(original)
        copy = copied.pre // n
        assert np.array_equal(copy, copied.post // n)           # no synapse between copies
        assert np.array_equal(copied.pre[copy == 2] - 2 * n, original.pre)
