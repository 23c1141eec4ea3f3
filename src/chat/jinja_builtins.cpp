#include "chat/jinja_builtins.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "chat/utf8.h"
#include "util/error.h"

namespace r1::jinja {

namespace {

// Python's str.strip family. With no characters given it strips Unicode
// whitespace, as str.strip() does.
std::string strip_text(const std::string& text, const Value& chars, bool left, bool right) {
  const std::u32string code_points = utf8_decode(text);
  std::u32string strip_set;
  const bool whitespace = chars.is_undefined() || chars.is_none();
  if (!whitespace) {
    if (!chars.is_string()) fail("strip: expected a string of characters, got {}", chars.type_name());
    strip_set = utf8_decode(chars.as_string());
  }
  auto strippable = [&](char32_t c) {
    return whitespace ? is_python_space(c) : strip_set.find(c) != std::u32string::npos;
  };
  size_t begin = 0;
  size_t end = code_points.size();
  if (left) {
    while (begin < end && strippable(code_points[begin])) ++begin;
  }
  if (right) {
    while (end > begin && strippable(code_points[end - 1])) --end;
  }
  return utf8_encode(code_points.substr(begin, end - begin));
}

// Python's str.split(sep=None, maxsplit=-1).
ValueList split_text(const std::string& text, const Value& separator, int64_t max_split) {
  ValueList parts;
  if (separator.is_undefined() || separator.is_none()) {
    // Split on runs of whitespace and drop empty strings.
    const std::u32string code_points = utf8_decode(text);
    size_t i = 0;
    while (i < code_points.size()) {
      while (i < code_points.size() && is_python_space(code_points[i])) ++i;
      if (i >= code_points.size()) break;
      if (max_split >= 0 && static_cast<int64_t>(parts.size()) == max_split) {
        size_t end = code_points.size();
        while (end > i && is_python_space(code_points[end - 1])) --end;
        parts.emplace_back(utf8_encode(code_points.substr(i, end - i)));
        break;
      }
      size_t end = i;
      while (end < code_points.size() && !is_python_space(code_points[end])) ++end;
      parts.emplace_back(utf8_encode(code_points.substr(i, end - i)));
      i = end;
    }
    return parts;
  }
  if (!separator.is_string()) fail("split: the separator must be a string, got {}", separator.type_name());
  const std::string& sep = separator.as_string();
  if (sep.empty()) fail("split: empty separator; pass a non-empty string or no separator");
  size_t start = 0;
  while (true) {
    if (max_split >= 0 && static_cast<int64_t>(parts.size()) == max_split) break;
    const size_t found = text.find(sep, start);
    if (found == std::string::npos) break;
    parts.emplace_back(text.substr(start, found - start));
    start = found + sep.size();
  }
  parts.emplace_back(text.substr(start));
  return parts;
}

std::string replace_text(const std::string& text, const std::string& old_text, const std::string& new_text, int64_t count) {
  std::string out;
  if (old_text.empty()) {
    // Python inserts new_text between every character.
    const std::u32string code_points = utf8_decode(text);
    int64_t done = 0;
    for (char32_t c : code_points) {
      if (count < 0 || done < count) {
        out += new_text;
        ++done;
      }
      utf8_append(out, c);
    }
    if (count < 0 || done < count) out += new_text;
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    const size_t found = text.find(old_text, start);
    if (found == std::string::npos) break;
    out += text.substr(start, found - start);
    out += new_text;
    start = found + old_text.size();
    ++done;
  }
  out += text.substr(start);
  return out;
}

std::string ascii_upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string ascii_lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string title_case(const std::string& text) {
  std::string out = text;
  bool previous_cased = false;
  for (char& c : out) {
    if (is_ascii_alpha(c)) {
      c = previous_cased ? ascii_lower(std::string(1, c))[0] : ascii_upper(std::string(1, c))[0];
      previous_cased = true;
    } else {
      previous_cased = false;
    }
  }
  return out;
}

const Value& argument(const ValueList& args, const KeywordArgs& kwargs, size_t index, const std::string& name,
                      const Value& fallback) {
  if (index < args.size()) return args[index];
  for (const auto& [key, value] : kwargs) {
    if (key == name) return value;
  }
  return fallback;
}

int64_t int_argument(const Value& value, const std::string& what) {
  if (value.is_int()) return value.as_int();
  if (value.is_bool()) return value.as_bool() ? 1 : 0;
  fail("{}: expected an integer, got {} {}", what, value.type_name(), value.repr());
}

const std::string& string_argument(const Value& value, const std::string& what) {
  if (!value.is_string()) fail("{}: expected a string, got {} {}", what, value.type_name(), value.repr());
  return value.as_string();
}

bool starts_or_ends_with(const std::string& text, const Value& affix, bool at_start) {
  auto check = [&](const std::string& candidate) {
    if (candidate.size() > text.size()) return false;
    return at_start ? text.compare(0, candidate.size(), candidate) == 0
                    : text.compare(text.size() - candidate.size(), candidate.size(), candidate) == 0;
  };
  if (affix.is_list()) {
    for (const Value& item : affix.as_list()) {
      if (check(string_argument(item, at_start ? "startswith" : "endswith"))) return true;
    }
    return false;
  }
  return check(string_argument(affix, at_start ? "startswith" : "endswith"));
}

// Python's sort order for the values templates sort: numbers and strings.
bool less_than(const Value& a, const Value& b) {
  if ((a.is_number() || a.is_bool()) && (b.is_number() || b.is_bool())) {
    const double left = a.is_bool() ? a.as_bool() : a.as_float();
    const double right = b.is_bool() ? b.as_bool() : b.as_float();
    return left < right;
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  fail("cannot compare {} with {} for ordering", a.type_name(), b.type_name());
}

Value attribute_path(const Value& object, const std::string& path) {
  Value current = object;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    const bool short_number = numeric && part.size() < 18;
    current = short_number ? get_item(current, Value(static_cast<int64_t>(std::stoll(part)))) : get_attribute(current, part);
    if (dot == std::string::npos) return current;
    start = dot + 1;
  }
}

// select / reject / selectattr / rejectattr share this: keep the items whose
// test result equals `keep`.
Value filter_items(const Value& input, const ValueList& args, bool keep, bool by_attribute) {
  ValueList out;
  size_t next_arg = 0;
  std::string attribute;
  if (by_attribute) {
    if (args.empty()) fail("selectattr/rejectattr: missing the attribute name");
    attribute = string_argument(args[0], "selectattr attribute");
    next_arg = 1;
  }
  std::string test_name;
  ValueList test_args;
  if (next_arg < args.size()) {
    test_name = string_argument(args[next_arg], "select test name");
    test_args.assign(args.begin() + static_cast<long>(next_arg) + 1, args.end());
  }
  for (const Value& item : iterate(input)) {
    const Value subject = by_attribute ? attribute_path(item, attribute) : item;
    const bool passed = test_name.empty() ? subject.truthy() : apply_test(test_name, subject, test_args);
    if (passed == keep) out.push_back(item);
  }
  return Value(std::move(out));
}

Value python_range(const ValueList& args) {
  int64_t start = 0;
  int64_t stop = 0;
  int64_t step = 1;
  if (args.size() == 1) {
    stop = int_argument(args[0], "range");
  } else if (args.size() >= 2) {
    start = int_argument(args[0], "range");
    stop = int_argument(args[1], "range");
    if (args.size() >= 3) step = int_argument(args[2], "range");
  } else {
    fail("range: expected 1 to 3 integer arguments");
  }
  if (step == 0) fail("range: step must not be zero");
  ValueList out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    out.emplace_back(i);
    if (out.size() > 1000000) fail("range: more than 1,000,000 items; use a smaller range");
  }
  return Value(std::move(out));
}

// Python's list slicing rules for one index.
int64_t normalize_index(int64_t index, int64_t size) { return index < 0 ? index + size : index; }

}  // namespace

int64_t length_of(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::String:
      return static_cast<int64_t>(utf8_decode(value.as_string()).size());
    case Value::Kind::List:
      return static_cast<int64_t>(value.as_list().size());
    case Value::Kind::Dict:
    case Value::Kind::Namespace:
      return static_cast<int64_t>(value.as_dict().size());
    case Value::Kind::Undefined:
      return 0;
    default:
      fail("length: object of type '{}' has no len()", value.type_name());
  }
}

ValueList iterate(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::List:
      return value.as_list();
    case Value::Kind::Dict: {
      ValueList keys;
      for (const auto& entry : value.as_dict().entries()) keys.emplace_back(entry.first);
      return keys;
    }
    case Value::Kind::String: {
      ValueList characters;
      for (char32_t c : utf8_decode(value.as_string())) {
        std::string text;
        utf8_append(text, c);
        characters.emplace_back(text);
      }
      return characters;
    }
    case Value::Kind::Undefined:
      return {};
    default:
      fail("'{}' object is not iterable", value.type_name());
  }
}

bool contains(const Value& haystack, const Value& needle) {
  switch (haystack.kind()) {
    case Value::Kind::String:
      if (!needle.is_string()) fail("'in <string>' requires a string as left operand, not {}", needle.type_name());
      return haystack.as_string().find(needle.as_string()) != std::string::npos;
    case Value::Kind::List:
      for (const Value& item : haystack.as_list()) {
        if (item.equals(needle)) return true;
      }
      return false;
    case Value::Kind::Dict:
    case Value::Kind::Namespace:
      return needle.is_string() && haystack.as_dict().contains(needle.as_string());
    case Value::Kind::Undefined:
      fail("'in' on an undefined value ('{}'); check that the variable exists", haystack.undefined_name());
    default:
      fail("argument of type '{}' is not iterable for 'in'", haystack.type_name());
  }
}

Value get_attribute(const Value& object, const std::string& name) {
  if (object.is_undefined()) {
    fail("'{}' is undefined, so it has no attribute '{}'", object.undefined_name().empty() ? "value" : object.undefined_name(),
         name);
  }
  if (object.is_mapping()) {
    if (const Value* found = object.as_dict().find(name)) return *found;
  }
  return Value::undefined(name);
}

Value get_item(const Value& object, const Value& key) {
  if (object.is_undefined()) {
    fail("'{}' is undefined, so it cannot be indexed with {}",
         object.undefined_name().empty() ? "value" : object.undefined_name(), key.repr());
  }
  if (object.is_mapping()) {
    if (key.is_string()) {
      if (const Value* found = object.as_dict().find(key.as_string())) return *found;
      return Value::undefined(key.as_string());
    }
    return Value::undefined(key.repr());
  }
  if ((object.is_list() || object.is_string()) && (key.is_int() || key.is_bool())) {
    const int64_t raw_index = key.is_bool() ? key.as_bool() : key.as_int();
    if (object.is_list()) {
      const auto& list = object.as_list();
      const int64_t index = normalize_index(raw_index, static_cast<int64_t>(list.size()));
      if (index < 0 || index >= static_cast<int64_t>(list.size())) return Value::undefined("[" + std::to_string(raw_index) + "]");
      return list[static_cast<size_t>(index)];
    }
    const std::u32string code_points = utf8_decode(object.as_string());
    const int64_t index = normalize_index(raw_index, static_cast<int64_t>(code_points.size()));
    if (index < 0 || index >= static_cast<int64_t>(code_points.size())) return Value::undefined("[" + std::to_string(raw_index) + "]");
    std::string character;
    utf8_append(character, code_points[static_cast<size_t>(index)]);
    return Value(character);
  }
  if (key.is_string()) return get_attribute(object, key.as_string());
  return Value::undefined(key.repr());
}

std::optional<Value> call_method(const Value& object, const std::string& name, const ValueList& args,
                                 const KeywordArgs& kwargs) {
  static const Value kAbsent;
  if (object.is_string()) {
    const std::string& text = object.as_string();
    if (name == "startswith" || name == "endswith") {
      if (args.empty()) fail("{}: missing the prefix or suffix argument", name);
      return Value(starts_or_ends_with(text, args[0], name == "startswith"));
    }
    if (name == "strip") return Value(strip_text(text, argument(args, kwargs, 0, "chars", kAbsent), true, true));
    if (name == "lstrip") return Value(strip_text(text, argument(args, kwargs, 0, "chars", kAbsent), true, false));
    if (name == "rstrip") return Value(strip_text(text, argument(args, kwargs, 0, "chars", kAbsent), false, true));
    if (name == "split") {
      const Value& max_split = argument(args, kwargs, 1, "maxsplit", kAbsent);
      return Value(split_text(text, argument(args, kwargs, 0, "sep", kAbsent),
                              max_split.is_undefined() ? -1 : int_argument(max_split, "split maxsplit")));
    }
    if (name == "replace") {
      if (args.size() < 2) fail("replace: expected the old and new strings");
      const Value& count = argument(args, kwargs, 2, "count", kAbsent);
      return Value(replace_text(text, string_argument(args[0], "replace"), string_argument(args[1], "replace"),
                                count.is_undefined() ? -1 : int_argument(count, "replace count")));
    }
    if (name == "upper") return Value(ascii_upper(text));
    if (name == "lower") return Value(ascii_lower(text));
    if (name == "title") return Value(title_case(text));
    if (name == "capitalize") {
      std::string out = ascii_lower(text);
      if (!out.empty()) out[0] = ascii_upper(out.substr(0, 1))[0];
      return Value(out);
    }
    if (name == "find" || name == "count") {
      if (args.empty()) fail("{}: missing the substring argument", name);
      const std::string& needle = string_argument(args[0], name);
      if (name == "find") {
        const size_t found = text.find(needle);
        if (found == std::string::npos) return Value(static_cast<int64_t>(-1));
        return Value(static_cast<int64_t>(utf8_decode(text.substr(0, found)).size()));
      }
      if (needle.empty()) return Value(length_of(object) + 1);
      int64_t count = 0;
      for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
      return Value(count);
    }
    if (name == "join") {
      if (args.empty()) fail("join: missing the iterable argument");
      std::string out;
      bool first = true;
      for (const Value& item : iterate(args[0])) {
        if (!first) out += text;
        first = false;
        out += string_argument(item, "join item");
      }
      return Value(out);
    }
    if (name == "isdigit" || name == "isalpha" || name == "isspace" || name == "isalnum") {
      if (text.empty()) return Value(false);
      for (char32_t c : utf8_decode(text)) {
        bool ok = false;
        if (name == "isdigit") ok = c >= '0' && c <= '9';
        if (name == "isalpha") ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (name == "isalnum") ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (name == "isspace") ok = is_python_space(c);
        if (!ok) return Value(false);
      }
      return Value(true);
    }
    return std::nullopt;
  }

  if (object.is_dict()) {
    const Dict& dict = object.as_dict();
    if (name == "get") {
      if (args.empty()) fail("get: missing the key argument");
      if (args[0].is_string()) {
        if (const Value* found = dict.find(args[0].as_string())) return *found;
      }
      return args.size() > 1 ? args[1] : Value::none();
    }
    if (name == "items") {
      ValueList items;
      for (const auto& [key, value] : dict.entries()) items.push_back(Value::make_tuple({Value(key), value}));
      return Value(std::move(items));
    }
    if (name == "keys") {
      ValueList keys;
      for (const auto& entry : dict.entries()) keys.emplace_back(entry.first);
      return Value(std::move(keys));
    }
    if (name == "values") {
      ValueList values;
      for (const auto& entry : dict.entries()) values.push_back(entry.second);
      return Value(std::move(values));
    }
    return std::nullopt;
  }

  if (object.is_list()) {
    if (name == "index" || name == "count") {
      if (args.empty()) fail("{}: missing the value argument", name);
      const auto& list = object.as_list();
      int64_t count = 0;
      for (size_t i = 0; i < list.size(); ++i) {
        if (!list[i].equals(args[0])) continue;
        if (name == "index") return Value(static_cast<int64_t>(i));
        ++count;
      }
      if (name == "index") fail("index: {} is not in list", args[0].repr());
      return Value(count);
    }
  }
  return std::nullopt;
}

bool apply_test(const std::string& name, const Value& input, const ValueList& args) {
  if (name == "defined") return !input.is_undefined();
  if (name == "undefined") return input.is_undefined();
  if (name == "none") return input.is_none();
  if (name == "string") return input.is_string();
  if (name == "mapping") return input.is_mapping();
  if (name == "sequence") return input.is_list() || input.is_string() || input.is_mapping();
  if (name == "iterable") return input.is_list() || input.is_string() || input.is_mapping();
  if (name == "number") return input.is_number() || input.is_bool();
  if (name == "integer") return input.is_int();
  if (name == "float") return input.is_float();
  if (name == "boolean") return input.is_bool();
  if (name == "true") return input.is_bool() && input.as_bool();
  if (name == "false") return input.is_bool() && !input.as_bool();
  if (name == "callable") return input.is_function();
  if (name == "lower") return input.is_string() && ascii_lower(input.as_string()) == input.as_string();
  if (name == "upper") return input.is_string() && ascii_upper(input.as_string()) == input.as_string();
  if (name == "odd" || name == "even") {
    const int64_t value = int_argument(input, name);
    return (value % 2 != 0) == (name == "odd");
  }
  if (name == "divisibleby") {
    if (args.empty()) fail("divisibleby: missing the divisor");
    const int64_t divisor = int_argument(args[0], name);
    if (divisor == 0) fail("divisibleby: division by zero");
    return int_argument(input, name) % divisor == 0;
  }
  if (name == "eq" || name == "equalto" || name == "==" || name == "ne" || name == "!=") {
    if (args.empty()) fail("{}: missing the value to compare with", name);
    const bool equal = input.equals(args[0]);
    return (name == "ne" || name == "!=") ? !equal : equal;
  }
  if (name == "lt" || name == "lessthan" || name == "le" || name == "gt" || name == "greaterthan" || name == "ge") {
    if (args.empty()) fail("{}: missing the value to compare with", name);
    if (name == "lt" || name == "lessthan") return less_than(input, args[0]);
    if (name == "le") return !less_than(args[0], input);
    if (name == "gt" || name == "greaterthan") return less_than(args[0], input);
    return !less_than(input, args[0]);
  }
  if (name == "in") {
    if (args.empty()) fail("in: missing the container");
    return contains(args[0], input);
  }
  if (name == "sameas") {
    if (args.empty()) fail("sameas: missing the value to compare with");
    if (input.is_none() || input.is_bool()) return input.equals(args[0]) && input.kind() == args[0].kind();
    return input.is_mapping() && args[0].is_mapping() && &input.as_dict() == &args[0].as_dict();
  }
  fail("unknown test '{}'; supported: defined, undefined, none, string, mapping, sequence, iterable, number, "
       "integer, float, boolean, true, false, odd, even, divisibleby, eq, ne, lt, le, gt, ge, in, sameas, callable, "
       "lower, upper",
       name);
}

namespace {

// Filters that read or produce text.
std::optional<Value> apply_text_filter(const std::string& name, const Value& input, const ValueList& args,
                                       const KeywordArgs& kwargs) {
  static const Value kAbsent;
  if (name == "trim") {
    if (input.is_undefined()) return Value(std::string());
    return Value(strip_text(input.to_output(), argument(args, kwargs, 0, "chars", kAbsent), true, true));
  }
  if (name == "tojson") {
    // transformers' filter: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
    JsonFormat format;
    format.ensure_ascii = argument(args, kwargs, 0, "ensure_ascii", Value(false)).truthy();
    const Value& indent = argument(args, kwargs, 1, "indent", kAbsent);
    if (!indent.is_undefined() && !indent.is_none()) format.indent = static_cast<int>(int_argument(indent, "tojson indent"));
    const Value& separators = argument(args, kwargs, 2, "separators", kAbsent);
    if (!separators.is_undefined() && !separators.is_none()) {
      if (!separators.is_list() || separators.as_list().size() != 2) {
        fail("tojson: separators must be a pair of strings such as (',', ': '), got {}", separators.repr());
      }
      format.separators = std::make_pair(string_argument(separators.as_list()[0], "tojson separators"),
                                         string_argument(separators.as_list()[1], "tojson separators"));
    }
    format.sort_keys = argument(args, kwargs, 3, "sort_keys", Value(false)).truthy();
    return Value(to_json(input, format));
  }
  if (name == "string") return Value(input.to_output());
  if (name == "upper") return Value(ascii_upper(input.to_output()));
  if (name == "lower") return Value(ascii_lower(input.to_output()));
  if (name == "title") return Value(title_case(input.to_output()));
  if (name == "capitalize") return *call_method(Value(input.to_output()), "capitalize", {}, {});
  if (name == "replace") {
    if (args.size() < 2) fail("replace: expected the old and new strings");
    const Value& count = argument(args, kwargs, 2, "count", kAbsent);
    return Value(replace_text(input.to_output(), args[0].to_output(), args[1].to_output(),
                              count.is_undefined() || count.is_none() ? -1 : int_argument(count, "replace count")));
  }
  if (name == "indent") {
    const Value& width_value = argument(args, kwargs, 0, "width", Value(static_cast<int64_t>(4)));
    const std::string prefix = width_value.is_string() ? width_value.as_string()
                                                       : std::string(static_cast<size_t>(int_argument(width_value, "indent width")), ' ');
    const bool first = argument(args, kwargs, 1, "first", Value(false)).truthy();
    const bool blank = argument(args, kwargs, 2, "blank", Value(false)).truthy();
    const std::string text = input.to_output();
    std::string out;
    size_t start = 0;
    bool first_line = true;
    while (start <= text.size()) {
      const size_t end = text.find('\n', start);
      const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      const bool add = (first_line ? first : true) && (blank || !line.empty());
      if (add) out += prefix;
      out += line;
      if (end == std::string::npos) break;
      out += '\n';
      start = end + 1;
      first_line = false;
    }
    return Value(out);
  }
  if (name == "safe" || name == "e" || name == "escape" || name == "forceescape") {
    // Autoescaping is off for chat templates, so these leave the text unchanged.
    return name == "safe" ? input : Value(input.to_output());
  }
  if (name == "wordcount") return Value(static_cast<int64_t>(split_text(input.to_output(), kAbsent, -1).size()));
  return std::nullopt;
}

// Filters over lists, dicts and other iterables.
std::optional<Value> apply_sequence_filter(const std::string& name, const Value& input, const ValueList& args,
                                           const KeywordArgs& kwargs) {
  static const Value kAbsent;
  if (name == "length" || name == "count") return Value(length_of(input));
  if (name == "default" || name == "d") {
    const Value& fallback = argument(args, kwargs, 0, "default_value", Value(std::string()));
    const bool boolean = argument(args, kwargs, 1, "boolean", Value(false)).truthy();
    if (input.is_undefined() || (boolean && !input.truthy())) return fallback;
    return input;
  }
  if (name == "first" || name == "last") {
    const ValueList items = iterate(input);
    if (items.empty()) return Value::undefined(name);
    return name == "first" ? items.front() : items.back();
  }
  if (name == "items") {
    if (input.is_undefined()) return Value(ValueList{});
    if (!input.is_mapping()) fail("items: expected a mapping, got {}", input.type_name());
    return *call_method(Value(input.as_dict()), "items", {}, {});
  }
  if (name == "join") {
    const Value& separator = argument(args, kwargs, 0, "d", Value(std::string()));
    const Value& attribute = argument(args, kwargs, 1, "attribute", kAbsent);
    std::string out;
    bool first = true;
    for (const Value& item : iterate(input)) {
      if (!first) out += separator.to_output();
      first = false;
      out += attribute.is_undefined() ? item.to_output() : attribute_path(item, attribute.to_output()).to_output();
    }
    return Value(out);
  }
  if (name == "list") return Value(iterate(input));
  if (name == "reverse") {
    if (input.is_string()) {
      std::u32string code_points = utf8_decode(input.as_string());
      std::reverse(code_points.begin(), code_points.end());
      return Value(utf8_encode(code_points));
    }
    ValueList items = iterate(input);
    std::reverse(items.begin(), items.end());
    return Value(std::move(items));
  }
  if (name == "unique") {
    ValueList out;
    for (const Value& item : iterate(input)) {
      if (!contains(Value(out), item)) out.push_back(item);
    }
    return Value(std::move(out));
  }
  if (name == "sort") {
    ValueList items = iterate(input);
    const bool reverse = argument(args, kwargs, 0, "reverse", Value(false)).truthy();
    const Value& attribute = argument(args, kwargs, 2, "attribute", kAbsent);
    std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
      const Value left = attribute.is_undefined() ? a : attribute_path(a, attribute.to_output());
      const Value right = attribute.is_undefined() ? b : attribute_path(b, attribute.to_output());
      return reverse ? less_than(right, left) : less_than(left, right);
    });
    return Value(std::move(items));
  }
  if (name == "dictsort") {
    if (!input.is_mapping()) fail("dictsort: expected a mapping, got {}", input.type_name());
    Value items = *call_method(Value(input.as_dict()), "items", {}, {});
    ValueList list = items.as_list();
    std::stable_sort(list.begin(), list.end(),
                     [](const Value& a, const Value& b) { return less_than(a.as_list()[0], b.as_list()[0]); });
    return Value(std::move(list));
  }
  if (name == "map") {
    const Value& attribute = argument({}, kwargs, 0, "attribute", kAbsent);
    ValueList out;
    for (const Value& item : iterate(input)) {
      if (!attribute.is_undefined()) {
        Value mapped = attribute_path(item, attribute.to_output());
        if (mapped.is_undefined()) mapped = argument({}, kwargs, 0, "default", mapped);
        out.push_back(mapped);
      } else {
        if (args.empty()) fail("map: pass a filter name or attribute=...");
        out.push_back(apply_filter(string_argument(args[0], "map filter name"), item,
                                   ValueList(args.begin() + 1, args.end()), {}));
      }
    }
    return Value(std::move(out));
  }
  if (name == "select") return filter_items(input, args, true, false);
  if (name == "reject") return filter_items(input, args, false, false);
  if (name == "selectattr") return filter_items(input, args, true, true);
  if (name == "rejectattr") return filter_items(input, args, false, true);
  if (name == "sum") {
    double total = 0.0;
    bool all_int = true;
    int64_t int_total = 0;
    for (const Value& item : iterate(input)) {
      if (!item.is_number()) fail("sum: expected numbers, got {}", item.type_name());
      all_int = all_int && item.is_int();
      if (item.is_int()) int_total += item.as_int();
      total += item.as_float();
    }
    return all_int ? Value(int_total) : Value(total);
  }
  return std::nullopt;
}

// Conversions to numbers.
std::optional<Value> apply_number_filter(const std::string& name, const Value& input, const ValueList& args,
                                         const KeywordArgs& kwargs) {
  if (name == "int") {
    if (input.is_int()) return input;
    if (input.is_bool()) return Value(static_cast<int64_t>(input.as_bool()));
    if (input.is_float()) return Value(static_cast<int64_t>(input.as_float()));
    if (input.is_string()) {
      try {
        return Value(static_cast<int64_t>(std::stoll(input.as_string())));
      } catch (const std::exception&) {
      }
    }
    return argument(args, kwargs, 0, "default", Value(static_cast<int64_t>(0)));
  }
  if (name == "float") {
    if (input.is_number()) return Value(input.as_float());
    if (input.is_string()) {
      try {
        return Value(std::stod(input.as_string()));
      } catch (const std::exception&) {
      }
    }
    return argument(args, kwargs, 0, "default", Value(0.0));
  }
  if (name == "abs") {
    if (input.is_int()) return Value(static_cast<int64_t>(std::llabs(input.as_int())));
    if (input.is_float()) return Value(std::fabs(input.as_float()));
    fail("abs: expected a number, got {}", input.type_name());
  }
  return std::nullopt;
}

}  // namespace

Value apply_filter(const std::string& name, const Value& input, const ValueList& args, const KeywordArgs& kwargs) {
  if (auto result = apply_text_filter(name, input, args, kwargs)) return *result;
  if (auto result = apply_sequence_filter(name, input, args, kwargs)) return *result;
  if (auto result = apply_number_filter(name, input, args, kwargs)) return *result;
  fail("unknown filter '{}'; supported: trim, tojson, length, count, string, default, first, last, items, join, upper, "
       "lower, title, capitalize, replace, list, reverse, unique, sort, dictsort, map, select, reject, selectattr, "
       "rejectattr, int, float, abs, indent, safe, escape, wordcount, sum",
       name);
}

Dict make_globals() {
  Dict globals;
  globals.set("raise_exception", Value::make_function("raise_exception", [](const ValueList& args, const KeywordArgs&) -> Value {
                const std::string message = args.empty() ? std::string() : args[0].to_output();
                fail("raise_exception: {}", message);
              }));
  globals.set("strftime_now", Value::make_function("strftime_now", [](const ValueList& args, const KeywordArgs&) -> Value {
                if (args.empty() || !args[0].is_string()) fail("strftime_now: expected a format string such as \"%d %b %Y\"");
                const std::time_t now = std::time(nullptr);
                std::tm local{};
                localtime_r(&now, &local);
                char buffer[256];
                const size_t written = std::strftime(buffer, sizeof(buffer), args[0].as_string().c_str(), &local);
                return Value(std::string(buffer, written));
              }));
  globals.set("namespace", Value::make_function("namespace", [](const ValueList& args, const KeywordArgs& kwargs) -> Value {
                Dict attributes;
                if (!args.empty() && args[0].is_mapping()) {
                  for (const auto& [key, value] : args[0].as_dict().entries()) attributes.set(key, value);
                }
                for (const auto& [key, value] : kwargs) attributes.set(key, value);
                return Value::make_namespace(std::move(attributes));
              }));
  globals.set("dict", Value::make_function("dict", [](const ValueList& args, const KeywordArgs& kwargs) -> Value {
                Dict dict;
                if (!args.empty() && args[0].is_mapping()) {
                  for (const auto& [key, value] : args[0].as_dict().entries()) dict.set(key, value);
                }
                for (const auto& [key, value] : kwargs) dict.set(key, value);
                return Value(std::move(dict));
              }));
  globals.set("range", Value::make_function("range", [](const ValueList& args, const KeywordArgs&) -> Value {
                return python_range(args);
              }));
  return globals;
}

}  // namespace r1::jinja
