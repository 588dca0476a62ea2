"""A minimal hand-written Brian2 standalone script: the same neurons, synapses and background as
brainmodel's network, read from an .npz, with nothing of brainmodel. Prints its run time (JSON)."""
import json
import sys
import time

import brian2 as b2
import numpy as np

arrays = np.load(sys.argv[1], allow_pickle=True)
build_dir = sys.argv[2]
b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
b2.prefs.devices.cpp_standalone.openmp_threads = 0
b2.seed(int(arrays["seed"]))
mV, ms = b2.mV, b2.ms
E_ampa, E_gaba, tau_ampa, tau_gaba = 0 * mV, -70 * mV, 5 * ms, 6 * ms
eqs = """
dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + g_ampa*(E_ampa - v) + g_gaba*(E_gaba - v) + I_stim + bias)/ms : volt
du/dt = a*(b*v - u)/ms : volt
dg_ampa/dt = -g_ampa/tau_ampa : 1
dg_gaba/dt = -g_gaba/tau_gaba : 1
I_stim = stim_amp*mask*int(t >= onset) : volt
a : 1 (constant)
b : 1 (constant)
c : volt (constant)
d : volt (constant)
w_bg : 1 (constant)
mask : 1 (constant)
bias : volt (constant)
"""
stim_amp, onset = float(arrays["amplitude_mv"]) * b2.mV, float(arrays["onset_ms"]) * b2.ms
G = b2.NeuronGroup(len(arrays["a"]), eqs, threshold="v >= 30*mV", reset="v = c; u += d",
                   method="euler")
G.a, G.b = arrays["a"], arrays["b"]
G.c, G.d = arrays["c"] * b2.mV, arrays["d"] * b2.mV
G.w_bg, G.mask = arrays["w_background"], arrays["mask"]
G.v, G.u = arrays["v"] * b2.mV, arrays["u"] * b2.mV
G.bias = arrays["bias"] * b2.mV
objects = [G]
for receptor, target in (("ampa", "g_ampa"), ("gaba", "g_gaba")):
    S = b2.Synapses(G, G, "w : 1", on_pre=f"{target}_post += w")
    S.connect(i=arrays[f"{receptor}_pre"], j=arrays[f"{receptor}_post"])
    S.w = arrays[f"{receptor}_w"]
    S.delay = arrays[f"{receptor}_delay"] * b2.ms
    objects.append(S)
objects.append(b2.PoissonInput(G, "g_ampa", int(arrays["bg_sources"]), 8 * b2.Hz, weight="w_bg"))
M = b2.SpikeMonitor(G)
net = b2.Network(*objects, M)
net.run(float(arrays["duration_ms"]) * b2.ms)
start = time.perf_counter()
b2.device.build(directory=build_dir, compile=True, run=False, with_output=False)
compile_s = time.perf_counter() - start
start = time.perf_counter()
b2.device.run(directory=build_dir, with_output=False)
run_s = time.perf_counter() - start
print(json.dumps({"compile_s": compile_s, "run_s": run_s, "n_spikes": int(M.num_spikes)}))
