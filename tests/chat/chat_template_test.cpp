// Chat templates against renders from Hugging Face transformers and jinja2
// (tests/data/chat, made by scripts/fixtures/make_chat_fixtures.py), plus
// the loader and error messages.
#include <ctime>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "chat/jinja_template.h"
#include "test_util.h"
#include "util/error.h"

namespace {

using nlohmann::ordered_json;

const char* const kFamilies[] = {"qwen3", "qwen2.5", "llama3", "llama3.2", "r1-distill-qwen"};

ordered_json read_json(const std::filesystem::path& path) {
  std::ifstream stream(path);
  EXPECT_TRUE(stream.good()) << "cannot open " << path;
  return ordered_json::parse(stream);
}

std::filesystem::path family_config(const std::string& family) {
  return r1::test::fixture_dir() / "chat" / family / "tokenizer_config.json";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "'" << (text) << "' lacks '" << (part) << "'"

// Returns the error message of `action`, or "" when it does not throw.
template <typename Action>
std::string error_of(Action action) {
  try {
    action();
  } catch (const r1::Error& error) {
    return error.what();
  }
  return "";
}

TEST(ChatTemplate, MatchesTransformersRenders) {
  const ordered_json fixture = read_json(r1::test::fixture_dir() / "chat" / "renders.json");
  int compared = 0;
  for (const char* family : kFamilies) {
    const r1::ChatTemplate chat_template = r1::load_chat_template(family_config(family));
    for (const auto& render : fixture["renders"]) {
      const std::string name = std::string(family) + " " + render["name"].get<std::string>();
      const ordered_json& expected = render["expected"][family];
      if (expected.contains("error")) {
        EXPECT_THROW(chat_template.render(render["messages"], render["add_generation_prompt"], render["extra"]), r1::Error)
            << name << " (transformers: " << expected["error"] << ")";
        continue;
      }
      std::string text;
      EXPECT_NO_THROW(text = chat_template.render(render["messages"], render["add_generation_prompt"], render["extra"]))
          << name;
      EXPECT_EQ(text, expected["text"].get<std::string>()) << name;
      ++compared;
    }
  }
  EXPECT_GE(compared, 5 * 32);
}

TEST(JinjaTemplate, MatchesJinja2Renders) {
  const ordered_json fixture = read_json(r1::test::fixture_dir() / "chat" / "jinja_cases.json");
  ASSERT_GE(fixture["cases"].size(), 40u);
  for (const auto& item : fixture["cases"]) {
    const std::string name = item["name"];
    const r1::jinja::Value variables = r1::jinja::from_json(item["variables"]);
    const ordered_json& expected = item["expected"];
    if (expected.contains("error")) {
      const std::string message = error_of([&] { r1::jinja::Template(item["template"]).render(variables.as_dict()); });
      EXPECT_FALSE(message.empty()) << name << " should fail like jinja2: " << expected["error"];
      continue;
    }
    std::string text;
    EXPECT_NO_THROW(text = r1::jinja::Template(item["template"]).render(variables.as_dict())) << name;
    EXPECT_EQ(text, expected["text"].get<std::string>()) << name;
  }
}

TEST(ChatTemplate, QwenThreeThinkingSwitch) {
  const r1::ChatTemplate chat_template = r1::load_chat_template(family_config("qwen3"));
  const ordered_json messages = ordered_json::parse(R"([{"role": "user", "content": "Hi"}])");

  const std::string thinking_off = chat_template.render(messages, true, {{"enable_thinking", false}});
  EXPECT_EQ(thinking_off, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
  const std::string thinking_on = chat_template.render(messages, true);
  EXPECT_EQ(thinking_on, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatTemplate, DistillDropsReasoningOfEarlierTurns) {
  const r1::ChatTemplate chat_template = r1::load_chat_template(family_config("r1-distill-qwen"));
  const ordered_json messages = ordered_json::parse(R"([
    {"role": "user", "content": "1+1?"},
    {"role": "assistant", "content": "<think>\none plus one\n</think>\n\n2"}
  ])");
  EXPECT_EQ(chat_template.render(messages, true),
            "<｜begin▁of▁sentence｜><｜User｜>1+1?<｜Assistant｜>\n\n2<｜end▁of▁sentence｜><｜Assistant｜><think>\n");
}

std::string today(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[64];
  return std::string(buffer, std::strftime(buffer, sizeof(buffer), format, &local));
}

TEST(ChatTemplate, StrftimeNowGivesTodaysDate) {
  const r1::ChatTemplate chat_template = r1::load_chat_template(family_config("llama3.2"));
  const ordered_json messages = ordered_json::parse(R"([{"role": "user", "content": "Hi"}])");

  // The date is read before and after rendering, in case midnight passes.
  const std::string before = today("%d %b %Y");
  const std::string text = chat_template.render(messages, true);
  const std::string after = today("%d %b %Y");
  const bool has_date = text.find("Today Date: " + before + "\n") != std::string::npos ||
                        text.find("Today Date: " + after + "\n") != std::string::npos;
  EXPECT_TRUE(has_date) << text;

  const std::string pinned = chat_template.render(messages, true, {{"date_string", "01 Jan 2025"}});
  EXPECT_CONTAINS(pinned, "Today Date: 01 Jan 2025\n");
}

TEST(ChatTemplate, LoaderReadsTokenObjectsAndNulls) {
  const r1::ChatTemplate distill = r1::load_chat_template(family_config("r1-distill-qwen"));
  ASSERT_TRUE(distill.bos_token().has_value());
  EXPECT_EQ(*distill.bos_token(), "<｜begin▁of▁sentence｜>");
  ASSERT_TRUE(distill.eos_token().has_value());
  EXPECT_EQ(*distill.eos_token(), "<｜end▁of▁sentence｜>");

  const r1::ChatTemplate qwen = r1::load_chat_template(family_config("qwen2.5"));
  EXPECT_FALSE(qwen.bos_token().has_value());
  EXPECT_EQ(qwen.eos_token().value_or(""), "<|im_end|>");
}

TEST(ChatTemplate, LoaderPicksNamedTemplate) {
  const ordered_json config = ordered_json::parse(R"({
    "bos_token": "<s>",
    "chat_template": [
      {"name": "default", "template": "{{ bos_token }}default"},
      {"name": "tool_use", "template": "{{ bos_token }}tools"}
    ]
  })");
  EXPECT_EQ(r1::chat_template_from_config(config).render(ordered_json::array(), false), "<s>default");
  EXPECT_EQ(r1::chat_template_from_config(config, "tool_use").render(ordered_json::array(), false), "<s>tools");
  EXPECT_CONTAINS(error_of([&] { r1::chat_template_from_config(config, "rag"); }), "default, tool_use");
}

TEST(ChatTemplate, LoaderReadsJinjaFileBesideConfig) {
  const std::filesystem::path folder = std::filesystem::temp_directory_path() / "r1_chat_template_jinja_file";
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "tokenizer_config.json") << R"({"bos_token": "<s>", "eos_token": null})";
  std::ofstream(folder / "chat_template.jinja") << "{{ bos_token }}{{ messages | length }}\n";

  const r1::ChatTemplate chat_template = r1::load_chat_template(folder / "tokenizer_config.json");
  EXPECT_EQ(chat_template.render(ordered_json::parse(R"([{"role": "user", "content": "x"}])"), false), "<s>1");
  EXPECT_FALSE(chat_template.eos_token().has_value());
  std::filesystem::remove_all(folder);
}

TEST(ChatTemplate, LoaderRejectsMissingTemplate) {
  const ordered_json config = ordered_json::parse(R"({"eos_token": "</s>"})");
  EXPECT_CONTAINS(error_of([&] { r1::chat_template_from_config(config); }), "no chat_template");
  EXPECT_CONTAINS(error_of([] { r1::load_chat_template("/nonexistent/tokenizer_config.json"); }),
                  "/nonexistent/tokenizer_config.json");
}

TEST(ChatTemplate, SyntaxErrorsNameLineAndColumn) {
  const std::string unclosed = error_of([] { r1::ChatTemplate("line one\n{% if x %}\nyes", "", ""); });
  EXPECT_CONTAINS(unclosed, "line 2, column 1");
  EXPECT_CONTAINS(unclosed, "'endif'");

  const std::string bad_expression = error_of([] { r1::ChatTemplate("{{ a + }}", std::nullopt, std::nullopt); });
  EXPECT_CONTAINS(bad_expression, "line 1, column 8");
  EXPECT_CONTAINS(bad_expression, "expected an expression");

  const std::string unknown_tag = error_of([] { r1::ChatTemplate("ok\n  {% include 'x' %}", "", ""); });
  EXPECT_CONTAINS(unknown_tag, "line 2, column 3");
  EXPECT_CONTAINS(unknown_tag, "'include'");

  const std::string unclosed_tag = error_of([] { r1::ChatTemplate("{{ 'a' ", "", ""); });
  EXPECT_CONTAINS(unclosed_tag, "not closed");
}

TEST(ChatTemplate, RuntimeErrorsNameLineAndColumn) {
  const r1::ChatTemplate alternating(
      "{% for m in messages %}\n"
      "{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}"
      "{{ raise_exception('Conversation roles must alternate') }}{% endif %}{% endfor %}",
      "", "");
  const ordered_json messages = ordered_json::parse(R"([{"role": "assistant", "content": "x"}])");
  const std::string raised = error_of([&] { alternating.render(messages, false); });
  EXPECT_CONTAINS(raised, "Conversation roles must alternate");
  EXPECT_CONTAINS(raised, "line 2");

  const r1::ChatTemplate bad_concat("{{ 'a' + messages[0].content }}", "", "");
  const std::string type_error = error_of([&] { bad_concat.render(ordered_json::parse(R"([{"role": "user"}])"), false); });
  EXPECT_CONTAINS(type_error, "line 1, column 8");
  EXPECT_CONTAINS(type_error, "undefined 'content'");
}

TEST(ChatTemplate, DropsNullKeysAndAliasesReasoning) {
  const r1::ChatTemplate chat_template(
      "{% for m in messages %}{{ m.content is defined }} {{ m.thinking }} {{ m.reasoning_content }};{% endfor %}", "", "");
  const ordered_json messages = ordered_json::parse(R"([
    {"role": "assistant", "content": null, "reasoning": "why"},
    {"role": "assistant", "content": "x"}
  ])");
  EXPECT_EQ(chat_template.render(messages, false), "False why why;True  ;");
}

TEST(ChatTemplate, ExtraVariablesOverrideSpecialTokens) {
  const r1::ChatTemplate chat_template("{{ bos_token }}|{{ eos_token }}|{{ tools }}|{{ custom }}", "<s>", "</s>");
  EXPECT_EQ(chat_template.render(ordered_json::array(), false), "<s>|</s>|None|");
  EXPECT_EQ(chat_template.render(ordered_json::array(), false, {{"bos_token", "B"}, {"custom", 3}}), "B|</s>|None|3");
}

TEST(ChatTemplate, AcceptsPlainJsonMessages) {
  // nlohmann::json (sorted keys) converts to ordered_json at the call.
  const nlohmann::json messages = nlohmann::json::parse(R"([{"role": "user", "content": "Hi"}])");
  const r1::ChatTemplate chat_template = r1::load_chat_template(family_config("qwen2.5"));
  EXPECT_EQ(chat_template.render(messages, false),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nHi<|im_end|>\n");
}

TEST(ChatTemplate, RejectsMalformedMessages) {
  const r1::ChatTemplate chat_template("x", "", "");
  EXPECT_CONTAINS(error_of([&] { chat_template.render(ordered_json::object(), false); }), "JSON array");
  EXPECT_CONTAINS(error_of([&] { chat_template.render(ordered_json::parse("[1]"), false); }), "message 0");
}

TEST(ChatTemplate, RealTokenizerConfigsMatchCommittedCopies) {
  R1_REQUIRE_REAL_DATA("tokenizer-qwen3/tokenizer_config.json");
  R1_REQUIRE_REAL_DATA("tokenizer-llama3/tokenizer_config.json");
  const std::pair<const char*, const char*> pairs[] = {{"tokenizer-qwen3", "qwen3"}, {"tokenizer-llama3", "llama3"}};
  const ordered_json messages = ordered_json::parse(R"([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}])");
  for (const auto& [real, family] : pairs) {
    const r1::ChatTemplate from_real = r1::load_chat_template(r1::test::real_data_dir() / real / "tokenizer_config.json");
    const r1::ChatTemplate committed = r1::load_chat_template(family_config(family));
    EXPECT_EQ(from_real.source(), committed.source()) << family;
    EXPECT_EQ(from_real.render(messages, true), committed.render(messages, true)) << family;
  }
}

}  // namespace
