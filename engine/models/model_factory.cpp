#include "engine/models/model_factory.h"

#include "engine/core/error.h"
#include "engine/models/recurrent.h"
#include "engine/models/vit.h"

#include <ATen/Context.h>
#include <algorithm>

namespace prunelab {

std::vector<std::string> builtin_model_names()
{
    return {"convnet",  "convnet-small", "convnet-tiny", "lenet300", "lenet5", "vgg-small",
            "resnet20", "resnet18",      "vit-tiny",     "lstm",     "gru"};
}

bool is_builtin_model(const std::string& name)
{
    const auto names = builtin_model_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

ModelSpec default_model_spec(const std::string& name)
{
    if (name == "convnet" || name == "convnet-small" || name == "convnet-tiny" ||
        name == "lenet300" || name == "lenet5" || name == "vit-tiny" || name == "lstm" ||
        name == "gru")
        return {name, {1, 28, 28}, 10};
    if (name == "vgg-small" || name == "resnet20")
        return {name, {3, 32, 32}, 10};
    if (name == "resnet18")
        return {name, {3, 224, 224}, 1000};
    std::string known;
    for (const auto& n : builtin_model_names())
        known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown model '" + name + "' (built-in models: " + known +
                "; or give a checkpoint path)");
}

std::shared_ptr<PrunableNet> create_model(const ModelSpec& spec, uint64_t seed)
{
    default_model_spec(spec.name); // validates the name
    at::manual_seed(seed);
    if (spec.name == "convnet")
        return std::make_shared<ConvNet>(spec);
    if (spec.name == "convnet-small")
        return std::make_shared<ConvNet>(spec, 5, 10, 20);
    if (spec.name == "convnet-tiny")
        return std::make_shared<ConvNet>(spec, 3, 6, 16);
    if (spec.name == "lenet300")
        return std::make_shared<LeNet300>(spec);
    if (spec.name == "lenet5")
        return std::make_shared<LeNet5>(spec);
    if (spec.name == "vgg-small")
        return std::make_shared<VggSmall>(spec);
    if (spec.name == "vit-tiny")
        return std::make_shared<VitTiny>(spec);
    if (spec.name == "lstm")
        return std::make_shared<RecurrentNet>(spec, RecurrentLayer::Cell::Lstm);
    if (spec.name == "gru")
        return std::make_shared<RecurrentNet>(spec, RecurrentLayer::Cell::Gru);
    if (spec.name == "resnet20")
        return std::make_shared<ResNet>(spec, true, std::vector<int64_t>{3, 3, 3});
    return std::make_shared<ResNet>(spec, false, std::vector<int64_t>{2, 2, 2, 2});
}

} // namespace prunelab
