"""The matched benchmark networks, each built three ways: in brainmodel's engine (edges drawn in
numpy by ``brainmodel.model.connectivity``, per-synapse arrays handed to Brian2, cpp_standalone through
``brainmodel.simulation.devices``), as a minimal hand-written Brian2 script (``Synapses.connect(p=...)``) and
in NEST 3.10. ``benchmarks/benchmark.py`` runs them and prints the table.

- ``cuba``: Brette et al. 2007 (J Comput Neurosci 23:349) benchmark 2, after Vogels & Abbott
  2005: LIF, tau_m 20 ms, rest -49 mV, threshold -50 mV, reset -60 mV, refractory 5 ms,
  exponential currents (5 ms excitatory, 10 ms inhibitory), jumps 1.62 mV and -9 mV, 80 %
  excitatory, p 0.02, no external input. Integration: exact in all three (Brian2 ``exact``;
  NEST ``iaf_psc_exp``'s exact propagator). NEST weights are the jumps as currents
  (J = jump x C_m / tau_m).
- ``coba``: benchmark 1: rest -60 mV, threshold -50 mV, reset -60 mV, refractory 5 ms,
  exponential conductances with reversal potentials 0 and -80 mV, jumps 6 nS and 67 nS on a
  10 nS leak (0.6 and 6.7 leak units), p = 0.02 x 4000 / n (the benchmark's in-degree at any
  size), initial v = -65 + 5 N(0,1) mV, g_e = 4 + 1.5 N(0,1),
  g_i = 20 + 12 N(0,1) leak units (clipped at 0), as in Brette's benchmark script. Integration
  differs and is not exact for either: Brian2 exponential Euler at 0.1 ms (cpp_standalone has no
  GSL here); NEST ``iaf_cond_exp`` GSL's adaptive RKF45.
- ``microcircuit``: Potjans & Diesmann 2014 (Cereb Cortex 24:785), with the parameters of the
  NEST example (``pynest/examples/Potjans_2014/network_params.py``): 8 populations, the 8x8
  connection probabilities, K_ext, PSP 0.15 mV (87.8 pA) with 10 % spread, g -4, L4E->L23E
  doubled, delays 1.5 / 0.75 ms with 50 % spread, iaf_psc_exp (C_m 250 pF, tau_m 10 ms,
  tau_syn 0.5 ms, refractory 2 ms, rest and reset -65 mV, threshold -50 mV), Poisson background
  at 8 Hz per external input, initial v N(-58, 10) mV. ``scale`` multiplies neuron numbers and
  in-degrees (N_scaling = K_scaling); weights grow by 1/sqrt(scale) and a DC makes up the lost
  mean input (van Albada et al. 2015, as the NEST example's helpers do). Difference from the
  original, the same in all three: pairs are drawn pairwise Bernoulli with the table's
  probabilities (the original draws a fixed total number with multapses), no autapses. Weights
  are redrawn (engine, NEST) or clipped (minimal Brian2) to keep their sign; delays redrawn or
  clipped at >= dt. Integration exact in all three.

In every network, Brian2 and NEST use dt = 0.1 ms, one thread.
"""
import numpy as np

from regions.cortex import POTJANS_CONNECTION_PROBABILITY

DT_MS = 0.1

# --- Brette et al. 2007 benchmarks 1 (COBA) and 2 (CUBA) -------------------------------------
EXCITATORY, P_CONNECT = 0.8, 0.02
CUBA = dict(tau_m=20.0, tau_e=5.0, tau_i=10.0, rest=-49.0, threshold=-50.0, reset=-60.0,
            refractory=5.0, jump_e=1.62, jump_i=-9.0, C_m=250.0)
# COBA keeps the benchmark's in-degree (p = 0.02 at 4,000 neurons: 64 excitatory and 16 inhibitory
# inputs) at larger sizes: p = 0.02 x 4000 / n. With p fixed at 0.02 (in-degree 800) the
# 40,000-neuron network fell silent within 100 ms (0.1 Hz) in all three simulators, with or
# without jumps divided by 10; CUBA stays active at p = 0.02 and keeps it.
COBA_REFERENCE_SIZE = 4000
COBA = dict(tau_m=20.0, tau_e=5.0, tau_i=10.0, rest=-60.0, threshold=-50.0, reset=-60.0,
            refractory=5.0, E_e=0.0, E_i=-80.0, g_leak=10.0, jump_e=0.6, jump_i=6.7)

# --- Potjans & Diesmann 2014 (values of the NEST example's network_params.py) ---------------
PD_POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
PD_N_FULL = np.array([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948])
PD_RATES_FULL = np.array([0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523])   # Hz
PD_P = POTJANS_CONNECTION_PROBABILITY          # [target, source], regions/cortex.py
PD_K_EXT = np.array([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100])
PD = dict(C_m=250.0, tau_m=10.0, tau_syn=0.5, refractory=2.0, rest=-65.0, reset=-65.0,
          threshold=-50.0, v0_mean=-58.0, v0_sd=10.0, psp_e=0.15, psp_sd=0.1, g=-4.0,
          bg_rate=8.0, delay_e=1.5, delay_i=0.75, delay_sd=0.5)


def psc_over_psp(C_m, tau_m, tau_syn):
    """Peak current (pA) per peak PSP (mV) of iaf_psc_exp (NEST example's helpers)."""
    sub = 1.0 / (tau_syn - tau_m)
    pre = tau_m * tau_syn / C_m * sub
    frac = (tau_m / tau_syn) ** sub
    return 1.0 / (pre * (frac ** tau_m - frac ** tau_syn))


def microcircuit(scale):
    """Sizes, weights (pA), background and DC per population at ``scale``; cells are ordered
    with the excitatory populations first (E then I sources form two contiguous ranges)."""
    order = [0, 2, 4, 6, 1, 3, 5, 7]                 # L23E L4E L5E L6E L23I L4I L5I L6I
    n = np.maximum(np.round(PD_N_FULL * scale).astype(int), 1)
    j_e = PD["psp_e"] * psc_over_psp(PD["C_m"], PD["tau_m"], PD["tau_syn"])
    w_full = np.full((8, 8), j_e)
    w_full[:, 1::2] *= PD["g"]
    w_full[0, 2] *= 2.0                               # L4E -> L23E doubled
    n_full = PD_N_FULL.astype(float)
    total = np.log1p(-PD_P) / np.log1p(-1.0 / np.outer(n_full, n_full))
    indegree_full = total / n_full[:, None]
    # DC that makes up the mean input lost by scaling in-degrees (van Albada et al. 2015)
    recurrent = (indegree_full * w_full * PD_RATES_FULL[None, :]).sum(axis=1)
    external = PD_K_EXT * j_e * PD["bg_rate"]
    dc = 0.001 * PD["tau_syn"] * (1.0 - np.sqrt(scale)) * (recurrent + external)
    start = np.zeros(8, int)
    start[order] = np.concatenate([[0], np.cumsum(n[order])[:-1]])
    return {"n": n, "start": start, "weight": w_full / np.sqrt(scale),
            "weight_ext": j_e / np.sqrt(scale), "dc": dc,
            "rate_ext": PD_K_EXT * scale * PD["bg_rate"], "total": int(n.sum()),
            "n_excitatory": int(n[0::2].sum())}


def _redrawn_normal(rng, mean, sd, low, high, size):
    values = rng.normal(mean, sd, size)
    bad = (values < low) | (values > high)
    while bad.any():
        values[bad] = rng.normal(mean, sd, int(bad.sum()))
        bad = (values < low) | (values > high)
    return values


def microcircuit_edges(mc, rng):
    """Per source sign: (pre, post, weight pA, delay ms), drawn pathway by pathway."""
    from brainmodel.model import connectivity

    out = {}
    for sign, sources in (("e", range(0, 8, 2)), ("i", range(1, 8, 2))):
        parts = []
        for s in sources:
            pre_ids = mc["start"][s] + np.arange(mc["n"][s])
            for t in range(8):
                post_ids = mc["start"][t] + np.arange(mc["n"][t])
                pre, post = connectivity.bernoulli_pairs(pre_ids, post_ids, PD_P[t, s], rng)
                w = mc["weight"][t, s]
                weight = _redrawn_normal(rng, w, abs(w) * PD["psp_sd"], *((0, np.inf) if w > 0
                                         else (-np.inf, 0)), len(pre))
                mean_delay = PD["delay_e"] if sign == "e" else PD["delay_i"]
                delay = _redrawn_normal(rng, mean_delay, mean_delay * PD["delay_sd"], DT_MS,
                                        np.inf, len(pre))
                parts.append((pre.astype(np.int32), post.astype(np.int32), weight, delay))
        out[sign] = tuple(np.concatenate(column) for column in zip(*parts))
    return out


def connection_probability(name, n):
    return P_CONNECT * min(1.0, COBA_REFERENCE_SIZE / n) if name == "coba" else P_CONNECT


def background_events(name, size, duration_ms):
    """Expected Poisson background events of a run (none in CUBA and COBA; the microcircuit's
    K_ext inputs at 8 Hz per cell)."""
    if name != "microcircuit":
        return 0.0
    mc = microcircuit(size)
    return float(np.sum(mc["n"] * mc["rate_ext"]) * duration_ms / 1000.0)


def cell_count(name, size):
    return microcircuit(size)["total"] if name == "microcircuit" else int(size)


# --- Brian2 (engine and minimal) ------------------------------------------------------------
def brian_network(name, size, engine, seed):
    """(Network, SpikeMonitor, [Synapses]) on the current Brian2 device."""
    import brian2 as b2

    b2.seed(seed)
    b2.defaultclock.dt = DT_MS * b2.ms
    rng = np.random.default_rng(seed)
    if name == "microcircuit":
        group, synapses, extra = _brian_microcircuit(size, engine, rng)
    else:
        group, synapses = _brian_vogels_abbott(name, int(size), engine, rng)
        extra = []
    monitor = b2.SpikeMonitor(group)
    return b2.Network(group, *synapses, *extra, monitor), monitor, synapses


def _brian_vogels_abbott(name, n, engine, rng):
    import brian2 as b2

    p = CUBA if name == "cuba" else COBA
    ns = {k: v * (b2.ms if k.startswith(("tau", "refr")) else b2.mV)
          for k, v in p.items() if k not in ("jump_e", "jump_i", "C_m", "g_leak")}
    if name == "cuba":
        eqs = """dv/dt = (ge + gi - (v - rest)) / tau_m : volt (unless refractory)
                 dge/dt = -ge / tau_e : volt
                 dgi/dt = -gi / tau_i : volt"""
        on_pre = (f"ge += {p['jump_e']}*mV", f"gi += {p['jump_i']}*mV")
        method = "exact"
    else:
        eqs = """dv/dt = (ge * (E_e - v) + gi * (E_i - v) + (rest - v)) / tau_m : volt (unless refractory)
                 dge/dt = -ge / tau_e : 1
                 dgi/dt = -gi / tau_i : 1"""
        on_pre = (f"ge += {p['jump_e']}", f"gi += {p['jump_i']}")
        method = "exponential_euler"
    group = b2.NeuronGroup(n, eqs, threshold="v > threshold", reset="v = reset",
                           refractory=p["refractory"] * b2.ms, method=method, namespace=ns)
    initial = vogels_abbott_initial(name, n, rng)
    group.v = initial["v"] * b2.mV
    if name == "coba":
        group.ge, group.gi = initial["ge"], initial["gi"]
    n_e = int(EXCITATORY * n)
    exc = b2.Synapses(group[:n_e], group, on_pre=on_pre[0])
    inh = b2.Synapses(group[n_e:], group, on_pre=on_pre[1])
    for syn, pre in ((exc, np.arange(n_e)), (inh, np.arange(n_e, n))):
        if engine:
            from brainmodel.model import connectivity
            # global ids, so that the sampler drops the autapses; i is the subgroup's index
            i, j = connectivity.bernoulli_pairs(pre, np.arange(n),
                                                connection_probability(name, n), rng)
            syn.connect(i=(i - pre[0]).astype(np.int32), j=j.astype(np.int32))
        else:
            syn.connect(condition="i != j" if syn is exc else f"i + {n_e} != j",
                        p=connection_probability(name, n))
    return group, [exc, inh]


def vogels_abbott_initial(name, n, rng):
    """Initial state (mV, leak units): uniform between reset and threshold for CUBA; Brette's
    benchmark-1 distributions for COBA."""
    if name == "cuba":
        return {"v": CUBA["reset"] + rng.random(n) * (CUBA["threshold"] - CUBA["reset"])}
    return {"v": COBA["rest"] + rng.normal(size=n) * 5.0 - 5.0,
            "ge": np.maximum(rng.normal(size=n) * 1.5 + 4.0, 0.0),
            "gi": np.maximum(rng.normal(size=n) * 12.0 + 20.0, 0.0)}


def _brian_microcircuit(scale, engine, rng):
    import brian2 as b2
    from brainmodel.simulation.background import poisson_events_function

    mc = microcircuit(scale)
    ns = {"C_m": PD["C_m"] * b2.pF, "tau_m": PD["tau_m"] * b2.ms, "tau_syn": PD["tau_syn"] * b2.ms,
          "rest": PD["rest"] * b2.mV, "reset": PD["reset"] * b2.mV,
          "threshold": PD["threshold"] * b2.mV, "w_ext": mc["weight_ext"] * b2.pA}
    if engine:                  # brainmodel's event-by-event background (exact, fewer draws)
        ns["poisson_events"] = poisson_events_function()
        ns["background_seed"] = int(rng.integers(2**31))
        background_code = ("I += w_ext * poisson_events(rate_ext * dt, timestep(t, dt), i, "
                           "background_seed)")
    else:
        background_code = "I += w_ext * poisson(rate_ext * dt)"
    eqs = """dv/dt = (rest - v) / tau_m + (I + I_dc) / C_m : volt (unless refractory)
             dI/dt = -I / tau_syn : amp
             I_dc : amp (constant)
             rate_ext : Hz (constant)
             population : integer (constant)"""
    group = b2.NeuronGroup(mc["total"], eqs, threshold="v > threshold", reset="v = reset",
                           refractory=PD["refractory"] * b2.ms, method="exact", namespace=ns)
    population = np.empty(mc["total"], int)
    for k in range(8):
        population[mc["start"][k]:mc["start"][k] + mc["n"][k]] = k
    group.population = population
    group.I_dc = mc["dc"][population] * b2.pA
    group.rate_ext = mc["rate_ext"][population] * b2.Hz
    group.v = rng.normal(PD["v0_mean"], PD["v0_sd"], mc["total"]) * b2.mV
    # Poisson background: each cell's K_ext inputs at 8 Hz (their summed Poisson process)
    background = group.run_regularly(background_code, when="before_synapses")
    n_e = mc["n_excitatory"]
    exc = b2.Synapses(group[:n_e], group, "w : amp (constant)", on_pre="I += w")
    inh = b2.Synapses(group[n_e:], group, "w : amp (constant)", on_pre="I += w")
    if engine:
        edges = microcircuit_edges(mc, rng)
        for syn, sign, offset in ((exc, "e", 0), (inh, "i", n_e)):
            pre, post, weight, delay = edges.pop(sign)
            syn.connect(i=pre - offset, j=post)
            syn.w = weight * b2.pA
            syn.delay = delay * b2.ms
            del pre, post, weight, delay
    else:
        for syn, sources, mean_delay in ((exc, range(0, 8, 2), PD["delay_e"]),
                                         (inh, range(1, 8, 2), PD["delay_i"])):
            probability = " + ".join(
                f"int(population_pre == {s} and population_post == {t}) * {PD_P[t, s]}"
                for s in sources for t in range(8) if PD_P[t, s] > 0)
            syn.connect(condition="i != j" if syn is exc else "i + n_e != j",
                        p=probability, namespace={"n_e": n_e})
            w = " + ".join(f"int(population_pre == {s} and population_post == {t}) * "
                           f"{float(mc['weight'][t, s])!r}" for s in sources for t in range(8)
                           if PD_P[t, s] > 0)
            sign = "clip" if syn is exc else "-clip"
            syn.w = (f"{sign}(abs({w}) * (1 + {PD['psp_sd']} * randn()), 0, inf) * pA")
            syn.delay = (f"clip({mean_delay} + {mean_delay * PD['delay_sd']} * randn(), "
                         f"{DT_MS}, inf) * ms")
    return group, [exc, inh], [background]


# --- NEST -----------------------------------------------------------------------------------
def nest_network(name, size, seed):
    """Builds the network in the (reset) NEST kernel; returns its spike recorder."""
    import nest

    rng = np.random.default_rng(seed)
    if name == "microcircuit":
        return _nest_microcircuit(size, rng)
    n = int(size)
    n_e = int(EXCITATORY * n)
    rule = {"rule": "pairwise_bernoulli", "p": connection_probability(name, n),
            "allow_autapses": False}
    initial = vogels_abbott_initial(name, n, rng)
    if name == "cuba":
        p = CUBA
        cells = nest.Create("iaf_psc_exp", n, params={
            "C_m": p["C_m"], "tau_m": p["tau_m"], "tau_syn_ex": p["tau_e"],
            "tau_syn_in": p["tau_i"], "E_L": p["rest"], "V_th": p["threshold"],
            "V_reset": p["reset"], "t_ref": p["refractory"], "I_e": 0.0})
        weights = (p["jump_e"] * p["C_m"] / p["tau_m"], p["jump_i"] * p["C_m"] / p["tau_m"])
    else:
        p = COBA
        cells = nest.Create("iaf_cond_exp", n, params={
            "C_m": p["g_leak"] * p["tau_m"], "g_L": p["g_leak"], "E_L": p["rest"],
            "V_th": p["threshold"], "V_reset": p["reset"], "t_ref": p["refractory"],
            "E_ex": p["E_e"], "E_in": p["E_i"], "tau_syn_ex": p["tau_e"],
            "tau_syn_in": p["tau_i"], "I_e": 0.0})
        cells.g_ex = list(initial["ge"] * p["g_leak"])
        cells.g_in = list(initial["gi"] * p["g_leak"])
        weights = (p["jump_e"] * p["g_leak"], -p["jump_i"] * p["g_leak"])  # nS; < 0: inhibitory
    cells.V_m = list(initial["v"])
    nest.Connect(cells[:n_e], cells, rule, {"weight": weights[0], "delay": DT_MS})
    nest.Connect(cells[n_e:], cells, rule, {"weight": weights[1], "delay": DT_MS})
    return _recorder([cells])


def _recorder(populations):
    import nest

    recorder = nest.Create("spike_recorder")
    for cells in populations:
        nest.Connect(cells, recorder)
    return recorder


def _nest_microcircuit(scale, rng):
    import nest

    mc = microcircuit(scale)
    pops = {}
    for k in np.argsort(mc["start"]):          # create in the Brian2 order: same global ids
        pops[k] = nest.Create("iaf_psc_exp", mc["n"][k], params={
            "C_m": PD["C_m"], "tau_m": PD["tau_m"], "tau_syn_ex": PD["tau_syn"],
            "tau_syn_in": PD["tau_syn"], "E_L": PD["rest"], "V_reset": PD["reset"],
            "V_th": PD["threshold"], "t_ref": PD["refractory"], "I_e": float(mc["dc"][k])})
        pops[k].V_m = list(rng.normal(PD["v0_mean"], PD["v0_sd"], mc["n"][k]))
    for t in range(8):
        for s in range(8):
            if PD_P[t, s] == 0:
                continue
            w = float(mc["weight"][t, s])
            mean_delay = PD["delay_e"] if s % 2 == 0 else PD["delay_i"]
            nest.Connect(pops[s], pops[t],
                         {"rule": "pairwise_bernoulli", "p": float(PD_P[t, s]),
                          "allow_autapses": False},
                         {"weight": nest.math.redraw(nest.random.normal(
                              mean=w, std=abs(w) * PD["psp_sd"]),
                              min=0.0 if w > 0 else -1e12, max=1e12 if w > 0 else 0.0),
                          "delay": nest.math.redraw(nest.random.normal(
                              mean=mean_delay, std=mean_delay * PD["delay_sd"]),
                              min=DT_MS, max=1e12)})
        generator = nest.Create("poisson_generator", params={"rate": float(mc["rate_ext"][t])})
        nest.Connect(generator, pops[t], "all_to_all",
                     {"weight": float(mc["weight_ext"]), "delay": DT_MS})
    return _recorder(pops.values())
