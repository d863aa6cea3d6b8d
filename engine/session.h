#pragma once

// A LibTorch-free handle on an open model, for the app and anything else that should not
// compile the heavy headers. The engine's torch-facing API stays available underneath.

#include "engine/model_info.h"

#include <memory>
#include <optional>
#include <string>

namespace prunelab {

class Session
{
public:
    /// Opens a MODEL argument (`default`, a built-in name, or a checkpoint path).
    /// @throws prunelab::Error naming the model and the problem.
    static std::unique_ptr<Session> open(const std::string& model);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// The argument it was opened from.
    const std::string& source() const;
    /// Layers, parameters, sparsity and FLOPs of the model as it is now.
    ModelInfo info() const;
    /// The DATA spec recorded with the model, or "fashion-mnist".
    std::string data_spec() const;
    /// Test accuracy recorded in the checkpoint, if any.
    std::optional<double> recorded_accuracy() const;

private:
    Session();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace prunelab
