// The session's answers about models and data it has not loaded yet: which built-ins exist,
// whether a model still needs training, and whether a data choice can feed it (split from
// session.cpp, which keeps editing and state).

#include "engine/session/session.h"

#include "engine/core/input_shapes.h"
#include "engine/interop/checkpoint_metadata.h"
#include "engine/models/model_factory.h"
#include "engine/models/model_info.h"
#include "engine/session/session_impl.h"

#include <map>

namespace prunelab {

std::string Session::data_problem(const DataChoice& choice) const
{
    const ModelSpec& spec = m_impl->checkpoint.net->spec();
    DataChoice probe = choice;
    probe.train_limit = 4; // enough to see shapes and labels, not to decode a whole data set
    probe.test_limit = 4;
    probe.validation_fraction = 0.0;
    std::shared_ptr<const DataSplits> splits;
    try {
        splits = load_splits(probe, spec);
    } catch (const std::exception& e) {
        return e.what();
    }
    const auto inputs = model_inputs(spec);
    if (inputs.size() != 1)
        return "the model takes " + std::to_string(inputs.size()) + " inputs (" +
               format_input_shapes(inputs) +
               "); data sets feed one: give it a tensors: file of example inputs";
    const auto sample = splits->test.sample_shape();
    if (sample != inputs.front())
        return choice.spec + " samples are " + format_input_shapes({sample}) +
               "; the model takes " + format_input_shapes(inputs);
    if (spec.num_classes > 0 && splits->test.labelled() &&
        splits->test.num_classes > spec.num_classes)
        return choice.spec + " has " + std::to_string(splits->test.num_classes) +
               " classes; the model has " + std::to_string(spec.num_classes) + " outputs";
    return {};
}

bool Session::data_is_a_stand_in() const
{
    return m_impl->data.spec == "synthetic" &&
           !prunelab::recorded_data(m_impl->checkpoint.metadata);
}

bool Session::needs_training() const
{
    return is_builtin_model(m_impl->source) && !m_impl->finetuned && m_impl->base_is_opened;
}

std::vector<BuiltinModel> Session::builtin_models()
{
    // Short enough for a list row; the numbers say what a 2-core machine can train.
    const std::map<std::string, std::string> descriptions = {
        {"convnet", "the seed ConvNet: two 5×5 convolutions, two Linear layers (21,840 "
                    "parameters)"},
        {"convnet-small", "the ConvNet at half width: a distillation student"},
        {"convnet-tiny", "the ConvNet at a quarter width"},
        {"lenet300", "LeNet-300-100: three Linear layers (the lottery-ticket MLP)"},
        {"lenet5", "LeNet-5: two convolutions, three Linear layers"},
        {"vgg-small", "VGG-style CNN for 32×32 colour images (CIFAR-10), 2.1M parameters"},
        {"resnet20", "ResNet-20 for CIFAR-10: residual groups couple their filters"},
        {"resnet18", "ResNet-18 for 224×224 ImageNet inputs, 11.7M parameters (slow on a CPU)"},
        {"vit-tiny", "a small vision transformer: 4 blocks of 4 attention heads on 4×4 patches"},
        {"lstm", "an LSTM reading an image's 28 rows as a sequence, 128 units"},
        {"gru", "a GRU reading an image's 28 rows as a sequence, 128 units"},
    };
    std::vector<BuiltinModel> models;
    models.push_back({"default",
                      "the seed ConvNet trained on Fashion-MNIST (90.7% test accuracy)",
                      {1, 28, 28},
                      10,
                      true});
    for (const auto& name : builtin_model_names()) {
        const ModelSpec spec = default_model_spec(name);
        const auto description = descriptions.find(name);
        models.push_back({name, description == descriptions.end() ? name : description->second,
                          spec.input_shape, spec.num_classes, false});
    }
    return models;
}

} // namespace prunelab
