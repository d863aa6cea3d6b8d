#include "engine/session.h"

#include "engine/model_loader.h"

namespace prunelab {

struct Session::Impl
{
    std::string source;
    Checkpoint checkpoint;
};

Session::Session() : m_impl(std::make_unique<Impl>()) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::open(const std::string& model)
{
    std::unique_ptr<Session> session(new Session());
    session->m_impl->source = model;
    session->m_impl->checkpoint = load_model(model);
    return session;
}

const std::string& Session::source() const { return m_impl->source; }

ModelInfo Session::info() const { return describe_model(*m_impl->checkpoint.net); }

std::string Session::data_spec() const
{
    const auto& metadata = m_impl->checkpoint.metadata;
    if (metadata.contains("data") && metadata["data"].is_string())
        return metadata["data"].get<std::string>();
    return "fashion-mnist";
}

std::optional<double> Session::recorded_accuracy() const
{
    const auto& metadata = m_impl->checkpoint.metadata;
    if (metadata.contains("test_accuracy") && metadata["test_accuracy"].is_number())
        return metadata["test_accuracy"].get<double>();
    return std::nullopt;
}

} // namespace prunelab
