#include "eval/eval_results.h"

#include <optional>
#include <set>

#include <fmt/format.h>

namespace r1 {

std::vector<std::string> json_key_differences(const nlohmann::json& a, const nlohmann::json& b,
                                              const std::string& label_a, const std::string& label_b) {
  std::vector<std::string> differences;
  std::set<std::string> keys;
  for (const auto& item : a.items()) keys.insert(item.key());
  for (const auto& item : b.items()) keys.insert(item.key());
  for (const std::string& key : keys) {
    const nlohmann::json value_a = a.contains(key) ? a.at(key) : nlohmann::json();
    const nlohmann::json value_b = b.contains(key) ? b.at(key) : nlohmann::json();
    if (value_a != value_b)
      differences.push_back(fmt::format("{}: {} {}, {} {}", key, label_a, value_a.dump(), label_b, value_b.dump()));
  }
  return differences;
}

nlohmann::ordered_json figures_json(const EvalFigures& figures,
                                    const std::map<std::string, std::map<std::string, EvalFigures>>& groups) {
  nlohmann::ordered_json json = to_json(figures);
  nlohmann::ordered_json by_group = nlohmann::ordered_json::object();
  for (const auto& [key, values] : groups)
    for (const auto& [value, group_figures] : values) by_group[key][value] = to_json(group_figures);
  json["groups"] = by_group;
  return json;
}

namespace {

// "0.412 ± 0.031" for an estimate object, the number for a plain one.
std::string cell(const nlohmann::ordered_json& value) {
  if (value.is_object() && value.contains("value"))
    return fmt::format("{:.3f} ± {:.3f}", value.at("value").get<double>(), value.at("stderr").get<double>());
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) return fmt::format("{:.3f}", value.get<double>());
  if (value.is_null()) return "-";
  return value.dump();
}

// The figure names of a figures object, in its order, without "groups".
std::vector<std::string> figure_names(const nlohmann::ordered_json& figures) {
  std::vector<std::string> names;
  for (const auto& item : figures.items())
    if (item.key() != "groups") names.push_back(item.key());
  return names;
}

}  // namespace

std::string results_markdown(const nlohmann::ordered_json& results) {
  const nlohmann::ordered_json& figures = results.at("figures");
  std::string text = fmt::format("# {} on {}\n\n", results.value("benchmark", std::string("eval")),
                                 results.value("data", std::string()));
  text += fmt::format("Model `{}`, k = {} at temperature {} and top-p {}, {} new tokens at most; figures are "
                      "means over problems ± their standard error.\n\n",
                      results.value("model", std::string()), figures.value("k", 0),
                      results.at("options").value("temperature", 0.0), results.at("options").value("top_p", 0.0),
                      results.at("options").value("max_new_tokens", 0));

  text += "| figure | value |\n|---|---|\n";
  for (const std::string& name : figure_names(figures)) text += fmt::format("| {} | {} |\n", name, cell(figures.at(name)));

  // One table per group key: rows are group values, columns the main figures.
  if (figures.contains("groups")) {
    for (const auto& [key, values] : figures.at("groups").items()) {
      const std::string cons = "cons@" + std::to_string(figures.value("k", 0));
      text += fmt::format("\n## By {}\n\n| {} | problems | pass@1 | {} | greedy | mean length |\n|---|---|---|---|---|---|\n",
                          key, key, cons);
      for (const auto& [value, group] : values.items()) {
        text += fmt::format("| {} | {} | {} | {} | {} | {} |\n", value, cell(group.at("problems")),
                            cell(group.at("pass@1")), cell(group.contains(cons) ? group.at(cons) : nlohmann::ordered_json()),
                            cell(group.at("greedy")), cell(group.at("mean_length")));
      }
    }
  }
  return text;
}

std::string compare_results(const nlohmann::ordered_json& a, const nlohmann::ordered_json& b, const std::string& label_a,
                            const std::string& label_b) {
  const nlohmann::ordered_json& fa = a.at("figures");
  const nlohmann::ordered_json& fb = b.at("figures");
  std::vector<std::string> names = figure_names(fa);
  for (const std::string& name : figure_names(fb))
    if (!fa.contains(name)) names.push_back(name);

  auto number = [](const nlohmann::ordered_json& figures, const std::string& name) -> std::optional<double> {
    if (!figures.contains(name)) return std::nullopt;
    const nlohmann::ordered_json& value = figures.at(name);
    if (value.is_object() && value.contains("value")) return value.at("value").get<double>();
    if (value.is_number()) return value.get<double>();
    return std::nullopt;
  };

  std::string text = fmt::format("A: {}\nB: {}\n\n{:<18} {:>20} {:>20} {:>10}\n", label_a, label_b, "figure", "A", "B",
                                 "B - A");
  for (const std::string& name : names) {
    std::optional<double> va = number(fa, name), vb = number(fb, name);
    std::string difference = va && vb ? fmt::format("{:+.3f}", *vb - *va) : "-";
    text += fmt::format("{:<18} {:>20} {:>20} {:>10}\n", name, fa.contains(name) ? cell(fa.at(name)) : "-",
                        fb.contains(name) ? cell(fb.at(name)) : "-", difference);
  }

  // Settings that differ, so a reader sees whether the runs are comparable.
  std::vector<std::string> settings;
  for (const char* key : {"model", "data", "benchmark", "options", "prompt"}) {
    const nlohmann::json va = a.contains(key) ? nlohmann::json(a.at(key)) : nlohmann::json();
    const nlohmann::json vb = b.contains(key) ? nlohmann::json(b.at(key)) : nlohmann::json();
    if (va.is_object() && vb.is_object()) {
      for (const std::string& line : json_key_differences(va, vb, "A", "B"))
        settings.push_back(std::string(key) + "." + line);
    } else if (va != vb) {
      settings.push_back(fmt::format("{}: A {}, B {}", key, va.dump(), vb.dump()));
    }
  }
  text += settings.empty() ? "\nsettings: identical\n" : "\nsettings that differ:\n";
  for (const std::string& line : settings) text += "  " + line + "\n";
  return text;
}

}  // namespace r1
