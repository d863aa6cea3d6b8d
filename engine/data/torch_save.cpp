#include "engine/data/torch_save.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/zip_integrity.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/unpickler.h>

#include <cstring>
#include <filesystem>

namespace prunelab {
namespace {

// Pickle opcodes (protocol 2, what torch.save writes).
constexpr char kProto = '\x80';
constexpr char kBinPut = 'q';
constexpr char kLongBinPut = 'r';
constexpr char kMark = '(';
constexpr char kStop = '.';
struct Container
{
    char empty;   ///< EMPTY_DICT, EMPTY_LIST
    char one;     ///< SETITEM, APPEND: what LibTorch's unpickler does not know
    char several; ///< SETITEMS, APPENDS: the same after a MARK
};
constexpr Container kContainers[] = {{'}', 's', 'u'}, {']', 'a', 'e'}};

/// A top-level dict or list of one entry is pickled as EMPTY_DICT [BINPUT] key value SETITEM
/// STOP (EMPTY_LIST ... APPEND for a list); rewritten with a MARK before the entry and
/// SETITEMS (APPENDS) after it, which means the same.
void rewrite_single_entry(std::string& pickle)
{
    if (pickle.size() < 6 || pickle[0] != kProto || pickle.back() != kStop)
        return;
    for (const Container& c : kContainers) {
        if (pickle[2] != c.empty || pickle[pickle.size() - 2] != c.one)
            continue;
        size_t after = 3;
        if (pickle[after] == kBinPut)
            after += 2;
        else if (pickle[after] == kLongBinPut)
            after += 5;
        if (after >= pickle.size() - 2 || pickle[after] == kMark)
            return;
        pickle[pickle.size() - 2] = c.several;
        pickle.insert(after, 1, kMark);
        return;
    }
}

} // namespace

c10::IValue load_torch_save(const std::string& path)
{
    check_regular_file(path);
    verify_zip_file(path, "torch.save file");
    try {
        caffe2::serialize::PyTorchStreamReader archive(path);
        if (!archive.hasRecord("data.pkl"))
            throw Error("no data.pkl inside");
        const auto [data, size] = archive.getRecord("data.pkl");
        std::string pickle(static_cast<const char*>(data.get()), size);
        rewrite_single_entry(pickle);
        size_t position = 0;
        auto read = [&](char* buffer, size_t wanted) {
            const size_t count = std::min(wanted, pickle.size() - position);
            std::memcpy(buffer, pickle.data() + position, count);
            position += count;
            return count;
        };
        auto read_record = [&](const std::string& name) {
            return std::get<0>(archive.getRecord("data/" + name));
        };
        torch::jit::Unpickler unpickler(read, nullptr, nullptr, read_record, c10::nullopt);
        return unpickler.parse_ivalue();
    } catch (const std::exception& e) {
        throw Error(path + ": not a file saved with torch.save (" + readable_message(e) + ")");
    }
}

} // namespace prunelab
