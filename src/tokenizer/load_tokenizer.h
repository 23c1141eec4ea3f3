// Opening a Hugging Face tokenizer from its files.
#pragma once

#include <filesystem>
#include <memory>

#include "tokenizer/tokenizer.h"

namespace r1 {

// Loads a byte-level BPE tokenizer from path, which is one of:
//  - a tokenizer.json file;
//  - a folder that contains tokenizer.json;
//  - a folder that contains GPT-2's vocab.json + merges.txt (or the original
//    names encoder.json + vocab.bpe);
//  - a folder whose tokenizer_config.json lists "char_ords" (a CharTokenizer).
// A tokenizer_config.json next to the files sets bos_token, eos_token,
// pad_token, add_bos_token and add_eos_token.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path);

}  // namespace r1
