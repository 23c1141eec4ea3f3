#include "tokenizer/tokenizer_json.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace r1 {
namespace {

using nlohmann::json;

json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open {}: the file is missing or unreadable", path.string());
  try {
    return json::parse(in);
  } catch (const json::parse_error& error) {
    fail("{} is not valid JSON: {}", path.string(), error.what());
  }
}

std::string type_of(const json& node) { return node.is_object() ? node.value("type", std::string()) : ""; }

void read_normalizer(const json& node, BpeTokenizerConfig& config, const std::filesystem::path& path) {
  if (node.is_null()) return;
  const std::string type = type_of(node);
  if (type == "NFC") {
    config.nfc = true;
  } else if (type == "Sequence") {
    for (const auto& child : node.at("normalizers")) read_normalizer(child, config, path);
  } else {
    fail("{}: normalizer type \"{}\" is not supported; supported are NFC and Sequence of NFC", path.string(), type);
  }
}

SplitPattern known_pattern(const std::string& regex, const std::filesystem::path& path) {
  const auto pattern = recognize_split_pattern(regex);
  if (!pattern) {
    fail("{}: pre-tokenizer regex {} is not supported; supported are the regexes of GPT-2, Llama 3 and Qwen2/Qwen3",
         path.string(), json(regex).dump());
  }
  return *pattern;
}

void read_pre_tokenizer(const json& node, BpeTokenizerConfig& config, bool& has_byte_level,
                        const std::filesystem::path& path) {
  const std::string type = type_of(node);
  if (has_byte_level) {
    fail("{}: pre-tokenizer \"{}\" follows ByteLevel; only ByteLevel as the last step is supported", path.string(), type);
  }
  if (type == "Sequence") {
    for (const auto& child : node.at("pretokenizers")) read_pre_tokenizer(child, config, has_byte_level, path);
  } else if (type == "Split") {
    const json& pattern = node.at("pattern");
    if (!pattern.contains("Regex")) fail("{}: Split pre-tokenizer without a Regex pattern is not supported", path.string());
    const std::string behavior = node.value("behavior", std::string());
    if (behavior != "Isolated" || node.value("invert", false)) {
      fail("{}: Split pre-tokenizer with behavior \"{}\" is not supported; expected \"Isolated\" without invert",
           path.string(), behavior);
    }
    config.splits.push_back(known_pattern(pattern.at("Regex").get<std::string>(), path));
  } else if (type == "ByteLevel") {
    has_byte_level = true;
    config.add_prefix_space = node.value("add_prefix_space", false);
    if (node.value("use_regex", true)) config.byte_level_regex = SplitPattern::kGpt2;
  } else {
    fail("{}: pre-tokenizer type \"{}\" is not supported; supported are ByteLevel, Split and Sequence", path.string(),
         type);
  }
}

void read_decoder(const json& node, const std::filesystem::path& path) {
  const std::string type = type_of(node);
  if (type == "ByteLevel") return;
  if (type == "Sequence") {
    for (const auto& child : node.at("decoders")) read_decoder(child, path);
    return;
  }
  fail("{}: decoder type \"{}\" is not supported; only ByteLevel is", path.string(), type);
}

void read_post_processor(const json& node, BpeTokenizerConfig& config, const std::filesystem::path& path) {
  if (node.is_null()) return;
  const std::string type = type_of(node);
  if (type == "ByteLevel") return;  // it only adjusts offsets
  if (type == "Sequence") {
    for (const auto& child : node.at("processors")) read_post_processor(child, config, path);
    return;
  }
  if (type != "TemplateProcessing") {
    fail("{}: post-processor type \"{}\" is not supported; supported are ByteLevel and TemplateProcessing",
         path.string(), type);
  }

  // The single-sequence template, such as [<|begin_of_text|>, $A]: special
  // tokens before $A become prefix tokens, the ones after become suffix tokens.
  const json& special_tokens = node.at("special_tokens");
  bool after_sequence = false;
  config.prefix_tokens.clear();
  config.suffix_tokens.clear();
  for (const auto& piece : node.at("single")) {
    if (piece.contains("Sequence")) {
      after_sequence = true;
      continue;
    }
    const std::string name = piece.at("SpecialToken").at("id").get<std::string>();
    if (!special_tokens.contains(name)) {
      fail("{}: the post-processor template uses {} but does not define it in special_tokens", path.string(), name);
    }
    for (const auto& token : special_tokens.at(name).at("tokens")) {
      (after_sequence ? config.suffix_tokens : config.prefix_tokens).push_back(token.get<std::string>());
    }
  }
}

void read_bpe_model(const json& model, BpeTokenizerConfig& config, const std::filesystem::path& path) {
  const std::string type = model.value("type", std::string("BPE"));
  if (type != "BPE") fail("{}: model type \"{}\" is not supported; only BPE is", path.string(), type);
  if (model.contains("dropout") && !model["dropout"].is_null() && model["dropout"].get<double>() > 0) {
    fail("{}: BPE dropout {} is not supported; set it to null", path.string(), model["dropout"].dump());
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (model.contains(key) && !model[key].is_null() && !model[key].get<std::string>().empty()) {
      fail("{}: BPE {} \"{}\" is not supported; byte-level BPE uses none", path.string(), key,
           model[key].get<std::string>());
    }
  }
  config.ignore_merges = model.value("ignore_merges", false);

  // Vocabulary and merges, the latter as "a b" strings or ["a", "b"] pairs.
  const json& vocab = model.at("vocab");
  config.vocab.reserve(vocab.size());
  for (const auto& [token, id] : vocab.items()) config.vocab.emplace(token, id.get<int64_t>());
  const json& merges = model.at("merges");
  config.merges.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const json& merge = merges[rank];
    if (merge.is_array() && merge.size() == 2) {
      config.merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
      continue;
    }
    const std::string line = merge.is_string() ? merge.get<std::string>() : "";
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos) {
      fail("{}: merge {} is {}; expected \"left right\" or [\"left\", \"right\"]", path.string(), rank, merge.dump());
    }
    config.merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
}

}  // namespace

BpeTokenizerConfig read_tokenizer_json(const std::filesystem::path& path) {
  const json root = read_json_file(path);
  if (!root.is_object() || !root.contains("model")) fail("{} has no \"model\"; it is not a tokenizer.json", path.string());
  BpeTokenizerConfig config;
  try {
    read_bpe_model(root.at("model"), config, path);
    read_normalizer(root.value("normalizer", json()), config, path);

    bool has_byte_level = false;
    const json pre_tokenizer = root.value("pre_tokenizer", json());
    if (!pre_tokenizer.is_null()) read_pre_tokenizer(pre_tokenizer, config, has_byte_level, path);
    if (!has_byte_level) {
      fail("{}: the pre-tokenizer has no ByteLevel step; only byte-level BPE tokenizers are supported", path.string());
    }
    const json decoder = root.value("decoder", json());
    if (!decoder.is_null()) read_decoder(decoder, path);
    read_post_processor(root.value("post_processor", json()), config, path);

    // Added tokens.
    for (const auto& node : root.value("added_tokens", json::array())) {
      AddedToken token;
      token.content = node.at("content").get<std::string>();
      token.id = node.at("id").get<int64_t>();
      token.special = node.value("special", false);
      token.lstrip = node.value("lstrip", false);
      token.rstrip = node.value("rstrip", false);
      token.single_word = node.value("single_word", false);
      token.normalized = node.value("normalized", !token.special);
      config.added_tokens.push_back(std::move(token));
    }
  } catch (const json::exception& error) {
    fail("{} has an unexpected structure: {}", path.string(), error.what());
  }
  return config;
}

BpeTokenizerConfig read_gpt2_vocab_and_merges(const std::filesystem::path& vocab_path,
                                              const std::filesystem::path& merges_path) {
  BpeTokenizerConfig config;
  const json vocab = read_json_file(vocab_path);
  if (!vocab.is_object()) fail("{} is not a JSON object of token to id", vocab_path.string());
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer()) fail("{}: token {} has id {}; ids must be integers", vocab_path.string(), json(token).dump(), id.dump());
    config.vocab.emplace(token, id.get<int64_t>());
  }

  // merges.txt: an optional "#version" line, then "left right" per line.
  std::ifstream in(merges_path, std::ios::binary);
  if (!in) fail("cannot open {}: the file is missing or unreadable", merges_path.string());
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_number == 1 && line.rfind("#version", 0) == 0)) continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size()) {
      fail("{}:{}: \"{}\" is not a merge; expected \"left right\"", merges_path.string(), line_number, line);
    }
    config.merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }

  config.byte_level_regex = SplitPattern::kGpt2;
  const std::string end_of_text = "<|endoftext|>";
  const auto it = config.vocab.find(end_of_text);
  if (it != config.vocab.end()) {
    AddedToken token;
    token.content = end_of_text;
    token.id = it->second;
    token.special = true;
    config.added_tokens.push_back(token);
    config.bos_token = end_of_text;
    config.eos_token = end_of_text;
  }
  return config;
}

namespace {

// A token in tokenizer_config.json: a string, an {"content": ...} object or null.
std::optional<std::string> config_token(const json& root, const char* key) {
  if (!root.contains(key) || root[key].is_null()) return std::nullopt;
  const json& value = root[key];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content")) return value["content"].get<std::string>();
  return std::nullopt;
}

}  // namespace

void apply_tokenizer_config(const std::filesystem::path& path, BpeTokenizerConfig& config) {
  const json root = read_json_file(path);
  if (!root.is_object()) fail("{} is not a JSON object", path.string());
  if (auto token = config_token(root, "bos_token")) config.bos_token = token;
  if (auto token = config_token(root, "eos_token")) config.eos_token = token;
  if (auto token = config_token(root, "pad_token")) config.pad_token = token;

  // add_bos_token and add_eos_token replace what the post-processor adds,
  // as transformers' Llama and Qwen2 tokenizers do.
  if (root.contains("add_bos_token") && root["add_bos_token"].is_boolean()) {
    config.prefix_tokens.clear();
    if (root["add_bos_token"].get<bool>()) {
      if (!config.bos_token) fail("{}: add_bos_token is true but no bos_token is set", path.string());
      config.prefix_tokens.push_back(*config.bos_token);
    }
  }
  if (root.contains("add_eos_token") && root["add_eos_token"].is_boolean()) {
    config.suffix_tokens.clear();
    if (root["add_eos_token"].get<bool>()) {
      if (!config.eos_token) fail("{}: add_eos_token is true but no eos_token is set", path.string());
      config.suffix_tokens.push_back(*config.eos_token);
    }
  }
}

}  // namespace r1
