#pragma once

namespace prunelab {

/// Threads OpenBLAS uses, or 0 when the BLAS in use is not OpenBLAS.
int blas_threads();

/// Sets OpenBLAS's thread count (no-op for other BLAS libraries). OpenBLAS keeps its own pool,
/// apart from ATen's intra-op threads, and its idle threads spin on a core; single-threaded
/// shards must turn it down too.
void set_blas_threads(int threads);

/// The machine's cores (at least 1).
int core_count();

/// Lets ATen's intra-op kernels use every core (Debian's LibTorch starts with one thread).
/// Training still runs its shards single-threaded; this speeds up evaluation and scoring.
void use_all_cores();

} // namespace prunelab
