#include "rewards/math/normalize.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace r1::rewards::math {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Index just past the brace group that opens at `open` (text[open] == '{'),
// or npos when it never closes. Escaped braces (\{ and \}) do not count.
size_t skip_brace_group(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  size_t position = 0;
  while ((position = text.find(from, position)) != std::string::npos) {
    text.replace(position, from.size(), to);
    position += to.size();
  }
}

// Replaces the command `name` (e.g. "\\left") only where it is not the prefix
// of a longer command name (\leftarrow stays).
void replace_command(std::string& text, std::string_view name, std::string_view to) {
  size_t position = 0;
  while ((position = text.find(name, position)) != std::string::npos) {
    size_t end = position + name.size();
    if (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end])) &&
        std::isalpha(static_cast<unsigned char>(name.back()))) {
      position = end;
      continue;
    }
    text.replace(position, name.size(), to);
    position += to.size();
  }
}

// Replaces \, \; \: "\ " and ~ with a space and drops \! (a negative
// space), leaving the row break \\ intact. A thin space between digits
// (1\,000) is a thousands separator and is dropped, so the digits join.
std::string remove_spacing_commands(const std::string& text) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '~') {
      out += ' ';
    } else if (c == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      bool between_digits = !out.empty() && is_digit(out.back()) && i + 2 < text.size() && is_digit(text[i + 2]);
      if (next == '!') {
        // "111, \! 111" writes the thousands comma 111,111 with the space
        // taken back, so spaces around the \! after a comma go too.
        size_t kept = out.size();
        while (kept > 0 && out[kept - 1] == ' ') --kept;
        if (kept > 0 && out[kept - 1] == ',') {
          out.resize(kept);
          while (i + 2 < text.size() && text[i + 2] == ' ') ++i;
        }
      } else if (next == ',' && between_digits) {
        // dropped: a thin-space thousands separator
      } else if (next == ',' || next == ';' || next == ':' || next == ' ') {
        out += ' ';
      } else {
        out += c;
        out += next;
      }
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string strip_answer_wrappers(std::string_view answer) {
  std::string_view text = trim(answer);
  // Each pass removes one layer; answers such as "$\boxed{5}$." have several.
  for (int pass = 0; pass < 8; ++pass) {
    std::string_view before = text;
    if (ends_with(text, ".") && !ends_with(text, "..")) text = trim(text.substr(0, text.size() - 1));
    if (starts_with(text, "$$") && ends_with(text, "$$") && text.size() >= 4) {
      text = trim(text.substr(2, text.size() - 4));
    } else if (starts_with(text, "$") && ends_with(text, "$") && text.size() >= 2) {
      text = trim(text.substr(1, text.size() - 2));
    } else if ((starts_with(text, "\\(") && ends_with(text, "\\)")) ||
               (starts_with(text, "\\[") && ends_with(text, "\\]"))) {
      text = trim(text.substr(2, text.size() - 4));
    }
    for (std::string_view box : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
      if (!starts_with(text, box)) continue;
      size_t open = box.size();
      while (open < text.size() && text[open] == ' ') ++open;
      if (open < text.size() && text[open] == '{' && skip_brace_group(text, open) == text.size()) {
        text = trim(text.substr(open + 1, text.size() - open - 2));
      }
    }
    if (text == before) break;
  }
  return std::string(text);
}

std::string normalize_latex(std::string_view answer) {
  std::string text(answer);

  // Unicode math symbols to their LaTeX commands or ASCII operators.
  static const std::array<std::pair<const char*, const char*>, 22> kUnicode = {{
      {"\u2212", "-"}, {"\u2013", "-"}, {"\u00d7", "\\times "}, {"\u00b7", "\\cdot "},
      {"\u22c5", "\\cdot "}, {"\u00f7", "\\div "}, {"\u03c0", "\\pi "}, {"\u221a", "\\sqrt"},
      {"\u221e", "\\infty "}, {"\u2264", "\\le "}, {"\u2265", "\\ge "}, {"\u2260", "\\ne "},
      {"\u00b1", "\\pm "}, {"\u00b0", ""}, {"\u222a", "\\cup "}, {"\u2229", "\\cap "},
      {"\u2208", "\\in "}, {"\u00bd", "(1/2)"}, {"\u00bc", "(1/4)"}, {"\u00be", "(3/4)"},
      {"\u2205", "\\emptyset "}, {"\u00a0", " "},
  }};
  for (const auto& [from, to] : kUnicode) replace_all(text, from, to);

  // Degree marks carry no value: 30^\circ is 30.
  for (std::string_view mark : {"^{\\circ}", "^\\circ", "^{\\degree}", "\\degree", "\\circ"}) {
    replace_all(text, mark, "");
  }

  // Sizing and spacing commands; \left( becomes (, \left. disappears.
  for (std::string_view command : {"\\left", "\\right", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr", "\\biggl",
                                   "\\biggr", "\\big", "\\Big", "\\bigg", "\\Bigg", "\\displaystyle",
                                   "\\textstyle", "\\limits", "\\qquad", "\\quad"}) {
    replace_command(text, command, " ");
  }
  replace_all(text, " .", " ");  // what "\left." leaves behind
  text = remove_spacing_commands(text);

  // Spellings of the same command.
  for (std::string_view fraction : {"\\dfrac", "\\tfrac", "\\cfrac"}) replace_command(text, fraction, "\\frac");
  for (std::string_view binomial : {"\\dbinom", "\\tbinom"}) replace_command(text, binomial, "\\binom");
  replace_command(text, "\\leq", "\\le");
  replace_command(text, "\\geq", "\\ge");
  replace_command(text, "\\neq", "\\ne");
  replace_command(text, "\\varnothing", "\\emptyset");
  replace_command(text, "\\lbrace", "\\{");
  replace_command(text, "\\rbrace", "\\}");
  replace_command(text, "\\mp", "\\pm");
  replace_command(text, "\\boxed", " ");  // a box nested in the answer
  replace_command(text, "\\fbox", " ");
  replace_all(text, "\\%", "%");
  replace_all(text, "\\$", " ");
  replace_all(text, "$", " ");
  replace_all(text, "{,}", ",");
  replace_all(text, "\\infin", "\\infty");
  return text;
}

bool is_unit_word(std::string_view word) {
  static const char* const kUnits[] = {
      "cm", "mm", "km", "m", "meter", "meters", "metre", "metres", "centimeter", "centimeters",
      "millimeter", "millimeters", "kilometer", "kilometers", "in", "inch", "inches", "ft", "foot",
      "feet", "yard", "yards", "yd", "mile", "miles", "mi", "mph", "kph", "kmh", "s", "sec", "second",
      "seconds", "min", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "day", "days", "week",
      "weeks", "month", "months", "year", "years", "yr", "yrs", "dollar", "dollars", "cent", "cents",
      "euro", "euros", "point", "points", "unit", "units", "sq", "square", "cubic", "degree",
      "degrees", "deg", "radian", "radians", "rad", "integer", "integers", "number", "numbers",
      "gram", "grams", "g", "kg", "kilogram", "kilograms", "lb", "lbs", "pound", "pounds", "ounce",
      "ounces", "oz", "liter", "liters", "litre", "litres", "l", "ml", "gallon", "gallons", "people",
      "person", "students", "times", "ways", "cups", "cup", "pages", "page", "marbles", "apples",
      "boxes", "books", "games", "hours.", "percent", "mins", "secs", "items", "pieces", "tickets",
      "cookies", "eggs", "pizzas", "slices", "bags", "balls", "cars", "trees", "coins", "dogs",
      "cats", "children", "kids", "men", "women", "friends", "rows", "seats", "tiles", "squares",
      "triangles", "digits", "values", "solutions", "roots", "terms", "steps", "moves",
  };
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* unit : kUnits) {
    if (lower == unit) return true;
  }
  return false;
}

}  // namespace r1::rewards::math
