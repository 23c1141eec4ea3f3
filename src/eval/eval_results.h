// The files of an evaluation run besides samples.jsonl: run.json (what the
// samples depend on, checked before a run resumes), results.json (figures,
// options, prompt, counts) and results.md (a Markdown table), and the
// side-by-side comparison of two results.json files.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/eval_figures.h"

namespace r1 {

// The top-level keys whose values differ between two JSON objects (a key
// absent from one counts as null there), as "key: <label_a> X, <label_b> Y"
// lines. Empty when they match.
std::vector<std::string> json_key_differences(const nlohmann::json& a, const nlohmann::json& b,
                                              const std::string& label_a, const std::string& label_b);

// Figures and per-group figures as results.json stores them.
nlohmann::ordered_json figures_json(const EvalFigures& figures,
                                    const std::map<std::string, std::map<std::string, EvalFigures>>& groups);

// A Markdown table of results.json: the overall figures, then one table per
// group key.
std::string results_markdown(const nlohmann::ordered_json& results);

// Two results.json side by side: every figure of either, A, B and B - A,
// then the options that differ.
std::string compare_results(const nlohmann::ordered_json& a, const nlohmann::ordered_json& b, const std::string& label_a,
                            const std::string& label_b);

}  // namespace r1
