"""Ensemble Kalman filter for model parameters (pure numpy; the forward model is a callable).

State: per-area parameters (``brainmodel.ensemble``) in a bounded transform: a parameter theta in
(low, high) is estimated as z = logit((theta - low) / (high - low)), so updates never leave the
bounds. Each cycle: forecast (every member's parameters through the forward model, giving
predicted observations, e.g. area population rates), then the analysis update with perturbed
observations (Evensen 2003, Ocean Dyn 53:343):

    z_i <- z_i + K (y + e_i - h(z_i)),   K = C_zh (C_hh + a R)^-1,   e_i ~ N(0, a R)

Because the same observation window is assimilated in every cycle, the observation error
covariance is inflated by the number of cycles a (ensemble smoother with multiple data
assimilation, Emerick & Reynolds 2013, Comput Geosci 55:3), so that all cycles together weigh
the data once.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BrainmodelError


@dataclass(frozen=True)
class Bounds:
    low: np.ndarray
    high: np.ndarray

    def to_unbounded(self, theta: np.ndarray) -> np.ndarray:
        x = (np.asarray(theta) - self.low) / (self.high - self.low)
        x = np.clip(x, 1e-9, 1 - 1e-9)
        return np.log(x / (1 - x))

    def to_bounded(self, z: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) / (1.0 + np.exp(-np.asarray(z)))


def analysis_update(z: np.ndarray, predicted: np.ndarray, observed: np.ndarray,
                    observation_sd: np.ndarray, inflation: float,
                    rng: np.random.Generator) -> np.ndarray:
    """One perturbed-observation EnKF update of the ensemble z (members x parameters) given
    predicted observations (members x observations)."""
    z, predicted = np.asarray(z, float), np.asarray(predicted, float)
    observed, observation_sd = np.asarray(observed, float), np.asarray(observation_sd, float)
    if predicted.ndim != 2 or predicted.shape[0] != z.shape[0]:
        raise BrainmodelError(f"predicted observations must be members x observations with "
                              f"{z.shape[0]} members, not shape {predicted.shape}")
    if observed.shape != (predicted.shape[1],) or observation_sd.shape != observed.shape:
        raise BrainmodelError(f"{predicted.shape[1]} predicted observations per member, but "
                              f"{observed.size} observed values and {observation_sd.size} errors")
    n = z.shape[0]
    dz = z - z.mean(axis=0)
    dh = predicted - predicted.mean(axis=0)
    c_zh = dz.T @ dh / (n - 1)
    r = np.diag(inflation * observation_sd ** 2)
    c_hh = dh.T @ dh / (n - 1)
    gain = c_zh @ np.linalg.inv(c_hh + r)
    perturbed = observed + rng.normal(0.0, np.sqrt(inflation) * observation_sd,
                                      size=predicted.shape)
    return z + (perturbed - predicted) @ gain.T


def assimilate(forward, bounds: Bounds, prior_mean: np.ndarray, prior_sd: np.ndarray,
               observed: np.ndarray, observation_sd: np.ndarray, n_members: int, n_cycles: int,
               seed: int, truth: np.ndarray | None = None, progress=None) -> dict:
    """Run the EnKF. ``forward(theta)`` maps members x parameters to members x observations.
    Returns parameter trajectories (ensemble mean and SD per cycle, cycle 0 = prior), and with
    ``truth`` the error of the mean (normalised by the bounds' width) per cycle."""
    rng = np.random.default_rng(seed)
    z = bounds.to_unbounded(prior_mean) + rng.normal(size=(n_members, len(prior_mean))) * prior_sd
    means, sds, errors = [], [], []

    def record(zs):
        theta = bounds.to_bounded(zs)
        means.append(theta.mean(axis=0))
        sds.append(theta.std(axis=0))
        if truth is not None:
            errors.append(float(np.sqrt(np.mean(((theta.mean(axis=0) - truth)
                                                 / (bounds.high - bounds.low)) ** 2))))

    record(z)
    for cycle in range(n_cycles):
        predicted = np.asarray(forward(bounds.to_bounded(z)))
        z = analysis_update(z, predicted, observed, observation_sd, float(n_cycles), rng)
        record(z)
        if progress:
            progress(f"cycle {cycle + 1}/{n_cycles}: mean {np.round(means[-1], 3).tolist()}"
                     + (f", error {errors[-1]:.4f}" if errors else ""))
    return {"mean": np.array(means), "sd": np.array(sds),
            "error": np.array(errors) if errors else None}
