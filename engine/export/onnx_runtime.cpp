#include "engine/export/onnx_runtime.h"

#include "engine/core/error.h"
#include "engine/models/models.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace prunelab {
namespace embedded {
extern const unsigned char kOnnxRuntimeRunner[];
extern const std::size_t kOnnxRuntimeRunnerSize;
} // namespace embedded

namespace {

namespace fs = std::filesystem;

std::string quoted(const std::string& text)
{
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string node_binary()
{
    const char* node = std::getenv("PRUNELAB_NODE");
    return node && *node ? node : "node";
}

/// A private scratch folder, removed with its files when the run ends.
class ScratchFolder
{
public:
    ScratchFolder()
    {
        std::string pattern = (fs::temp_directory_path() / "prunelab-ort-XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            throw Error("ONNX Runtime: cannot create a scratch folder in " +
                        fs::temp_directory_path().string());
        m_path = pattern;
    }
    ~ScratchFolder()
    {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    fs::path file(const std::string& name) const { return m_path / name; }

private:
    fs::path m_path;
};

void write_binary(const fs::path& path, const void* data, size_t size)
{
    std::ofstream out(path, std::ios::binary);
    out.write(static_cast<const char*>(data), std::streamsize(size));
    if (!out.flush())
        throw Error("ONNX Runtime: cannot write " + path.string());
}

std::string read_text(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

std::optional<std::string> onnx_runtime_modules()
{
    std::vector<std::string> candidates;
    if (const char* dir = std::getenv("PRUNELAB_ONNXRUNTIME_DIR"); dir && *dir)
        candidates.push_back(dir);
    candidates.push_back(PRUNELAB_ONNXRUNTIME_MODULES);
    for (const auto& dir : candidates) {
        std::error_code error;
        if (fs::is_regular_file(fs::path(dir) / "onnxruntime-node" / "package.json", error))
            return dir;
    }
    return std::nullopt;
}

OnnxRuntimeResult run_onnx_runtime(const std::string& model_path,
                                   const std::vector<std::pair<std::string, at::Tensor>>& inputs,
                                   const OnnxRuntimeOptions& options)
{
    const auto modules = onnx_runtime_modules();
    if (!modules)
        throw Error("ONNX Runtime is not installed: run scripts/setup.sh (it installs "
                    "onnxruntime-node with npm into the build folder) or set "
                    "PRUNELAB_ONNXRUNTIME_DIR to a node_modules folder that has it");
    ScratchFolder scratch;
    write_binary(scratch.file("runner.js"), embedded::kOnnxRuntimeRunner,
                 embedded::kOnnxRuntimeRunnerSize);
    nlohmann::json request = {{"model", fs::absolute(model_path).string()},
                              {"runs", options.runs},
                              {"warmup", options.warmup},
                              {"threads", options.threads},
                              {"outputs", scratch.file("").string()},
                              {"inputs", nlohmann::json::array()}};
    for (size_t i = 0; i < inputs.size(); ++i) {
        const at::Tensor data = inputs[i].second.to(at::kFloat).contiguous();
        const fs::path file = scratch.file("input" + std::to_string(i) + ".bin");
        write_binary(file, data.data_ptr(), size_t(data.numel()) * sizeof(float));
        nlohmann::json input = {{"dims", data.sizes().vec()}, {"file", file.string()}};
        if (!inputs[i].first.empty())
            input["name"] = inputs[i].first;
        request["inputs"].push_back(input);
    }
    const std::string text = request.dump();
    write_binary(scratch.file("request.json"), text.data(), text.size());

    const std::string command = "NODE_PATH=" + quoted(*modules) + " " + quoted(node_binary()) +
                                " " + quoted(scratch.file("runner.js").string()) + " " +
                                quoted(scratch.file("request.json").string()) + " 2>" +
                                quoted(scratch.file("stderr.txt").string());
    std::string reply;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        char buffer[4096];
        size_t got = 0;
        while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0)
            reply.append(buffer, got);
        pclose(pipe);
    }
    nlohmann::json answer = nlohmann::json::parse(reply, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
        std::string why = read_text(scratch.file("stderr.txt"));
        throw Error("ONNX Runtime did not run " + model_path + " (is Node.js installed? " +
                    node_binary() + "): " + (why.empty() ? reply : why.substr(0, 2000)));
    }
    if (answer.contains("error"))
        throw Error("ONNX Runtime rejected " + model_path + ": " +
                    answer["error"].get<std::string>());
    OnnxRuntimeResult result;
    for (const auto& output : answer.at("outputs")) {
        const auto dims = output.at("dims").get<std::vector<int64_t>>();
        const std::string bytes = read_text(output.at("file").get<std::string>());
        at::Tensor tensor = at::empty(dims, at::kFloat);
        if (size_t(tensor.numel()) * sizeof(float) != bytes.size())
            throw Error("ONNX Runtime: output " + output.at("name").get<std::string>() +
                        " has the wrong number of values");
        std::memcpy(tensor.data_ptr(), bytes.data(), bytes.size());
        result.output_names.push_back(output.at("name").get<std::string>());
        result.outputs.push_back(tensor);
    }
    result.seconds = answer.at("seconds").get<std::vector<double>>();
    return result;
}

OnnxRuntimeCheck check_onnx_runtime(const PrunableNet& original, const std::string& onnx_bytes,
                                    int64_t batch)
{
    ScratchFolder scratch;
    const std::string model_path = scratch.file("model.onnx").string();
    write_binary(model_path, onnx_bytes.data(), onnx_bytes.size());
    std::shared_ptr<PrunableNet> net = original.clone();
    net->eval();
    at::NoGradGuard no_grad;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(23);
    InputShapes shapes = net->spec().inputs;
    if (shapes.empty())
        shapes = {net->spec().input_shape};
    std::vector<std::pair<std::string, at::Tensor>> inputs;
    std::vector<at::Tensor> packed; // how the model takes several inputs: side by side
    for (const auto& shape : shapes) {
        std::vector<int64_t> sizes = {batch};
        sizes.insert(sizes.end(), shape.begin(), shape.end());
        const at::Tensor input = at::randn(sizes, generator);
        inputs.emplace_back("", input);
        packed.push_back(input.reshape({batch, -1}));
    }
    const at::Tensor x = shapes.size() == 1 ? inputs[0].second : at::cat(packed, 1);
    const std::vector<at::Tensor> expected = net->forward_all(x);
    const OnnxRuntimeResult actual = run_onnx_runtime(model_path, inputs);

    OnnxRuntimeCheck check;
    check.batch = batch;
    check.outputs = actual.output_names;
    if (actual.outputs.size() != expected.size())
        throw Error("ONNX Runtime: the export has " + std::to_string(actual.outputs.size()) +
                    " outputs, the model " + std::to_string(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) {
        const at::Tensor want = expected[i].to(at::kFloat);
        if (want.sizes() != actual.outputs[i].sizes())
            throw Error("ONNX Runtime: the export's output " + actual.output_names[i] +
                        " has shape " + c10::str(actual.outputs[i].sizes()) + ", the model's " +
                        c10::str(want.sizes()));
        const double scale = std::max(want.abs().max().item<double>(), 1e-12);
        const double error = (actual.outputs[i] - want).abs().max().item<double>() / scale;
        check.max_relative_error = std::max(check.max_relative_error, error);
    }
    return check;
}

} // namespace prunelab
