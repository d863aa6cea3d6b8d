// A saved workbench session (NAME.state.pt beside NAME.pt): the state archive is fuzzed beside
// a valid checkpoint written once. With PRUNELAB_FUZZ_SEED_DIR set, a valid state (a convnet
// session pruned to 50%) is written there first as the seed.
#include "engine/core/error.h"
#include "engine/session/session.h"
#include "fuzz_support.h"

#include <cstdlib>

namespace {

std::string checkpoint_path()
{
    const std::string path = prunelab::fuzz::scratch_directory() + "/project.pt";
    auto session = prunelab::Session::open("convnet");
    session->set_data({"synthetic", 64, 32, 0.0});
    session->score("l1", "weight");
    session->set_global_rate(0.5);
    if (const char* seeds = std::getenv("PRUNELAB_FUZZ_SEED_DIR"); seeds && *seeds)
        session->save(path, std::string(seeds) + "/convnet.state.pt");
    else
        session->save(path, prunelab::fuzz::scratch_directory() + "/unused.state.pt");
    return path;
}

std::string g_checkpoint;

} // namespace

// Before libFuzzer reads the corpus, so a seed written here is read with it.
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    g_checkpoint = checkpoint_path();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string& checkpoint = g_checkpoint;
    const std::string state = prunelab::fuzz::scratch_file("project.state.pt", data, size);
    try {
        prunelab::Session::open_saved(checkpoint, state);
    } catch (const prunelab::Error&) {
    }
    return 0;
}
