"""CUBA network (Brette et al. 2007, J Comput Neurosci 23:349, benchmark 2) in three simulators,
side by side on this machine, each in its own process (for its peak memory):

- ``brainmodel``: brainmodel's engine: edges drawn in numpy (``connectivity.bernoulli_pairs``),
  objects on cpp_standalone through ``brainmodel.devices`` (one thread);
- ``brian2``: a minimal hand-written Brian2 cpp_standalone script (``connect(p=0.02)``);
- ``nest``: NEST 3.10 (``pip install nest-simulator``), ``iaf_psc_exp``, one thread.

Model: leaky integrate-and-fire, tau_m 20 ms, E_L -49 mV, threshold -50 mV, reset -60 mV,
refractory 5 ms, current-based exponential synapses (tau 5 ms excitatory, 10 ms inhibitory), 80 %
excitatory, connection probability 0.02, jumps of 1.62 mV and -9 mV. All three integrate the
linear subthreshold dynamics exactly (Brian2 ``method='exact'``; NEST's exact integration for
iaf_psc_exp); NEST's weights are the same jumps as currents (J = jump x C_m / tau_m).
Initial potentials uniform between reset and threshold. 1 s of biological time, dt 0.1 ms.

    .venv/bin/pip install -e '.[bench]'      # brings nest-simulator
    .venv/bin/python benchmarks/nest_compare.py --sizes 4000,40000

Prints one table (construction, run, peak memory, bytes per synapse, synaptic events per second,
ratios to NEST and to the minimal Brian2 script in the same run). Synaptic events are spikes x
mean out-degree for all three; bytes per synapse are the process's peak memory over the synapse
count (at 4,000 neurons the interpreter and libraries dominate).
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TAU_M, TAU_E, TAU_I = 20.0, 5.0, 10.0          # ms
E_L, V_TH, V_RESET, T_REF = -49.0, -50.0, -60.0, 5.0
W_E, W_I, P_CONNECT, EXCITATORY = 1.62, -9.0, 0.02, 0.8
C_M = 250.0                                     # pF (NEST only; jumps are what matter)
DURATION_MS, DT_MS = 1000.0, 0.1


def _brian_network(n, minimal, seed, build_dir):
    import brian2 as b2
    import numpy as np

    b2.seed(seed)
    b2.defaultclock.dt = DT_MS * b2.ms
    ns = {"taum": TAU_M * b2.ms, "taue": TAU_E * b2.ms, "taui": TAU_I * b2.ms,
          "El": E_L * b2.mV, "Vt": V_TH * b2.mV, "Vr": V_RESET * b2.mV}
    eqs = """dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
             dge/dt = -ge / taue : volt
             dgi/dt = -gi / taui : volt"""
    group = b2.NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr",
                           refractory=T_REF * b2.ms, method="exact", namespace=ns)
    rng = np.random.default_rng(seed)
    group.v = (V_RESET + rng.random(n) * (V_TH - V_RESET)) * b2.mV
    n_e = int(EXCITATORY * n)
    exc = b2.Synapses(group[:n_e], group, on_pre=f"ge += {W_E}*mV")
    inh = b2.Synapses(group[n_e:], group, on_pre=f"gi += {W_I}*mV")
    if minimal:
        exc.connect(p=P_CONNECT)
        inh.connect(p=P_CONNECT)
    else:
        from brainmodel import connectivity
        for syn, pre in ((exc, np.arange(n_e)), (inh, np.arange(n - n_e))):
            i, j = connectivity.bernoulli_pairs(pre, np.arange(n), P_CONNECT, rng)
            syn.connect(i=i.astype(np.int32), j=j.astype(np.int32))
    monitor = b2.SpikeMonitor(group)
    return b2.Network(group, exc, inh, monitor), monitor, (exc, inh)


def worker(kind, n, seed):
    """Run one simulator in this process; print a JSON line."""
    import numpy as np

    start = time.perf_counter()
    if kind == "nest":
        import nest
        nest.set_verbosity("M_ERROR")
        nest.ResetKernel()
        nest.SetKernelStatus({"resolution": DT_MS, "local_num_threads": 1, "rng_seed": seed + 1})
        params = {"C_m": C_M, "tau_m": TAU_M, "tau_syn_ex": TAU_E, "tau_syn_in": TAU_I,
                  "E_L": E_L, "V_th": V_TH, "V_reset": V_RESET, "t_ref": T_REF, "I_e": 0.0}
        cells = nest.Create("iaf_psc_exp", n, params=params)
        rng = np.random.default_rng(seed)
        cells.V_m = list(V_RESET + rng.random(n) * (V_TH - V_RESET))
        n_e = int(EXCITATORY * n)
        rule = {"rule": "pairwise_bernoulli", "p": P_CONNECT, "allow_autapses": False}
        nest.Connect(cells[:n_e], cells, rule, {"weight": W_E * C_M / TAU_M, "delay": DT_MS})
        nest.Connect(cells[n_e:], cells, rule, {"weight": W_I * C_M / TAU_M, "delay": DT_MS})
        recorder = nest.Create("spike_recorder")
        nest.Connect(cells, recorder)
        synapses = nest.GetKernelStatus("num_connections") - n
        construction = time.perf_counter() - start
        start = time.perf_counter()
        nest.Simulate(DURATION_MS)
        run = time.perf_counter() - start
        senders = np.asarray(recorder.events["senders"])
        compile_s = 0.0
    else:
        import brian2 as b2
        from brainmodel import devices
        build_dir = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
        run_device = devices.use_device("cpp_standalone", build_dir, 0)
        net, monitor, synapse_objects = _brian_network(n, kind == "brian2", seed, build_dir)
        construction = time.perf_counter() - start
        devices.run_network(run_device, net, DURATION_MS * b2.ms, progress=None)
        compile_s, run = run_device.timings["codegen_compile_s"], run_device.timings["run_s"]
        senders = np.asarray(monitor.i[:])
        synapses = int(sum(len(syn) for syn in synapse_objects))
        devices.release_device()
    # synaptic events = spikes x mean out-degree, the same estimate for every simulator (reading
    # 32 M connections back out of NEST costs more memory than the network itself)
    events = int(len(senders) * synapses / n)
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024.0
    print(json.dumps({"kind": kind, "n": n, "synapses": int(synapses),
                      "construction_s": construction, "compile_s": compile_s, "run_s": run,
                      "spikes": int(len(senders)), "events": events,
                      "rate_hz": len(senders) / n / (DURATION_MS / 1000.0),
                      "peak_mb": peak_mb}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="4000,40000")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.worker, args.n, args.seed)
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        for kind in ("brainmodel", "brian2", "nest"):
            out = subprocess.run([sys.executable, __file__, "--worker", kind, "--n", str(n),
                                  "--seed", str(args.seed)], capture_output=True, text=True)
            line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
            if out.returncode or not line:
                print(f"{kind} n={n} failed:\n{out.stderr[-800:]}")
                continue
            rows.append(json.loads(line[-1]))
    print(f"\n{'simulator':>11} {'neurons':>8} {'synapses':>10} {'rate Hz':>8} "
          f"{'construct s':>11} {'compile s':>9} {'run s':>7} {'peak MB':>8} {'B/syn':>6} "
          f"{'events/s':>10} {'vs NEST':>8} {'vs Brian2':>9}")
    for row in rows:
        same = {r["kind"]: r for r in rows if r["n"] == row["n"]}
        eps = row["events"] / row["run_s"]
        ratio = {k: eps / (same[k]["events"] / same[k]["run_s"]) if k in same else float("nan")
                 for k in ("nest", "brian2")}
        print(f"{row['kind']:>11} {row['n']:8d} {row['synapses']:10d} {row['rate_hz']:8.1f} "
              f"{row['construction_s']:11.1f} {row['compile_s']:9.1f} {row['run_s']:7.2f} "
              f"{row['peak_mb']:8.0f} {row['peak_mb'] * 2**20 / row['synapses']:6.0f} "
              f"{eps:10.2e} {ratio['nest']:8.2f} {ratio['brian2']:9.2f}")


if __name__ == "__main__":
    main()
