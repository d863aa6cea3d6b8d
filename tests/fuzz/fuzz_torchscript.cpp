// A TorchScript model file: the zip checks, LibTorch's loader behind them, the stored input
// shape and the graph analysis that finds prunable layers.
#include "engine/core/error.h"
#include "engine/interop/script_net.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = prunelab::fuzz::scratch_file("model.pt", data, size);
    try {
        prunelab::load_script_net(path, {}, {64});
    } catch (const prunelab::Error&) {
    }
    return 0;
}
