// r1 tokenize: encodes text to token ids or decodes ids to text with a
// Hugging Face tokenizer, one JSON value per input line.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "tokenizer/load_tokenizer.h"
#include "util/error.h"

namespace r1::cli {
namespace {

using nlohmann::json;

struct TokenizeOptions {
  std::string tokenizer_path;
  std::string text;
  std::string input_path;
  bool has_text = false;  // --text was given (its value may be empty)
  bool has_input = false;
  bool add_special = false;
  bool skip_special = false;
  bool decode = false;
};

// A JSON string for any bytes: invalid UTF-8 becomes U+FFFD, as Hugging Face
// tokenizers' decode returns it.
std::string json_string(const std::string& text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Parses one input line as a JSON array of token ids.
std::vector<int64_t> parse_ids(const std::string& line, const std::string& where) {
  json value;
  try {
    value = json::parse(line);
  } catch (const json::parse_error& error) {
    fail("{}: invalid JSON: {}", where, error.what());
  }
  if (!value.is_array()) fail("{}: expected a JSON array of token ids such as [1,2,3], got {}", where, value.dump());
  std::vector<int64_t> ids;
  for (const auto& id : value) {
    if (!id.is_number_integer()) fail("{}: token id {} is not an integer", where, id.dump());
    ids.push_back(id.get<int64_t>());
  }
  return ids;
}

// Parses one input line as a record with a "text" string field.
std::string parse_text_record(const std::string& line, const std::string& where) {
  json value;
  try {
    value = json::parse(line);
  } catch (const json::parse_error& error) {
    fail("{}: invalid JSON: {}", where, error.what());
  }
  if (!value.is_object() || !value.contains("text")) {
    fail("{}: the record has no \"text\" field; each line must be an object such as {{\"text\": \"...\"}}", where);
  }
  if (!value["text"].is_string()) fail("{}: the \"text\" field is {}, not a string", where, value["text"].dump());
  return value["text"].get<std::string>();
}

std::string process_line(const Tokenizer& tokenizer, const TokenizeOptions& options, const std::string& line,
                         const std::string& where, bool line_is_record) {
  if (options.decode) return json_string(tokenizer.decode(parse_ids(line, where), options.skip_special));
  const std::string text = line_is_record ? parse_text_record(line, where) : line;
  return json(tokenizer.encode(text, options.add_special)).dump();
}

void run_tokenize(const TokenizeOptions& options) {
  if (options.has_text == options.has_input) fail("pass exactly one of --text and --input");
  const auto tokenizer = load_tokenizer(options.tokenizer_path);

  // One input from --text.
  if (options.has_text) {
    fmt::print("{}\n", process_line(*tokenizer, options, options.text, "--text", false));
    return;
  }

  // One input per line of --input ("-" reads standard input). Blank lines
  // are skipped.
  std::ifstream file;
  std::istream* in = &std::cin;
  if (options.input_path != "-") {
    file.open(options.input_path, std::ios::binary);
    if (!file) fail("cannot open input file {}: it is missing or unreadable", options.input_path);
    in = &file;
  }
  const std::string input_name = options.input_path == "-" ? "<stdin>" : options.input_path;
  std::string line;
  size_t line_number = 0;
  while (std::getline(*in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", input_name, line_number);
    fmt::print("{}\n", process_line(*tokenizer, options, line, where, true));
  }
}

void setup_tokenize(CLI::App& root) {
  auto options = std::make_shared<TokenizeOptions>();
  CLI::App* command = root.add_subcommand(
      "tokenize", "Print the token ids of each input as a JSON array (or, with --decode, the text of each id array)");
  command->add_option("--tokenizer", options->tokenizer_path,
                      "tokenizer.json, or a folder with tokenizer.json or GPT-2's vocab.json + merges.txt")
      ->required();
  CLI::Option* text_option = command->add_option("--text", options->text,
                      "One input: the text to encode, or with --decode a JSON array of ids such as [1,2,3]");
  CLI::Option* input_option = command->add_option("--input", options->input_path,
                      "JSONL file (\"-\" for standard input): records with a \"text\" field, or with --decode one "
                      "JSON array of ids per line");
  command->add_flag("--add-special", options->add_special,
                    "Add the tokenizer's special tokens (such as a begin-of-sequence token) when encoding");
  command->add_flag("--decode", options->decode, "Decode id arrays to text, printed as one JSON string per line");
  command->add_flag("--skip-special", options->skip_special, "With --decode, leave special tokens out of the text");
  text_option->excludes(input_option);
  command->callback([options, text_option, input_option] {
    options->has_text = text_option->count() > 0;
    options->has_input = input_option->count() > 0;
    run_tokenize(*options);
  });
}

R1_REGISTER_COMMAND(setup_tokenize);

}  // namespace
}  // namespace r1::cli
