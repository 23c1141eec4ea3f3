#include "tokenizer/load_tokenizer.h"

#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/tokenizer_json.h"
#include "util/error.h"

namespace r1 {

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  if (!fs::exists(path)) fail("tokenizer path {} does not exist; pass a tokenizer.json or a folder with one", path.string());

  // Find the files.
  BpeTokenizerConfig config;
  fs::path folder;
  if (fs::is_regular_file(path)) {
    config = read_tokenizer_json(path);
    folder = path.parent_path();
  } else if (fs::exists(path / "tokenizer.json")) {
    config = read_tokenizer_json(path / "tokenizer.json");
    folder = path;
  } else if (fs::exists(path / "vocab.json") && fs::exists(path / "merges.txt")) {
    config = read_gpt2_vocab_and_merges(path / "vocab.json", path / "merges.txt");
    folder = path;
  } else if (fs::exists(path / "encoder.json") && fs::exists(path / "vocab.bpe")) {
    config = read_gpt2_vocab_and_merges(path / "encoder.json", path / "vocab.bpe");
    folder = path;
  } else if (has_char_tokenizer_config(path)) {
    return std::make_unique<CharTokenizer>(load_char_tokenizer(path));
  } else {
    fail("no tokenizer files in {}: expected tokenizer.json, vocab.json + merges.txt, encoder.json + vocab.bpe, or "
         "tokenizer_config.json with char_ords",
         path.string());
  }

  const fs::path config_path = folder / "tokenizer_config.json";
  if (fs::exists(config_path)) apply_tokenizer_config(config_path, config);
  return std::make_unique<BpeTokenizer>(std::move(config));
}

}  // namespace r1
