// A CIFAR-10 binary batch (the test split's file).
#include "engine/core/error.h"
#include "engine/data/cifar_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    prunelab::fuzz::scratch_file("test_batch.bin", data, size);
    try {
        prunelab::load_cifar10_split(prunelab::fuzz::scratch_directory(), false);
    } catch (const prunelab::Error&) {
    }
    return 0;
}
