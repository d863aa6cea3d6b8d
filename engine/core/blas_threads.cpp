#include "engine/core/blas_threads.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <dlfcn.h>
#include <thread>

namespace prunelab {
namespace {

// Looked up at run time so PruneLab also runs against a BLAS other than OpenBLAS.
template <typename Fn>
Fn lookup(const char* name)
{
    return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

} // namespace

int blas_threads()
{
    static const auto get = lookup<int (*)()>("openblas_get_num_threads");
    return get ? get() : 0;
}

int core_count()
{
    return std::max(1, int(std::thread::hardware_concurrency()));
}

void use_all_cores()
{
    if (at::get_num_threads() != core_count())
        at::set_num_threads(core_count());
}

void set_blas_threads(int threads)
{
    static const auto set = lookup<void (*)(int)>("openblas_set_num_threads");
    if (set && threads > 0)
        set(threads);
}

} // namespace prunelab
