// Malformed and hostile templates must fail with r1::Error, never crash or
// throw another exception type: chat templates come from downloaded model
// folders.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "chat/jinja_template.h"
#include "util/error.h"

namespace {

using nlohmann::ordered_json;

// Renders and reports whether it failed; any exception other than r1::Error
// fails the test.
bool render_fails(const std::string& source, const ordered_json& messages) {
  try {
    const r1::ChatTemplate chat_template(source, "<s>", "</s>");
    chat_template.render(messages, true, {{"flag", true}, {"items", {1, "two", nullptr}}});
    return false;
  } catch (const r1::Error&) {
    return true;
  } catch (const std::exception& error) {
    ADD_FAILURE() << "non-r1::Error exception " << error.what() << " for template: " << source;
    return true;
  }
}

TEST(JinjaRobustness, RandomFragmentSoup) {
  const std::vector<std::string> fragments = {
      "{{", "}}", "{%", "%}", "{%-", "-%}", "{#", "#}", " if ", " elif ", " else ", " endif ", " for ", " in ",
      " endfor ", " set ", " = ", "x", "ns", "ns.a", "namespace(a=1)", "messages", "messages[0]", "[::-1]", "[1:",
      "loop.index0", "loop.last", "'str'", "\"q\\n\"", "'", "1", "-2", "3.5", "99999999999999999999999", "(", ")",
      "[", "]", "{", "}", ",", ":", ".", "|", " trim", " tojson", " length", " join(',')", " default('d')",
      " is ", " not ", " defined", " none", " and ", " or ", " ~ ", " + ", " * ", " // ", " % ", " ** ", "==",
      "!=", "<", ".split('a')", ".strip()", ".startswith('x')", "raise_exception('boom')", "range(3)", "items",
      "flag", " break ", " continue ", " macro m(a) ", " endmacro ", "m(1)", " raw ", " endraw ", "\n", "  ", "text",
      "<think>",
  };
  const ordered_json messages = ordered_json::parse(R"([
    {"role": "system", "content": "S"},
    {"role": "user", "content": "U 한국어"},
    {"role": "assistant", "content": "<think>r</think>A"}
  ])");

  std::mt19937 generator(1234);
  std::uniform_int_distribution<size_t> pick(0, fragments.size() - 1);
  std::uniform_int_distribution<int> length(1, 24);
  int failures = 0;
  int successes = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string source;
    const int count = length(generator);
    for (int i = 0; i < count; ++i) source += fragments[pick(generator)];
    (render_fails(source, messages) ? failures : successes) += 1;
  }

  // Both outcomes occur, so the soup reaches the parser and the renderer.
  EXPECT_GT(failures, 0);
  EXPECT_GT(successes, 0);
}

TEST(JinjaRobustness, DeepNestingIsRejected) {
  const ordered_json messages = ordered_json::array();
  EXPECT_TRUE(render_fails("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}", messages));
  EXPECT_TRUE(render_fails("{{ " + std::string(5000, '[') + std::string(5000, ']') + " }}", messages));
  EXPECT_TRUE(render_fails("{{ " + std::string(5000, '-') + "1 }}", messages));

  std::string nested_ifs;
  for (int i = 0; i < 1000; ++i) nested_ifs += "{% if true %}";
  EXPECT_TRUE(render_fails(nested_ifs, messages));
}

TEST(JinjaRobustness, ResourceLimitsAreErrors) {
  const ordered_json messages = ordered_json::array();
  EXPECT_TRUE(render_fails("{{ 'abc' * 100000000000 }}", messages));
  EXPECT_TRUE(render_fails("{% for i in range(100000000000) %}{% endfor %}", messages));
  EXPECT_TRUE(render_fails("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", messages));
  EXPECT_TRUE(render_fails("{{ 99999999999999999999 }}", messages));
}

TEST(JinjaRobustness, LargeExponentsStayFast) {
  const r1::jinja::Template exact("{{ 2 ** 62 }} {{ 1 ** 1000000000000 }} {{ (-1) ** 1000000000001 }}");
  EXPECT_EQ(exact.render(r1::jinja::Dict()), "4611686018427387904 1 -1");
  const r1::jinja::Template overflow("{{ 10 ** 20 }}");
  EXPECT_EQ(overflow.render(r1::jinja::Dict()), "1e+20");
}

}  // namespace
