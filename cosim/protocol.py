"""The spike <-> muscle protocol between the brain ranks and the body rank.

Motor side (brain -> body). Every communication interval the body rank receives the spikes of the
layer 5B pyramidal-tract (PT) cells of the left MOp forelimb area; each cell drives one muscle
(``brainmodel.experiments.cosim_forelimb`` assigns them). Per muscle:
1. count -> population rate: ``rate = count / (cells x interval)``;
2. low-pass filter, time constant ``filter_ms`` (20 ms, assumed: the integration of
   corticospinal input by spinal interneurons and motoneurons, lumped);
3. rate -> excitation in [0, 1]: ``u = r / (r + half_rate_hz)``, a saturating recruitment curve
   (half-maximal at 20 Hz, assumed; PT cells fire at a few to tens of Hz in behaving mice,
   Economo et al. 2018, Nature 563:79).
MuJoCo's muscle then turns excitation into activation (10 / 40 ms, first order) and force.

Sensory side (body -> brain). Each muscle has ``IA_PER_MUSCLE`` group Ia and ``II_PER_MUSCLE``
group II spindle afferent fibres. Their rates follow the form of Prochazka & Gorassini's spindle
model (1998, J Physiol 507:277): Ia = base + length gain x stretch + velocity gain x
sign(v)|v|^0.6; group II = base + length gain x stretch (no velocity term). Stretch is the change
of musculotendon length relative to its resting length, velocity is in resting lengths per second.
The cat gains (2 imp/s per mm and 4.3 imp/s per (mm/s)^0.6 on muscles about 100 mm long) become
200 imp/s per unit strain and 68 imp/s per (L/s)^0.6 in these normalised units; the resting rates
(20 and 15 imp/s) are assumed for the mouse (lower than the cat's 80). Each fibre fires in every
time step with probability rate x dt (a Bernoulli approximation of a Poisson train), from the
body rank's own seeded generator.

Everything here is a pure function of its inputs; the body rank (``cosim.body_rank``) and the tests
call the same functions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# proximal to distal: the order of the muscles' zones along the forelimb area (see
# brainmodel.experiments.cosim_forelimb.muscle_of_motor_cells)
MUSCLES = ("pectoralis", "deltoid", "latissimus", "biceps", "triceps", "brachialis",
           "flexor_carpi", "extensor_carpi")
JOINTS = ("shoulder_flexion", "shoulder_abduction", "elbow_flexion", "wrist_flexion")
IA_PER_MUSCLE = 10                      # fibres per muscle in the model (each stands for a bundle)
II_PER_MUSCLE = 10
FIBRES_PER_MUSCLE = IA_PER_MUSCLE + II_PER_MUSCLE


class ProtocolError(ValueError):
    """Inputs that do not fit the protocol (shapes, names, ranges)."""


@dataclass(frozen=True)
class MotorMapping:
    filter_ms: float = 20.0             # assumed, see module docstring
    half_rate_hz: float = 20.0          # assumed, see module docstring

    def __post_init__(self):
        if not (self.filter_ms > 0 and self.half_rate_hz > 0):
            raise ProtocolError(f"filter_ms and half_rate_hz must be > 0, not "
                                f"{self.filter_ms}, {self.half_rate_hz}")


@dataclass(frozen=True)
class SpindleEncoding:
    ia_base_hz: float = 20.0
    ia_length_gain_hz: float = 200.0    # per unit strain (Prochazka & Gorassini 1998, normalised)
    ia_velocity_gain_hz: float = 68.0   # per (resting lengths/s)^0.6 (same source, normalised)
    ia_velocity_exponent: float = 0.6   # Prochazka & Gorassini 1998
    ii_base_hz: float = 15.0
    ii_length_gain_hz: float = 200.0
    max_rate_hz: float = 300.0


def motor_counts(gids: np.ndarray, motor_gid: np.ndarray, motor_muscle: np.ndarray,
                 n_muscles: int) -> np.ndarray:
    """Spikes per muscle among received global ids. ``motor_gid`` is sorted; a gid that is not
    a motor cell is an error (the brain sent what the body does not expect)."""
    gids = np.asarray(gids, dtype=np.int64)
    at = np.searchsorted(motor_gid, gids)
    bad = (at >= len(motor_gid)) | (motor_gid[np.minimum(at, len(motor_gid) - 1)] != gids)
    if bad.any():
        raise ProtocolError(f"received spikes of cells that drive no muscle: "
                            f"{gids[bad][:5].tolist()}")
    return np.bincount(motor_muscle[at], minlength=n_muscles)


def filtered_rates(previous_hz: np.ndarray, counts: np.ndarray, cells_per_muscle: np.ndarray,
                   interval_ms: float, mapping: MotorMapping) -> np.ndarray:
    """One interval of the first-order filter on each muscle's PT population rate (Hz)."""
    counts = np.asarray(counts, dtype=float)
    cells = np.asarray(cells_per_muscle, dtype=float)
    if counts.shape != cells.shape or np.shape(previous_hz) != counts.shape:
        raise ProtocolError(f"counts {counts.shape}, cells {cells.shape} and state "
                            f"{np.shape(previous_hz)} must have one entry per muscle")
    rate = np.divide(counts, cells * interval_ms / 1000.0, out=np.zeros_like(counts),
                     where=cells > 0)
    keep = np.exp(-interval_ms / mapping.filter_ms)
    return keep * np.asarray(previous_hz, dtype=float) + (1.0 - keep) * rate


def excitation(filtered_hz: np.ndarray, mapping: MotorMapping) -> np.ndarray:
    """Muscle excitation in [0, 1) from filtered PT rates."""
    r = np.maximum(np.asarray(filtered_hz, dtype=float), 0.0)
    return r / (r + mapping.half_rate_hz)


def spindle_rates(stretch: np.ndarray, velocity: np.ndarray,
                  encoding: SpindleEncoding) -> tuple[np.ndarray, np.ndarray]:
    """(Ia, II) rates per muscle in Hz from relative stretch and velocity (resting lengths/s)."""
    stretch = np.asarray(stretch, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    if stretch.shape != velocity.shape:
        raise ProtocolError(f"stretch {stretch.shape} and velocity {velocity.shape} differ")
    e = encoding
    ia = (e.ia_base_hz + e.ia_length_gain_hz * stretch
          + e.ia_velocity_gain_hz * np.sign(velocity) * np.abs(velocity) ** e.ia_velocity_exponent)
    ii = e.ii_base_hz + e.ii_length_gain_hz * stretch
    return np.clip(ia, 0.0, e.max_rate_hz), np.clip(ii, 0.0, e.max_rate_hz)


def fibre_rates(ia_hz: np.ndarray, ii_hz: np.ndarray) -> np.ndarray:
    """Rate of every fibre, in fibre order: muscle by muscle, its Ia fibres then its II fibres."""
    per_muscle = np.concatenate([np.repeat(np.asarray(ia_hz)[:, None], IA_PER_MUSCLE, axis=1),
                                 np.repeat(np.asarray(ii_hz)[:, None], II_PER_MUSCLE, axis=1)],
                                axis=1)
    return per_muscle.ravel()


def fibre_muscle(n_muscles: int) -> np.ndarray:
    """Muscle index of every fibre (fibre order of ``fibre_rates``)."""
    return np.repeat(np.arange(n_muscles), FIBRES_PER_MUSCLE)


def afferent_spikes(rates_hz: np.ndarray, first_step: int, n_steps: int, dt_ms: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(fibre index, step) of the spikes of ``n_steps`` steps from ``first_step``: each fibre
    fires in each step with probability rate x dt."""
    p = np.asarray(rates_hz, dtype=float) * dt_ms / 1000.0
    if np.any(p > 1.0) or np.any(p < 0.0):
        raise ProtocolError(f"afferent rates must be in [0, 1/dt]; got up to "
                            f"{np.max(rates_hz):g} Hz at dt {dt_ms} ms")
    fired = rng.random((n_steps, len(p))) < p
    step, fibre = np.nonzero(fired)
    return fibre.astype(np.int64), (step + first_step).astype(np.int64)
