"""C++ of the compact spike delivery (``brainmodel.simulation.delivery``, whose docstring
describes the structure): a %-template that ``delivery.tick_function`` fills in with the group's
array names, the receptor count, the time step and the weight grid. Kept apart from the Python
so that each module stays readable.
"""

TICK_CPP = """
%(background)s
namespace {
struct _BrainmodelDelivery {
    bool loaded = false;
    int64_t n_cells = 0, max_delay = 0;
    std::vector<int64_t> first_group;       // per source: its groups (n_cells + 1)
    std::vector<int64_t> group_start;       // per group: its synapses (n_groups + 1)
    std::vector<uint16_t> group_delay;
    std::vector<int32_t> target;            // per synapse
    std::vector<uint16_t> code;
    std::vector<double> weight;             // per weight index
    std::vector<int64_t> weight_offset;     // receptor * n_cells
    std::vector<int32_t> weight_receptor;
    std::vector<int32_t> weight_kind;       // per weight index: facilitating kind, or -1
    std::vector<double> kind_use, kind_tau; // per kind: U, tau_F (s)
    std::vector<int32_t> group_kind;        // per group
    std::vector<double> u;                  // kinds x cells: release probability after the
    std::vector<int64_t> last_spike;        //   last spike, and that spike's step (-1: none)
    std::vector<double> incoming;           // receptors x cells
    std::vector<std::vector<int32_t>> touched;   // per receptor: cells with input this step
    struct Entry { int64_t group; double factor; };   // factor u / U, 0 for static groups
    std::vector<std::vector<Entry>> slots;
    // calendar background
    std::vector<double> next;
    std::vector<uint64_t> state;
    std::vector<std::vector<int32_t>> calendar;
    const double* table = nullptr;          // inversion mode
    int parts = 1;
};
_BrainmodelDelivery _bm;

void _bm_fail(const char* what) {
    fprintf(stderr, "brainmodel delivery: %%s\\n", what);
    exit(1);
}

template <typename T> void _bm_read(FILE* f, T* data, size_t n) {
    if (n && fread(data, sizeof(T), n, f) != n) _bm_fail("edges.bin is truncated");
}

void _bm_load() {
    FILE* f = fopen("%(edges_file)s", "rb");
    if (!f) _bm_fail("cannot open %(edges_file)s in the project folder");
    int64_t header[4];
    _bm_read(f, header, 4);
    if (header[0] != %(magic)dLL || header[1] != %(n_cells)dLL)
        _bm_fail("edges.bin does not belong to this network");
    const int64_t n = header[1], n_tables = header[2], n_weights = header[3];
    if (n_weights > 65536) _bm_fail("more than 65536 weights");
    _bm.n_cells = n;
    _bm.weight.resize(n_weights);
    _bm_read(f, _bm.weight.data(), n_weights);
    std::vector<int32_t> receptor(n_weights);
    _bm_read(f, receptor.data(), n_weights);
    _bm.weight_offset.resize(n_weights);
    for (int64_t w = 0; w < n_weights; w++) _bm.weight_offset[w] = (int64_t)receptor[w] * n;
    _bm.weight_receptor = receptor;
    std::vector<double> use(n_weights), tau(n_weights);
    _bm_read(f, use.data(), n_weights);
    _bm_read(f, tau.data(), n_weights);
    _bm.weight_kind.assign(n_weights, -1);
    for (int64_t w = 0; w < n_weights; w++) {
        if (use[w] == 0.0) continue;
        size_t k = 0;           // the kind with this U and tau_F, new if none
        while (k < _bm.kind_use.size()
               && !(_bm.kind_use[k] == use[w] && _bm.kind_tau[k] == tau[w])) k++;
        if (k == _bm.kind_use.size()) {
            _bm.kind_use.push_back(use[w]);
            _bm.kind_tau.push_back(tau[w]);
        }
        _bm.weight_kind[w] = (int32_t)k;
    }
    if (_bm.kind_use.size() > 8)
        _bm_fail("more than 8 distinct facilitations (U, tau_F) in the edge tables: "
                 "give the region modules' pathways at most 8");
    _bm.u.assign(_bm.kind_use.size() * n, 0.0);
    _bm.last_spike.assign(_bm.kind_use.size() * n, -1);
    _bm.touched.resize(%(n_receptors)d);
    // pass 1: synapses per source
    const long data_start = ftell(f);
    std::vector<int64_t> count(n + 1, 0);
    const size_t chunk = 1 << 22;
    std::vector<int32_t> pre(chunk), post(chunk);
    std::vector<uint16_t> steps(chunk), codes(chunk);
    int64_t total = 0;
    for (int64_t t = 0; t < n_tables; t++) {
        int64_t info[2];
        _bm_read(f, info, 2);
        for (int64_t done = 0; done < info[0]; done += chunk) {
            const size_t m = (size_t)std::min<int64_t>(chunk, info[0] - done);
            _bm_read(f, pre.data(), m);
            for (size_t k = 0; k < m; k++) {
                if (pre[k] < 0 || pre[k] >= n) _bm_fail("a source id is out of range");
                count[pre[k] + 1]++;
            }
        }
        fseek(f, (long)(info[0] * (4 + 2 + 2)), SEEK_CUR);
        total += info[0];
    }
    for (int64_t c = 0; c < n; c++) count[c + 1] += count[c];
    // pass 2: place every synapse at its source
    std::vector<uint16_t> delay(total);
    _bm.target.resize(total);
    _bm.code.resize(total);
    std::vector<int64_t> position(count.begin(), count.end() - 1);
    fseek(f, data_start, SEEK_SET);
    for (int64_t t = 0; t < n_tables; t++) {
        int64_t info[2];
        _bm_read(f, info, 2);
        const long table_start = ftell(f);
        for (int64_t done = 0; done < info[0]; done += chunk) {
            const size_t m = (size_t)std::min<int64_t>(chunk, info[0] - done);
            fseek(f, table_start + (long)(done * 4), SEEK_SET);
            _bm_read(f, pre.data(), m);
            fseek(f, table_start + (long)(info[0] * 4 + done * 4), SEEK_SET);
            _bm_read(f, post.data(), m);
            fseek(f, table_start + (long)(info[0] * 8 + done * 2), SEEK_SET);
            _bm_read(f, steps.data(), m);
            fseek(f, table_start + (long)(info[0] * 10 + done * 2), SEEK_SET);
            _bm_read(f, codes.data(), m);
            for (size_t k = 0; k < m; k++) {
                if (post[k] < 0 || post[k] >= n) _bm_fail("a target id is out of range");
                const int64_t p = position[pre[k]]++;
                _bm.target[p] = post[k];
                delay[p] = steps[k];
                _bm.code[p] = (uint16_t)(codes[k] + info[1]);
                _bm.max_delay = std::max<int64_t>(_bm.max_delay, steps[k]);
            }
        }
        fseek(f, table_start + (long)(info[0] * 12), SEEK_SET);
    }
    fclose(f);
    // per source: sort by (delay, target), then one group per delay
    std::vector<uint64_t> key;
    _bm.first_group.assign(n + 1, 0);
    for (int64_t c = 0; c < n; c++) {
        const int64_t a = count[c], b = count[c + 1];
        key.resize(b - a);
        for (int64_t k = a; k < b; k++)
            key[k - a] = ((uint64_t)delay[k] << 48)
                | ((uint64_t)(uint32_t)_bm.target[k] << 16) | _bm.code[k];
        std::sort(key.begin(), key.end());
        for (int64_t k = a; k < b; k++) {
            const uint64_t x = key[k - a];
            delay[k] = (uint16_t)(x >> 48);
            _bm.target[k] = (int32_t)((x >> 16) & 0xFFFFFFFFULL);
            _bm.code[k] = (uint16_t)(x & 0xFFFF);
            // a group: one delay and one facilitating kind (or static)
            if (k == a || delay[k] != delay[k - 1]
                    || _bm.weight_kind[_bm.code[k]] != _bm.weight_kind[_bm.code[k - 1]]) {
                _bm.group_start.push_back(k);
                _bm.group_delay.push_back(delay[k]);
                _bm.group_kind.push_back(_bm.weight_kind[_bm.code[k]]);
            }
        }
        _bm.first_group[c + 1] = (int64_t)_bm.group_start.size();
    }
    _bm.group_start.push_back(total);
    _bm.group_start.shrink_to_fit();
    _bm.group_delay.shrink_to_fit();
    _bm.group_kind.shrink_to_fit();
    std::vector<uint16_t>().swap(delay);
    _bm.incoming.assign((size_t)%(n_receptors)d * n, 0.0);
    _bm.slots.resize(_bm.max_delay + 1);
    _bm.loaded = true;
}

const int64_t _bm_calendar_size = 4096;
void _bm_schedule(int32_t cell, double next) {
    _bm.calendar[(int64_t)std::floor(next) %% _bm_calendar_size].push_back(cell);
}
void _bm_background_start(double rate_dt, int64_t seed) {
    const int64_t n = _bm.n_cells;
    _bm.state.resize(n);
    if (!(rate_dt > 0.0)) return;
    for (int64_t c = 0; c < n; c++)      // the streams of _poisson_events (background.py)
        _bm.state[c] = _poisson_events_mix(_poisson_events_mix((uint64_t)seed) ^ (uint64_t)%(cell_id)s[c]);
    if (!%(event_background)d) {       // inversion: one table for every cell
        _bm.parts = (int)std::ceil(rate_dt / 50.0);
        _bm.table = _poisson_events_table(rate_dt / _bm.parts);
        return;
    }
    _bm.next.resize(n);
    _bm.calendar.assign(_bm_calendar_size, std::vector<int32_t>());
    for (int64_t c = 0; c < n; c++) {
        // the same first draw as _poisson_events
        _bm.next[c] = 0 - std::log1p(-_poisson_events_uniform(_bm.state[c])) / rate_dt;
        _bm_schedule((int32_t)c, _bm.next[c]);
    }
}
// the events of step `step`: g_ampa += w_background * count
void _bm_background_step(int64_t step, double rate_dt) {
    if (!(rate_dt > 0.0)) return;
    if (!%(event_background)d) {       // inversion: a count per cell and step
        double* g = %(g_background)s;
        const double* w = %(w_background)s;
        for (int64_t c = 0; c < _bm.n_cells; c++)
            g[c] += w[c] * _poisson_events_invert(_bm.table, _bm.parts, _bm.state[c]);
        return;
    }
    std::vector<int32_t> due;
    due.swap(_bm.calendar[step %% _bm_calendar_size]);
    double* g = %(g_background)s;
    const double* w = %(w_background)s;
    for (int32_t cell : due) {
        double& next = _bm.next[cell];
        if (next >= step + 1.0) { _bm_schedule(cell, next); continue; }   // a later lap
        int32_t count = 0;
        while (next < step + 1.0) {
            count++;
            next -= std::log1p(-_poisson_events_uniform(_bm.state[cell])) / rate_dt;
        }
        g[cell] += w[cell] * count;
        _bm_schedule(cell, next);
    }
    due.clear();
    if (_bm.calendar[step %% _bm_calendar_size].empty())
        _bm.calendar[step %% _bm_calendar_size].swap(due);   // keep the buffer
}
}

}  // leave Brian2's anonymous support-code namespace: the loader is called from main()
void brainmodel_load_edges(double background_rate_dt, int64_t background_seed) {
    _bm_load();
    _bm_background_start(background_rate_dt, background_seed);
}
namespace {

int32_t brainmodel_tick(int64_t step, double background_rate_dt, int64_t background_seed) {
    if (!_bm.loaded) _bm_fail("the edges were not loaded before the run");
    if (step == 0) return 0;
    const int64_t previous = step - 1, n = _bm.n_cells, n_slots = (int64_t)_bm.slots.size();
    // 1. the previous step's spikes: one group per delay into its slot
    const int32_t* spikes = %(spikespace)s;
    const int32_t n_spikes = spikes[n];
    const size_t n_kinds = _bm.kind_use.size();
    double factor[8];
    for (int32_t k = 0; k < n_spikes; k++) {
        const int32_t source = spikes[k];
        for (size_t kind = 0; kind < n_kinds; kind++)     // n_kinds <= 8 (checked at load)
            factor[kind] = -1.0;        // this spike's u / U per kind, updated at first use
        for (int64_t g = _bm.first_group[source]; g < _bm.first_group[source + 1]; g++) {
            const int32_t kind = _bm.group_kind[g];
            double x = 0.0;
            if (kind >= 0) {
                if (factor[kind] < 0.0) {
                    const int64_t s = (int64_t)kind * n + source;
                    double& u = _bm.u[s];
                    if (_bm.last_spike[s] >= 0)
                        u *= std::exp(((double)_bm.last_spike[s] * %(dt)s
                                       - (double)previous * %(dt)s) / _bm.kind_tau[kind]);
                    u += _bm.kind_use[kind] * (1.0 - u);
                    _bm.last_spike[s] = previous;
                    factor[kind] = u / _bm.kind_use[kind];
                }
                x = factor[kind];
            }
            _bm.slots[(previous + _bm.group_delay[g]) %% n_slots].push_back({g, x});
        }
    }
    // 2. the previous step's background events (before its synaptic input, as in Brian2)
    _bm_background_step(previous, background_rate_dt);
    // 3. the groups due at the previous step, into the accumulators
    std::vector<_BrainmodelDelivery::Entry>& due = _bm.slots[previous %% n_slots];
    double* incoming = _bm.incoming.data();
    const int32_t* target = _bm.target.data();
    const uint16_t* code = _bm.code.data();
    const double* weight = _bm.weight.data();
    const int64_t* offset = _bm.weight_offset.data();
    const int32_t* receptor = _bm.weight_receptor.data();
    const int64_t n_synapses = (int64_t)_bm.target.size();
    const size_t n_due = due.size();
    for (size_t d = 0; d < n_due; d++) {
        const int64_t g = due[d].group;
        const double x = due[d].factor;
        if (d + 4 < n_due) {            // the groups lie apart: fetch a later one's start
            const int64_t later = _bm.group_start[due[d + 4].group];
            __builtin_prefetch(target + later);
            __builtin_prefetch(code + later);
        }
        for (int64_t k = _bm.group_start[g]; k < _bm.group_start[g + 1]; k++) {
            if (k + 16 < n_synapses)    // the accumulators are scattered: fetch ahead
                __builtin_prefetch(incoming + offset[code[k + 16]] + target[k + 16], 1);
            const uint16_t c = code[k];
            double& y = incoming[offset[c] + target[k]];
            if (y == 0.0) _bm.touched[receptor[c]].push_back(target[k]);
            y += x == 0.0 ? weight[c]    // facilitating: weight x u / U on the weight grid
                          : std::floor(weight[c] * x * %(grid)s + 0.5) / %(grid)s;
        }
    }
    due.clear();
    // 4. the accumulators into the conductances (the cells without input would add 0)
    double* conductances[] = {%(conductances)s};
    for (int r = 0; r < %(n_receptors)d; r++) {
        double* g = conductances[r];
        double* in = incoming + (int64_t)r * n;
        for (int32_t c : _bm.touched[r]) {
            g[c] += in[c];
            in[c] = 0.0;
        }
        _bm.touched[r].clear();
    }
    return 0;
}
"""
