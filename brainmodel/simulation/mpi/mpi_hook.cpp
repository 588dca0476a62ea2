// Spike exchange between the MPI ranks of a partitioned brainmodel network (cpp_standalone).
//
// Compiled into every rank's binary (brainmodel/mpi_ranks.py adds it to the Brian2 project, with
// the per-rank header mpi_rank.h that names the rank's spike space and sizes). The tables come
// from binary files written next to the binary (mpi_tables/):
//   local_gid.i32    global id of each local cell (local index order)
//   dest_mask.u64    per local cell: bit r set if rank r holds cells it projects to
//   proxy_gid.i32    global ids of the remote cells that project here, sorted; proxy index order
// Every time step, after all Brian2 code objects (mpi_step_hook is added last to the network),
// the spikes of the step are queued for the ranks that need them as (global id, step) pairs.
// Every MPI_INTERVAL steps the ranks swap counts (MPI_Alltoall) and pairs (MPI_Alltoallv); a
// spike fired at step s makes its proxy fire at step s + MPI_INTERVAL, through a threshold that
// reads mpi_proxy_flag(i), and the proxy's synapses carry the delay minus the interval, so each
// spike arrives at the step it arrives at in the single-process run.
// Timings per rank (seconds in the exchange, bytes and spikes sent, peak memory) go to
// <results_dir>/mpi_timings.txt at the end.
// Fault injection for tests: BRAINMODEL_MPI_FAULT="<rank>:<step>" makes that rank kill itself
// (SIGKILL) at that step.
#include "objects.h"
#include "mpi_hook.h"
#include "mpi_rank.h"
#include <mpi.h>
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {
int my_rank = 0, n_ranks = 1;
long step = 0;                                   // the step that just finished
std::vector<int32_t> local_gid;
std::vector<uint64_t> dest_mask;
std::vector<int32_t> proxy_gid;
std::vector<std::vector<int32_t>> send_pairs;    // per destination rank: gid, step, gid, ...
std::vector<std::vector<int32_t>> deliveries;    // ring of MPI_INTERVAL buckets: proxy indices
std::vector<double> flags;
double exchange_s = 0.0, start_s = 0.0;
long long bytes_sent = 0, spikes_sent = 0;
long fault_step = -1;

template <typename T>
std::vector<T> read_table(const std::string& name) {
    std::ifstream in("mpi_tables/" + name, std::ios::binary | std::ios::ate);
    if (!in) {
        std::cerr << "brainmodel mpi rank " << my_rank << ": cannot read mpi_tables/" << name
                  << std::endl;
        MPI_Abort(MPI_COMM_WORLD, 3);
    }
    std::vector<T> out(in.tellg() / sizeof(T));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(out.data()), out.size() * sizeof(T));
    return out;
}

void exchange() {
    std::vector<int> send_count(n_ranks), recv_count(n_ranks), send_at(n_ranks), recv_at(n_ranks);
    std::vector<int32_t> flat;
    for (int r = 0; r < n_ranks; r++) {
        send_count[r] = (int)send_pairs[r].size();
        send_at[r] = (int)flat.size();
        flat.insert(flat.end(), send_pairs[r].begin(), send_pairs[r].end());
        send_pairs[r].clear();
    }
    bytes_sent += (long long)flat.size() * 4;
    spikes_sent += (long long)flat.size() / 2;
    const double t0 = MPI_Wtime();
    MPI_Alltoall(send_count.data(), 1, MPI_INT, recv_count.data(), 1, MPI_INT, MPI_COMM_WORLD);
    int total = 0;
    for (int r = 0; r < n_ranks; r++) { recv_at[r] = total; total += recv_count[r]; }
    std::vector<int32_t> received(total);
    MPI_Alltoallv(flat.data(), send_count.data(), send_at.data(), MPI_INT32_T, received.data(),
                  recv_count.data(), recv_at.data(), MPI_INT32_T, MPI_COMM_WORLD);
    exchange_s += MPI_Wtime() - t0;
    for (int k = 0; k + 1 < total; k += 2) {
        auto it = std::lower_bound(proxy_gid.begin(), proxy_gid.end(), received[k]);
        if (it == proxy_gid.end() || *it != received[k]) {
            std::cerr << "brainmodel mpi rank " << my_rank << ": received a spike of cell "
                      << received[k] << ", which has no proxy here" << std::endl;
            MPI_Abort(MPI_COMM_WORLD, 4);
        }
        const long deliver = (long)received[k + 1] + MPI_INTERVAL;
        deliveries[deliver % MPI_INTERVAL].push_back((int32_t)(it - proxy_gid.begin()));
    }
}
}  // namespace

double mpi_proxy_flag(int i) { return flags[i]; }

void mpi_init_hook(int* argc, char*** argv) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &n_ranks);
    if (n_ranks != MPI_N_RANKS || my_rank != MPI_THIS_RANK) {
        std::cerr << "brainmodel mpi: binary of rank " << MPI_THIS_RANK << " of " << MPI_N_RANKS
                  << " started as rank " << my_rank << " of " << n_ranks << std::endl;
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    local_gid = read_table<int32_t>("local_gid.i32");
    dest_mask = read_table<uint64_t>("dest_mask.u64");
    proxy_gid = read_table<int32_t>("proxy_gid.i32");
    if ((long)local_gid.size() != MPI_N_LOCAL || dest_mask.size() != local_gid.size()) {
        std::cerr << "brainmodel mpi rank " << my_rank << ": tables do not match the build"
                  << std::endl;
        MPI_Abort(MPI_COMM_WORLD, 3);
    }
    send_pairs.resize(n_ranks);
    deliveries.resize(MPI_INTERVAL);
    flags.assign(proxy_gid.size() + 1, 0.0);
    if (const char* fault = std::getenv("BRAINMODEL_MPI_FAULT")) {
        int rank = -1;
        long at = -1;
        if (std::sscanf(fault, "%d:%ld", &rank, &at) == 2 && rank == my_rank) fault_step = at;
    }
    start_s = MPI_Wtime();
}

void mpi_step_hook() {
    if (step == fault_step) std::raise(SIGKILL);
    const int32_t* spikes = MPI_SPIKESPACE;
    const int32_t n_spikes = spikes[MPI_N_LOCAL];
    for (int32_t k = 0; k < n_spikes; k++) {
        const int32_t cell = spikes[k];
        uint64_t mask = dest_mask[cell];
        while (mask) {
            const int r = __builtin_ctzll(mask);
            mask &= mask - 1;
            send_pairs[r].push_back(local_gid[cell]);
            send_pairs[r].push_back((int32_t)step);
        }
    }
    if ((step + 1) % MPI_INTERVAL == 0) exchange();
    // proxies that fire in the next step
    std::fill(flags.begin(), flags.end(), 0.0);
    auto& due = deliveries[(step + 1) % MPI_INTERVAL];
    for (int32_t p : due) flags[p] = 1.0;
    due.clear();
    if (my_rank == 0 && MPI_N_STEPS >= 10 && (step + 1) % (MPI_N_STEPS / 10) == 0) {
        std::cout << "[brainmodel] mpi: " << (100 * (step + 1)) / MPI_N_STEPS << "% ("
                  << (step + 1) << " of " << MPI_N_STEPS << " steps), rank 0 spent "
                  << exchange_s << " s of " << (MPI_Wtime() - start_s) << " s in exchanges"
                  << std::endl;
    }
    step++;
}

void mpi_finalize_hook() {
    const double total_s = MPI_Wtime() - start_s;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    std::ofstream out(brian::results_dir + "mpi_timings.txt");
    out << "rank " << my_rank << "\nsteps " << step << "\ninterval_steps " << MPI_INTERVAL
        << "\nexchange_s " << exchange_s << "\nrun_s " << total_s << "\nbytes_sent "
        << bytes_sent << "\nspikes_sent " << spikes_sent << "\npeak_memory_kb "
        << usage.ru_maxrss << "\n";
    out.close();
    MPI_Finalize();
}
