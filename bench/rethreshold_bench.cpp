// C++ side of bench/rethreshold.sh: loads the ResNet-18 weights Python saved, scores them
// once (l1), builds the Pruner (sorts once), then times re-thresholding as the GUI does it:
// a new rate for layer4.1.conv2, and a new global rate over all 11.7M weights.
// Usage: prunelab_bench_rethreshold WEIGHTS.pt RUNS
#include "engine/core/atomic_file.h"
#include "engine/models/model_factory.h"
#include "engine/pruning/allocation.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <torch/serialize.h>

#include <algorithm>
#include <chrono>
#include <iostream>

using namespace prunelab;
using Clock = std::chrono::steady_clock;

namespace {
double ms_since(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}
double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : (v[(v.size() - 1) / 2] + v[v.size() / 2]) / 2.0;
}
} // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::cerr << "usage: prunelab_bench_rethreshold WEIGHTS.pt RUNS\n";
        return 2;
    }
    const int runs = std::max(1, std::atoi(argv[2]));
    auto net = create_model(default_model_spec("resnet18"));
    {
        const auto state = torch::pickle_load(read_whole_file(argv[1])).toGenericDict();
        at::NoGradGuard no_grad;
        for (auto& item : net->named_parameters())
            item.value().copy_(state.at(item.key()).toTensor());
    }
    auto start = Clock::now();
    auto importance = compute_importance(*net, nullptr, ImportanceOptions());
    const double score_ms = ms_since(start);
    start = Clock::now();
    Pruner pruner(*net, std::move(importance));
    const double index_ms = ms_since(start);

    std::vector<double> single;
    std::vector<double> global;
    for (int i = 0; i < runs; ++i) {
        const double rate = 0.1 + 0.8 * i / std::max(1, runs - 1);
        AllocationOptions one;
        one.layers["layer4.1.conv2"].rate = rate;
        start = Clock::now();
        const auto a = pruner.allocate(one);
        single.push_back(ms_since(start));
        start = Clock::now();
        const auto b = pruner.allocate(AllocationOptions().global_rate(rate));
        global.push_back(ms_since(start));
        if (a.pruned_elements == 0 || b.pruned_elements == 0)
            return 1;
    }
    nlohmann::json out = {{"score_ms", score_ms},
                          {"index_ms", index_ms},
                          {"single_median_ms", median(single)},
                          {"global_median_ms", median(global)},
                          {"single_ms", single},
                          {"global_ms", global},
                          {"threads", at::get_num_threads()}};
    std::cout << out.dump() << std::endl;
    return 0;
}
