#include "formats/gguf_vocab.h"

#include <fstream>
#include <map>

#include "util/error.h"

namespace fs = std::filesystem;

namespace r1::gguf {

namespace {

nlohmann::json read_json_file(const fs::path& path) {
  std::ifstream stream(path);
  if (!stream) fail("cannot open '{}'; check the path", path.string());
  try {
    return nlohmann::json::parse(stream);
  } catch (const nlohmann::json::exception& e) {
    fail("'{}' is not valid JSON ({})", path.string(), e.what());
  }
}

// tokenizer_config.json writes a special token as a string or as an object
// with a "content" field (AddedToken); null means none.
std::optional<std::string> special_token_text(const nlohmann::json& config, const char* key) {
  if (!config.contains(key) || config[key].is_null()) return std::nullopt;
  if (config[key].is_string()) return config[key].get<std::string>();
  if (config[key].is_object() && config[key].contains("content")) return config[key]["content"].get<std::string>();
  return std::nullopt;
}

}  // namespace

std::string detect_pre_tokenizer(const nlohmann::json& tokenizer_json) {
  const nlohmann::json pre = tokenizer_json.value("pre_tokenizer", nlohmann::json());
  std::string dump = pre.dump();
  if (dump.find(R"(\\p{N}{1,3})") != std::string::npos) return "llama-bpe";
  if (dump.find(R"(\\p{N}|)") != std::string::npos) return "qwen2";
  if (pre.is_object() && pre.value("type", std::string()) == "ByteLevel" && pre.value("use_regex", true))
    return "gpt-2";
  return "default";
}

GgufVocab read_hf_vocab(const fs::path& folder, int64_t vocab_size, const ConfigTokenIds& config_ids,
                        const std::string& pre) {
  const fs::path tokenizer_path = folder / "tokenizer.json";
  if (!fs::exists(tokenizer_path))
    fail("'{}' not found; GGUF export needs the model's tokenizer.json (pass the folder that contains it)",
         tokenizer_path.string());
  nlohmann::json tokenizer = read_json_file(tokenizer_path);
  nlohmann::json config = nlohmann::json::object();
  if (fs::exists(folder / "tokenizer_config.json")) config = read_json_file(folder / "tokenizer_config.json");

  const nlohmann::json model = tokenizer.value("model", nlohmann::json::object());
  if (model.value("type", std::string()) != "BPE")
    fail("'{}': tokenizer model type '{}' is not supported for GGUF export; only byte-level BPE is",
         tokenizer_path.string(), model.value("type", std::string("?")));

  // id -> token text, from the BPE vocabulary and the added tokens
  std::map<int64_t, std::string> by_id;
  std::map<int64_t, bool> added_special;  // id -> "special" flag of an added token
  const nlohmann::json bpe_vocab = model.value("vocab", nlohmann::json::object());
  const nlohmann::json added_tokens = tokenizer.value("added_tokens", nlohmann::json::array());
  for (auto& [text, id] : bpe_vocab.items()) by_id[id.get<int64_t>()] = text;
  for (const auto& added : added_tokens) {
    int64_t id = added.at("id").get<int64_t>();
    by_id[id] = added.at("content").get<std::string>();
    added_special[id] = added.value("special", false);
  }
  if (!by_id.empty() && by_id.rbegin()->first >= vocab_size)
    fail("'{}': token id {} ('{}') is outside the model's vocab_size {}; the tokenizer does not belong to this model",
         tokenizer_path.string(), by_id.rbegin()->first, by_id.rbegin()->second, vocab_size);

  // one entry per embedding row
  GgufVocab vocab;
  std::map<std::string, int64_t> id_of;
  for (int64_t id = 0; id < vocab_size; ++id) {
    auto found = by_id.find(id);
    if (found == by_id.end()) {
      vocab.tokens.push_back("[PAD" + std::to_string(id) + "]");
      vocab.token_types.push_back(kUnused);
      continue;
    }
    vocab.tokens.push_back(found->second);
    id_of[found->second] = id;
    auto added = added_special.find(id);
    if (added == added_special.end())
      vocab.token_types.push_back(kNormal);
    else
      vocab.token_types.push_back(added->second ? kControl : kUserDefined);
  }

  // merges: "a b" strings, or [a, b] pairs in newer tokenizer.json files
  const nlohmann::json merges = model.value("merges", nlohmann::json::array());
  for (const auto& merge : merges) {
    if (merge.is_string())
      vocab.merges.push_back(merge.get<std::string>());
    else if (merge.is_array() && merge.size() == 2)
      vocab.merges.push_back(merge[0].get<std::string>() + " " + merge[1].get<std::string>());
    else
      fail("'{}': merge {} is neither a string nor a pair", tokenizer_path.string(), merge.dump());
  }

  // special tokens: tokenizer_config.json first, then config.json's ids
  auto resolve = [&](const char* key, std::optional<int64_t> fallback) -> std::optional<uint32_t> {
    if (auto text = special_token_text(config, key)) {
      auto found = id_of.find(*text);
      if (found == id_of.end())
        fail("'{}': {} '{}' is not in the vocabulary of '{}'", (folder / "tokenizer_config.json").string(), key,
             *text, tokenizer_path.string());
      return static_cast<uint32_t>(found->second);
    }
    if (fallback && *fallback >= 0 && *fallback < vocab_size) return static_cast<uint32_t>(*fallback);
    return std::nullopt;
  };
  vocab.bos_id = resolve("bos_token", config_ids.bos);
  vocab.eos_id = resolve("eos_token", config_ids.eos);
  vocab.pad_id = resolve("pad_token", config_ids.pad);
  vocab.unk_id = resolve("unk_token", std::nullopt);
  if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean()) vocab.add_bos = config["add_bos_token"];
  if (config.contains("add_eos_token") && config["add_eos_token"].is_boolean()) vocab.add_eos = config["add_eos_token"];
  if (config.contains("chat_template") && config["chat_template"].is_string())
    vocab.chat_template = config["chat_template"];
  else if (fs::exists(folder / "chat_template.jinja")) {
    std::ifstream stream(folder / "chat_template.jinja");
    vocab.chat_template.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  }
  vocab.pre = pre.empty() ? detect_pre_tokenizer(tokenizer) : pre;
  return vocab;
}

void add_vocab_metadata(GgufWriter& writer, const GgufVocab& vocab) {
  writer.set_string("tokenizer.ggml.model", "gpt2");
  writer.set_string("tokenizer.ggml.pre", vocab.pre);
  writer.set_string_array("tokenizer.ggml.tokens", vocab.tokens);
  writer.set_int32_array("tokenizer.ggml.token_type", vocab.token_types);
  writer.set_string_array("tokenizer.ggml.merges", vocab.merges);
  if (vocab.bos_id) writer.set_uint32("tokenizer.ggml.bos_token_id", *vocab.bos_id);
  if (vocab.eos_id) writer.set_uint32("tokenizer.ggml.eos_token_id", *vocab.eos_id);
  if (vocab.pad_id) writer.set_uint32("tokenizer.ggml.padding_token_id", *vocab.pad_id);
  if (vocab.unk_id) writer.set_uint32("tokenizer.ggml.unknown_token_id", *vocab.unk_id);
  if (vocab.add_bos) writer.set_bool("tokenizer.ggml.add_bos_token", *vocab.add_bos);
  if (vocab.add_eos) writer.set_bool("tokenizer.ggml.add_eos_token", *vocab.add_eos);
  if (!vocab.chat_template.empty()) writer.set_string("tokenizer.chat_template", vocab.chat_template);
}

}  // namespace r1::gguf
