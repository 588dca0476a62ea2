import numpy as np
import pytest

from brainmodel.model import connectivity
from brainmodel.errors import BrainmodelError


def _sheet(n_side=30, spacing=40.0, per_voxel=2, seed=0):
    """Synthetic flat cortex: a grid of 100 um 'voxels' with cells jittered inside."""
    rng = np.random.default_rng(seed)
    voxel = np.repeat(np.arange(n_side * n_side), per_voxel)
    gx, gy = np.divmod(voxel, n_side)
    surface = np.column_stack([gx * 100.0, gy * 100.0, np.zeros(len(voxel))])
    surface[:, :2] += rng.uniform(-50, 50, (len(voxel), 2))
    return voxel, surface


def test_p_zero_gives_no_synapses():
    voxel, surface = _sheet(10)
    ids = np.arange(len(voxel))
    pre, post = connectivity.gaussian_pairs(ids, ids, voxel, surface, 0.0, 200.0,
                                            np.random.default_rng(1))
    assert len(pre) == 0


def test_p_one_with_wide_gaussian_gives_all_pairs_but_autapses():
    voxel, surface = _sheet(6)
    ids = np.arange(len(voxel))
    pre, post = connectivity.gaussian_pairs(ids, ids, voxel, surface, 1.0, 1e7,
                                            np.random.default_rng(1))
    n = len(ids)
    assert len(pre) == n * (n - 1)
    assert len(set(zip(pre.tolist(), post.tolist()))) == n * (n - 1)
    assert np.all(pre != post)


@pytest.mark.parametrize("p", [0.6, 0.08])   # 0.08: every block takes the thinning path
def test_gaussian_fall_off_matches_rule(p):
    voxel, surface = _sheet(40, per_voxel=3)
    ids = np.arange(len(voxel))
    sigma = 150.0
    pre, post = connectivity.gaussian_pairs(ids, ids, voxel, surface, p, sigma,
                                            np.random.default_rng(2))
    from scipy.spatial.distance import cdist
    sample = np.arange(0, len(ids), 37)
    dist = cdist(surface[sample], surface)           # all candidate pairs from sampled posts
    connected = np.zeros_like(dist, dtype=bool)
    lookup = {c: k for k, c in enumerate(sample)}
    for a, b in zip(pre, post):
        if b in lookup:
            connected[lookup[b], a] = True
    for lo, hi in [(0, 50), (100, 150), (200, 250), (300, 350)]:
        band = (dist >= lo) & (dist < hi)
        band[np.arange(len(sample)), sample] = False
        centre = 0.5 * (lo + hi)
        expected = p * np.exp(-centre ** 2 / (2 * sigma ** 2))
        observed = connected[band].mean()
        tolerance = 4 * np.sqrt(expected * (1 - expected) / band.sum()) + 0.1 * expected
        assert abs(observed - expected) < tolerance, (lo, hi, observed, expected)
    # nothing beyond the 3-sigma cutoff
    assert not connected[dist > 3 * sigma + 1e-6].any()


@pytest.mark.parametrize("p", [0.9, 0.05])
def test_no_pair_is_drawn_twice(p):
    voxel, surface = _sheet(20, per_voxel=4)
    ids = np.arange(len(voxel))
    pre, post = connectivity.gaussian_pairs(ids, ids, voxel, surface, p, 150.0,
                                            np.random.default_rng(3))
    assert len(pre) > 0
    assert len(np.unique(pre * len(ids) + post)) == len(pre)


def test_deterministic_for_a_seed():
    voxel, surface = _sheet(20)
    ids = np.arange(len(voxel))
    a = connectivity.gaussian_pairs(ids, ids, voxel, surface, 0.3, 150, np.random.default_rng(5))
    b = connectivity.gaussian_pairs(ids, ids, voxel, surface, 0.3, 150, np.random.default_rng(5))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_weight_compensation_preserves_input_variance_and_carries_sqrt_k_of_the_mean():
    """in-degree x weight^2 (the variance of the input) stays constant as the in-degree
    fraction k falls; in-degree x weight (the mean the synapses carry) falls as sqrt(k), the
    rest is the compensating conductance (brainmodel.model.scaling, tests/test_scaling.py)."""
    voxel, surface = _sheet(30, per_voxel=4)
    ids = np.arange(len(voxel))
    centre = np.linalg.norm(surface[:, :2] - 1500.0, axis=1) < 600      # away from edges
    variance, mean = [], []
    fractions = (1.0, 0.5, 0.25)
    for fraction in fractions:
        p = connectivity.scaled_probability(0.4, 1.0, fraction)
        pre, post = connectivity.gaussian_pairs(ids, ids, voxel, surface, p, 150.0,
                                                np.random.default_rng(9))
        indegree = np.bincount(post, minlength=len(ids))[centre].mean()
        weight = connectivity.compensated_weight(0.01, fraction)
        variance.append(indegree * weight ** 2)
        mean.append(indegree * weight / np.sqrt(fraction))
    assert np.allclose(variance, variance[0], rtol=0.05), variance
    assert np.allclose(mean, mean[0], rtol=0.05), mean


def test_impossible_scaling_is_refused():
    with pytest.raises(BrainmodelError, match="too high for density"):
        connectivity.scaled_probability(0.8, 0.05, 0.2)
    with pytest.raises(BrainmodelError, match="in-degree fraction must be in"):
        connectivity.compensated_weight(0.01, 0.0)


def test_any_id_order_and_coarse_blocks_give_the_same_rule():
    voxel, surface = _sheet(5)
    ids = np.arange(len(voxel))
    everything = {(a, b) for a in ids for b in ids if a != b}
    for order, blocks in ((ids, voxel), (ids[::-1], voxel), (ids, voxel // 4)):
        pre, post = connectivity.gaussian_pairs(order, order, blocks, surface, 1.0, 1e6,
                                                np.random.default_rng(0))
        assert set(zip(pre.tolist(), post.tolist())) == everything
    with pytest.raises(BrainmodelError, match="sorted by voxel"):
        connectivity.voxel_groups(np.array([2, 1]))


def test_coarse_sampling_blocks_are_aligned_voxel_groups():
    from types import SimpleNamespace
    position = np.array([[0.0, 0, 0], [150.0, 50, 50], [250.0, 0, 0], [50.0, 199, 199]])
    cells = SimpleNamespace(voxel_row=np.array([0, 1, 2, 3]), position_um=position)
    assert connectivity.sampling_blocks(cells, 100.0, 0.05).tolist() == [0, 1, 2, 3]
    coarse = connectivity.sampling_blocks(cells, 100.0, 0.02)
    assert coarse[0] == coarse[1] == coarse[3] != coarse[2]


def test_delays_grow_with_distance():
    pos = np.array([[0.0, 0, 0], [300.0, 0, 0], [600.0, 0, 0]])
    d = connectivity.delays_ms(np.array([0, 0]), np.array([1, 2]), pos, 0.5, 300.0)
    assert np.allclose(d, [1.5, 2.5])
