// A PruneLab checkpoint from bytes: zip structure and CRCs, the pickle, the JSON inside, the
// SHA-256 seal, the model description and the masks.
#include "engine/core/error.h"
#include "engine/interop/checkpoint.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::vector<char> bytes(reinterpret_cast<const char*>(data),
                                  reinterpret_cast<const char*>(data) + size);
    try {
        prunelab::load_checkpoint_bytes(bytes, "fuzz.pt");
    } catch (const prunelab::Error&) {
    }
    return 0;
}
