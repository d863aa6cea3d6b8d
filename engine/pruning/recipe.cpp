#include "engine/pruning/recipe.h"

#include "engine/core/atomic_file.h"
#include "engine/core/error.h"
#include "engine/core/fraction.h"
#include "engine/core/json_limits.h"
#include "engine/models/models.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace prunelab {
namespace {

using json = nlohmann::json;

/// Walks a recipe object, naming each field by its path in errors.
class Reader
{
public:
    Reader(const json& object, std::string label, std::string path)
        : m_object(object), m_label(std::move(label)), m_path(std::move(path))
    {
        if (!m_object.is_object())
            fail(where() + " must be an object");
    }

    /// Every key must be one of `known`.
    void only(std::initializer_list<const char*> known) const
    {
        for (const auto& item : m_object.items())
            if (std::none_of(known.begin(), known.end(),
                             [&](const char* k) { return item.key() == k; })) {
                std::string list;
                for (const char* k : known)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                fail("unknown field '" + field(item.key()) + "' (known here: " + list + ")");
            }
    }
    bool has(const char* key) const { return m_object.contains(key) && !m_object[key].is_null(); }
    Reader object(const char* key) const { return Reader(m_object.at(key), m_label, field(key)); }

    std::string text(const char* key, const std::string& fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_object[key].is_string())
            fail(field(key) + " must be a string");
        return m_object[key].get<std::string>();
    }
    double number(const char* key, double fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_object[key].is_number())
            fail(field(key) + " must be a number");
        const double value = m_object[key].get<double>();
        if (!std::isfinite(value))
            fail(field(key) + " must be a finite number");
        return value;
    }
    int64_t integer(const char* key, int64_t fallback, int64_t min) const
    {
        if (!has(key))
            return fallback;
        if (!m_object[key].is_number_integer())
            fail(field(key) + " must be a whole number");
        const int64_t value = m_object[key].get<int64_t>();
        if (value < min)
            fail(field(key) + " must be at least " + std::to_string(min));
        return value;
    }
    double rate(const char* key) const
    {
        if (has(key) && !m_object[key].is_number())
            fail(field(key) + " must be a number in [0, 1], not " + m_object[key].dump());
        const double value = number(key, 0.0);
        try {
            return check_fraction(value, field(key));
        } catch (const Error& e) {
            fail(e.what());
        }
        return value;
    }
    bool flag(const char* key, bool fallback) const
    {
        if (!has(key))
            return fallback;
        if (!m_object[key].is_boolean())
            fail(field(key) + " must be true or false");
        return m_object[key].get<bool>();
    }
    std::vector<std::string> strings(const char* key) const
    {
        std::vector<std::string> out;
        if (!has(key))
            return out;
        if (!m_object[key].is_array())
            fail(field(key) + " must be a list of strings");
        for (const auto& v : m_object[key]) {
            if (!v.is_string())
                fail(field(key) + " must be a list of strings");
            out.push_back(v.get<std::string>());
        }
        return out;
    }
    const json& raw() const { return m_object; }
    std::string field(const std::string& key) const
    {
        return m_path.empty() ? key : m_path + "." + key;
    }
    [[noreturn]] void fail(const std::string& message) const
    {
        throw Error(m_label + ": " + message);
    }

private:
    std::string where() const { return m_path.empty() ? "the recipe" : m_path; }

    const json& m_object;
    std::string m_label;
    std::string m_path;
};

template <typename T>
T parsed(const Reader& r, const std::string& what, const std::function<T()>& parse)
{
    try {
        return parse();
    } catch (const Error& e) {
        r.fail(what + ": " + e.what());
    }
}

} // namespace

json recipe_to_json(const Recipe& recipe)
{
    const auto& o = recipe.options;
    json allocation = json::object();
    if (o.allocation.global_rate()) {
        allocation["rate"] = *o.allocation.global_rate();
        allocation["global"] = true;
        allocation["normalizer"] =
            o.allocation.normalizer() ? to_string(*o.allocation.normalizer()) : "auto";
        if (o.allocation.max_layer_rate())
            allocation["max_layer_rate"] = *o.allocation.max_layer_rate();
        else
            allocation["max_layer_rate"] = "auto";
    } else if (o.allocation.default_rate()) {
        allocation["rate"] = *o.allocation.default_rate();
        allocation["global"] = false;
    }
    if (o.allocation.default_threshold())
        allocation["threshold"] = *o.allocation.default_threshold();
    json layers = json::object();
    for (const auto& [name, setting] : o.allocation.layers) {
        json entry = json::object();
        if (setting.rate)
            entry["rate"] = *setting.rate;
        if (setting.threshold)
            entry["threshold"] = *setting.threshold;
        layers[name] = entry;
    }
    if (!layers.empty())
        allocation["layers"] = layers;
    if (!o.allocation.excluded().empty())
        allocation["exclude"] = o.allocation.excluded();
    if (o.allocation.round_to())
        allocation["round_to"] = o.allocation.round_to();
    if (!o.allocation.keep_at_least_one())
        allocation["keep_at_least_one"] = false;
    if (o.allocation.per_row())
        allocation["per_row"] = true;
    if (o.allocation.pattern())
        allocation["pattern"] = to_string(*o.allocation.pattern());
    json out = {{"format", "prunelab-recipe"},
                {"format_version", kRecipeFormatVersion},
                {"model", recipe.model},
                {"data",
                 {{"spec", recipe.data},
                  {"train_limit", recipe.train_limit},
                  {"test_limit", recipe.test_limit},
                  {"validation_fraction", recipe.validation_fraction},
                  {"crop_ratio", recipe.crop_ratio},
                  {"augment", recipe.augment},
                  {"normalize", recipe.normalize}}},
                {"importance",
                 {{"criterion", o.importance.criterion()},
                  {"granularity", to_string(o.importance.granularity())},
                  {"calibration_batches", o.importance.calibration_batches()},
                  {"group_reduction", o.importance.group_reduction()},
                  {"seed", o.importance.seed()}}},
                {"allocation", allocation},
                {"schedule",
                 {{"kind", to_string(o.schedule)},
                  {"steps", o.steps},
                  {"finetune_epochs", o.finetune_epochs},
                  {"final_finetune_epochs", o.final_finetune_epochs}}},
                {"finetune",
                 {{"optimizer", o.finetune.optimizer()},
                  {"lr", o.finetune.lr()},
                  {"batch", o.finetune.batch()},
                  {"lr_schedule", o.finetune.lr_schedule()},
                  {"seed", o.finetune.seed()}}},
                {"exports", recipe.exports}};
    if (recipe.inputs.size() == 1)
        out["input_shape"] = recipe.inputs.front();
    else if (!recipe.inputs.empty())
        out["input_shape"] = input_shapes_text(recipe.inputs);
    if (recipe.distill) {
        const auto& d = *recipe.distill;
        out["distill"] = {{"teacher", d.teacher},
                          {"temperature", d.temperature},
                          {"alpha", d.alpha},
                          {"epochs", d.epochs},
                          {"optimizer", d.train.optimizer()},
                          {"lr", d.train.lr()},
                          {"batch", d.train.batch()},
                          {"lr_schedule", d.train.lr_schedule()},
                          {"seed", d.train.seed()}};
    }
    return out;
}

Recipe recipe_from_json(const json& document, const std::string& label)
{
    const Reader root(document, label, "");
    root.only({"format", "format_version", "model", "input_shape", "data", "importance",
               "allocation", "schedule", "finetune", "distill", "exports", "comment"});
    if (root.text("format", "") != "prunelab-recipe")
        root.fail("not a PruneLab recipe (\"format\" must be \"prunelab-recipe\")");
    const int64_t version = root.integer("format_version", 0, 1);
    if (version > kRecipeFormatVersion)
        root.fail("recipe format version " + std::to_string(version) +
                  " is newer than this PruneLab reads (" + std::to_string(kRecipeFormatVersion) +
                  ")");
    Recipe recipe;
    recipe.model = root.text("model", "");
    if (recipe.model.empty())
        root.fail("model is missing");
    if (root.has("input_shape")) {
        // [3, 32, 32], [[3, 16, 16], [8]] or the typed "3,16,16;8".
        const json& shape = root.raw().at("input_shape");
        auto sizes = [](const json& list) {
            std::string text;
            if (list.is_array())
                for (const auto& size : list)
                    text +=
                        (text.empty() ? "" : ",") + (size.is_number_integer() ? size.dump() : "?");
            return list.is_array() ? text : "?";
        };
        std::string text = shape.is_string() ? shape.get<std::string>() : "";
        if (shape.is_array() && !shape.empty() && shape.front().is_array())
            for (const auto& one : shape)
                text += (text.empty() ? "" : ";") + sizes(one);
        else if (shape.is_array())
            text = sizes(shape);
        try {
            recipe.inputs = parse_input_shapes(text, "input_shape");
        } catch (const Error& e) {
            root.fail(e.what());
        }
    }
    if (root.has("data")) {
        const Reader data = root.object("data");
        data.only({"spec", "train_limit", "test_limit", "validation_fraction", "crop_ratio",
                   "augment", "normalize"});
        recipe.data = data.text("spec", recipe.data);
        recipe.train_limit = data.integer("train_limit", 0, 0);
        recipe.test_limit = data.integer("test_limit", 0, 0);
        recipe.validation_fraction = data.number("validation_fraction", 0.0);
        check_fraction(recipe.validation_fraction, "data.validation_fraction",
                       FractionRange::BelowOne);
        recipe.crop_ratio = data.number("crop_ratio", 0.875);
        recipe.augment = data.flag("augment", true);
        recipe.normalize = data.text("normalize", "auto");
    }
    auto& o = recipe.options;
    if (root.has("importance")) {
        const Reader r = root.object("importance");
        r.only({"criterion", "granularity", "calibration_batches", "group_reduction", "seed"});
        const std::string criterion = r.text("criterion", "l1");
        const auto known = criterion_names();
        if (std::find(known.begin(), known.end(), criterion) == known.end())
            r.fail("importance.criterion '" + criterion + "' is unknown");
        o.importance.criterion(criterion)
            .granularity(parsed<Granularity>(
                r, "importance.granularity",
                [&] { return parse_granularity(r.text("granularity", "weight")); }))
            .calibration_batches(int(r.integer("calibration_batches", 32, 1)))
            .group_reduction(r.text("group_reduction", "mean"))
            .seed(uint64_t(r.integer("seed", 0, 0)));
        if (o.importance.group_reduction() != "mean" && o.importance.group_reduction() != "sum")
            r.fail("importance.group_reduction must be mean or sum");
    }
    if (!root.has("allocation"))
        root.fail("allocation is missing: say how much to prune");
    {
        const Reader r = root.object("allocation");
        r.only({"rate", "global", "threshold", "layers", "exclude", "round_to", "keep_at_least_one",
                "per_row", "pattern", "normalizer", "max_layer_rate"});
        if (version < 2) // written before the fair ranking: replay what it did then
            o.allocation.normalizer(ScoreNormalizer::None).max_layer_rate(1.0);
        if (r.has("normalizer") && r.text("normalizer", "") != "auto")
            o.allocation.normalizer(parsed<ScoreNormalizer>(r, "allocation.normalizer", [&] {
                return parse_score_normalizer(r.text("normalizer", ""));
            }));
        if (r.has("max_layer_rate") && !r.raw().at("max_layer_rate").is_string())
            o.allocation.max_layer_rate(r.rate("max_layer_rate"));
        else if (r.has("max_layer_rate") && r.text("max_layer_rate", "") != "auto")
            r.fail("allocation.max_layer_rate must be a rate in [0, 1] or \"auto\"");
        o.allocation.keep_at_least_one(r.flag("keep_at_least_one", true));
        o.allocation.per_row(r.flag("per_row", false));
        if (r.has("pattern"))
            o.allocation.pattern(parsed<NmPattern>(
                r, "allocation.pattern", [&] { return parse_nm_pattern(r.text("pattern", "")); }));
        const bool global = r.flag("global", false);
        if (r.has("rate")) {
            const double rate = r.rate("rate");
            if (global)
                o.allocation.global_rate(rate);
            else
                o.allocation.default_rate(rate);
        } else if (global) {
            r.fail("allocation.global needs allocation.rate");
        }
        if (r.has("threshold"))
            o.allocation.default_threshold(float(r.number("threshold", 0.0)));
        if (r.has("layers")) {
            const Reader layers = r.object("layers");
            for (const auto& item : layers.raw().items()) {
                const Reader layer(item.value(), label, layers.field(item.key()));
                layer.only({"rate", "threshold"});
                LayerSetting setting;
                if (layer.has("rate"))
                    setting.rate = layer.rate("rate");
                if (layer.has("threshold"))
                    setting.threshold = float(layer.number("threshold", 0.0));
                if (!setting.rate && !setting.threshold)
                    layer.fail(layers.field(item.key()) + " needs a rate or a threshold");
                o.allocation.layers[item.key()] = setting;
            }
        }
        const auto excluded = r.strings("exclude");
        o.allocation.excluded(std::set<std::string>(excluded.begin(), excluded.end()));
        const int64_t round_to = r.integer("round_to", 0, 0);
        if (round_to != 0 && round_to != 8 && round_to != 16)
            r.fail("allocation.round_to must be 0, 8 or 16");
        o.allocation.round_to(round_to);
        if (!o.allocation.global_rate() && !o.allocation.default_rate() &&
            !o.allocation.default_threshold() && o.allocation.layers.empty() &&
            !o.allocation.pattern())
            r.fail("allocation says nothing to prune: give rate, threshold or layers");
    }
    if (root.has("schedule")) {
        const Reader r = root.object("schedule");
        r.only({"kind", "steps", "finetune_epochs", "final_finetune_epochs"});
        o.schedule = parsed<Schedule>(r, "schedule.kind",
                                      [&] { return parse_schedule(r.text("kind", "oneshot")); });
        o.steps = int(r.integer("steps", o.schedule == Schedule::OneShot ? 1 : 5, 1));
        o.finetune_epochs = int(r.integer("finetune_epochs", 0, 0));
        o.final_finetune_epochs = int(r.integer("final_finetune_epochs", 0, 0));
    }
    if (root.has("finetune")) {
        const Reader r = root.object("finetune");
        r.only({"optimizer", "lr", "batch", "lr_schedule", "seed"});
        const std::string optimizer = r.text("optimizer", o.finetune.optimizer());
        if (optimizer != "adam" && optimizer != "sgd")
            r.fail("finetune.optimizer must be adam or sgd");
        const double lr = r.number("lr", o.finetune.lr());
        if (!(lr > 0.0))
            r.fail("finetune.lr must be positive");
        const std::string schedule = r.text("lr_schedule", o.finetune.lr_schedule());
        if (schedule != "constant" && schedule != "step" && schedule != "cosine")
            r.fail("finetune.lr_schedule must be constant, step or cosine");
        o.finetune.optimizer(optimizer)
            .lr(lr)
            .batch(r.integer("batch", o.finetune.batch(), 1))
            .lr_schedule(schedule)
            .seed(uint64_t(r.integer("seed", int64_t(o.finetune.seed()), 0)));
    }
    if (root.has("distill")) {
        const Reader r = root.object("distill");
        r.only({"teacher", "temperature", "alpha", "epochs", "optimizer", "lr", "batch",
                "lr_schedule", "seed"});
        RecipeDistill d;
        d.teacher = r.text("teacher", "");
        d.temperature = r.number("temperature", d.temperature);
        if (!(d.temperature > 0.0))
            r.fail("distill.temperature must be positive");
        d.alpha = r.rate("alpha");
        if (!r.has("alpha"))
            d.alpha = 0.9;
        d.epochs = int(r.integer("epochs", d.epochs, 1));
        const std::string optimizer = r.text("optimizer", d.train.optimizer());
        if (optimizer != "adam" && optimizer != "sgd")
            r.fail("distill.optimizer must be adam or sgd");
        const double lr = r.number("lr", d.train.lr());
        if (!(lr > 0.0))
            r.fail("distill.lr must be positive");
        const std::string schedule = r.text("lr_schedule", d.train.lr_schedule());
        if (schedule != "constant" && schedule != "step" && schedule != "cosine")
            r.fail("distill.lr_schedule must be constant, step or cosine");
        d.train.optimizer(optimizer)
            .lr(lr)
            .batch(r.integer("batch", d.train.batch(), 1))
            .lr_schedule(schedule)
            .seed(uint64_t(r.integer("seed", int64_t(d.train.seed()), 0)))
            .epochs(d.epochs);
        recipe.distill = d;
    }
    if (root.has("exports")) {
        const Reader r = root.object("exports");
        r.only({"checkpoint", "state_dict", "masks", "report"});
        for (const char* key : {"checkpoint", "state_dict", "masks", "report"})
            if (r.has(key))
                recipe.exports[key] = r.text(key, "");
    }
    return recipe;
}

Recipe load_recipe(const std::string& path)
{
    const std::vector<char> bytes = read_whole_file(path);
    json document;
    try {
        document = parse_json_limited(std::string_view(bytes.data(), bytes.size()), path);
    } catch (const json::exception& e) {
        throw Error(path + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    return recipe_from_json(document, path);
}

void save_recipe(const Recipe& recipe, const std::string& path)
{
    const std::string text = recipe_to_json(recipe).dump(2) + "\n";
    write_file_atomically(path, std::vector<char>(text.begin(), text.end()));
}

void check_recipe_layers(const Recipe& recipe, PrunableNet& net, const std::string& label)
{
    std::set<std::string> names;
    std::string list;
    for (const auto& layer : prunable_layers(net)) {
        names.insert(layer.name);
        list += (list.empty() ? "" : ", ") + layer.name;
    }
    auto check = [&](const std::string& name, const std::string& where) {
        if (!names.count(name))
            throw Error(label + ": " + where + " names layer '" + name + "', which " +
                        net.spec().name + " does not have (its layers: " + list + ")");
    };
    for (const auto& [name, setting] : recipe.options.allocation.layers)
        check(name, "allocation.layers");
    for (const auto& name : recipe.options.allocation.excluded())
        check(name, "allocation.exclude");
}

} // namespace prunelab
