// IDX (MNIST) files, plain or gzip, read whole and by records under a small memory cap.
#include "engine/core/error.h"
#include "engine/data/idx_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = prunelab::fuzz::scratch_file("sample-idx", data, size);
    prunelab::IdxReadOptions options;
    options.max_bytes = 64 << 20;
    try {
        prunelab::read_idx_file(path, options);
        options.records = std::vector<int64_t>{0, 2, 3};
        prunelab::read_idx_file(path, options);
    } catch (const prunelab::Error&) {
        // A clear refusal is the expected outcome for most inputs.
    }
    return 0;
}
