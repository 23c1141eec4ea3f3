#include "chat/jinja_value.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "chat/utf8.h"
#include "util/error.h"

namespace r1::jinja {

const Value* Dict::find(const std::string& key) const {
  for (const auto& entry : entries_) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

Value* Dict::find(const std::string& key) {
  for (auto& entry : entries_) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

void Dict::set(const std::string& key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  entries_.emplace_back(key, std::move(value));
}

Value Value::make_tuple(ValueList items) {
  Value value(std::move(items));
  value.tuple_ = true;
  return value;
}

Value Value::make_namespace(Dict attributes) {
  Value value(Kind::Namespace);
  value.dict_ = std::make_shared<Dict>(std::move(attributes));
  return value;
}

Value Value::make_function(std::string name, Function function) {
  Value value(Kind::Function);
  value.string_ = std::move(name);
  value.function_ = std::make_shared<Function>(std::move(function));
  return value;
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::Undefined:
    case Kind::None:
      return false;
    case Kind::Bool:
      return bool_;
    case Kind::Int:
      return int_ != 0;
    case Kind::Float:
      return float_ != 0.0;
    case Kind::String:
      return !string_.empty();
    case Kind::List:
      return !list_->empty();
    case Kind::Dict:
      return dict_->size() > 0;
    case Kind::Namespace:
    case Kind::Function:
      return true;
  }
  return false;
}

std::string format_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";

  // Python switches to exponent notation below 1e-4 and from 1e16 on.
  const double magnitude = std::fabs(value);
  std::string text;
  if (magnitude != 0.0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    text = fmt::format("{:e}", value);
    // Use the shortest round-trip digits, then Python's exponent form (1e-05).
    std::string shortest = fmt::format("{}", value);
    if (shortest.find('e') != std::string::npos) text = shortest;
    const size_t e = text.find('e');
    if (e != std::string::npos) {
      std::string mantissa = text.substr(0, e);
      std::string exponent = text.substr(e + 1);
      char sign = '+';
      if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
        sign = exponent[0];
        exponent = exponent.substr(1);
      }
      while (exponent.size() > 2 && exponent[0] == '0') exponent.erase(0, 1);
      if (exponent.size() < 2) exponent.insert(0, "0");
      text = mantissa + "e" + sign + exponent;
    }
    return text;
  }
  text = fmt::format("{}", value);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

namespace {

// Python's repr() of a str: single quotes unless the text contains a single
// quote and no double quote.
std::string repr_string(const std::string& text) {
  const bool has_single = text.find('\'') != std::string::npos;
  const bool has_double = text.find('"') != std::string::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c == quote) {
          out += '\\';
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += quote;
  return out;
}

}  // namespace

std::string Value::repr() const {
  switch (kind_) {
    case Kind::String:
      return repr_string(string_);
    case Kind::List: {
      std::string out = tuple_ ? "(" : "[";
      for (size_t i = 0; i < list_->size(); ++i) {
        if (i > 0) out += ", ";
        out += (*list_)[i].repr();
      }
      if (tuple_ && list_->size() == 1) out += ",";
      return out + (tuple_ ? ")" : "]");
    }
    case Kind::Dict: {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, value] : dict_->entries()) {
        if (!first) out += ", ";
        first = false;
        out += repr_string(key) + ": " + value.repr();
      }
      return out + "}";
    }
    case Kind::Undefined:
      return "Undefined";
    default:
      return to_output();
  }
}

std::string Value::to_output() const {
  switch (kind_) {
    case Kind::Undefined:
      return "";
    case Kind::None:
      return "None";
    case Kind::Bool:
      return bool_ ? "True" : "False";
    case Kind::Int:
      return std::to_string(int_);
    case Kind::Float:
      return format_float(float_);
    case Kind::String:
      return string_;
    case Kind::List:
    case Kind::Dict:
      return repr();
    case Kind::Namespace:
      return "<Namespace>";
    case Kind::Function:
      return "<function " + string_ + ">";
  }
  return "";
}

std::string Value::type_name() const {
  switch (kind_) {
    case Kind::Undefined:
      return "undefined";
    case Kind::None:
      return "NoneType";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "str";
    case Kind::List:
      return "list";
    case Kind::Dict:
      return "dict";
    case Kind::Namespace:
      return "Namespace";
    case Kind::Function:
      return "function";
  }
  return "?";
}

bool Value::equals(const Value& other) const {
  // Numbers compare by value across int, float and bool, as in Python.
  const bool numeric = is_number() || is_bool();
  const bool other_numeric = other.is_number() || other.is_bool();
  if (numeric && other_numeric) {
    if (is_int() && other.is_int()) return int_ == other.int_;
    auto number = [](const Value& value) {
      if (value.is_bool()) return value.as_bool() ? 1.0 : 0.0;
      return value.as_float();
    };
    return number(*this) == number(other);
  }
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::Undefined:
    case Kind::None:
      return true;
    case Kind::String:
      return string_ == other.string_;
    case Kind::List: {
      if (tuple_ != other.tuple_ || list_->size() != other.list_->size()) return false;
      for (size_t i = 0; i < list_->size(); ++i) {
        if (!(*list_)[i].equals((*other.list_)[i])) return false;
      }
      return true;
    }
    case Kind::Dict: {
      if (dict_->size() != other.dict_->size()) return false;
      for (const auto& [key, value] : dict_->entries()) {
        const Value* match = other.dict_->find(key);
        if (match == nullptr || !value.equals(*match)) return false;
      }
      return true;
    }
    case Kind::Namespace:
      return dict_ == other.dict_;
    case Kind::Function:
      return function_ == other.function_;
    default:
      return false;
  }
}

Value from_json(const nlohmann::ordered_json& json) {
  switch (json.type()) {
    case nlohmann::ordered_json::value_t::null:
      return Value::none();
    case nlohmann::ordered_json::value_t::boolean:
      return Value(json.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value(json.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      const uint64_t number = json.get<uint64_t>();
      if (number > static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<double>(number));
      return Value(static_cast<int64_t>(number));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value(json.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value(json.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      ValueList list;
      list.reserve(json.size());
      for (const auto& item : json) list.push_back(from_json(item));
      return Value(std::move(list));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict dict;
      for (const auto& [key, item] : json.items()) dict.set(key, from_json(item));
      return Value(std::move(dict));
    }
    default:
      fail("chat template input: unsupported JSON value {} (binary or discarded); pass plain JSON data",
           json.type_name());
  }
}

namespace {

// Python json.dumps escaping of one ASCII byte: the quote, the backslash and
// control characters below 0x20. Other bytes are copied.
void append_json_char(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
      } else {
        out += c;
      }
  }
}

void append_json_string(std::string& out, const std::string& text, bool ensure_ascii) {
  out += '"';
  if (!ensure_ascii) {
    for (char c : text) append_json_char(out, c);
  } else {
    // Python escapes every non-ASCII code point, with surrogate pairs above U+FFFF.
    for (char32_t c : utf8_decode(text)) {
      if (c < 0x80) {
        append_json_char(out, static_cast<char>(c));
      } else if (c < 0x10000) {
        out += fmt::format("\\u{:04x}", static_cast<uint32_t>(c));
      } else {
        const uint32_t offset = static_cast<uint32_t>(c) - 0x10000;
        out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (offset >> 10), 0xDC00 + (offset & 0x3FF));
      }
    }
  }
  out += '"';
}

void append_json(std::string& out, const Value& value, const JsonFormat& format,
                 const std::pair<std::string, std::string>& separators, int depth) {
  const int indent = format.indent;
  const std::string& item_separator = separators.first;
  auto newline = [&](int level) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent) * level, ' ');
  };

  switch (value.kind()) {
    case Value::Kind::None:
      out += "null";
      return;
    case Value::Kind::Bool:
      out += value.as_bool() ? "true" : "false";
      return;
    case Value::Kind::Int:
      out += std::to_string(value.as_int());
      return;
    case Value::Kind::Float: {
      const double number = value.as_float();
      if (std::isnan(number)) {
        out += "NaN";
      } else if (std::isinf(number)) {
        out += number > 0 ? "Infinity" : "-Infinity";
      } else {
        out += format_float(number);
      }
      return;
    }
    case Value::Kind::String:
      append_json_string(out, value.as_string(), format.ensure_ascii);
      return;
    case Value::Kind::List: {
      const auto& list = value.as_list();
      if (list.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < list.size(); ++i) {
        if (i > 0) out += item_separator;
        newline(depth + 1);
        append_json(out, list[i], format, separators, depth + 1);
      }
      newline(depth);
      out += ']';
      return;
    }
    case Value::Kind::Dict:
    case Value::Kind::Namespace: {
      auto entries = value.as_dict().entries();
      if (entries.empty()) {
        out += "{}";
        return;
      }
      if (format.sort_keys) {
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
      }
      out += '{';
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out += item_separator;
        newline(depth + 1);
        append_json_string(out, entries[i].first, format.ensure_ascii);
        out += separators.second;
        append_json(out, entries[i].second, format, separators, depth + 1);
      }
      newline(depth);
      out += '}';
      return;
    }
    case Value::Kind::Undefined:
      fail("tojson: the value '{}' is undefined and cannot be serialized; check the variable name",
           value.undefined_name());
    case Value::Kind::Function:
      fail("tojson: the function '{}' cannot be serialized to JSON", value.function_name());
  }
}

}  // namespace

std::string to_json(const Value& value, const JsonFormat& format) {
  const std::pair<std::string, std::string> defaults{format.indent >= 0 ? "," : ", ", ": "};
  std::string out;
  append_json(out, value, format, format.separators.value_or(defaults), 0);
  return out;
}

}  // namespace r1::jinja
