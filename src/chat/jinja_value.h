// Runtime values of the Jinja interpreter. They follow Python's data model,
// because chat templates are written against Jinja2 running on CPython:
// lists, dicts and namespaces are shared by reference, dicts keep insertion
// order, and "undefined" differs from None.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1::jinja {

class Value;
using ValueList = std::vector<Value>;

// Keyword arguments of a call, in the order the caller wrote them.
using KeywordArgs = std::vector<std::pair<std::string, Value>>;

// A callable from the template's point of view (raise_exception, range, a
// bound string method, ...). Positional arguments come first.
using Function = std::function<Value(const ValueList& args, const KeywordArgs& kwargs)>;

// An insertion-ordered mapping with string keys (Python dict semantics for
// the JSON-shaped data that chat templates see).
class Dict {
 public:
  const Value* find(const std::string& key) const;
  Value* find(const std::string& key);
  void set(const std::string& key, Value value);
  bool contains(const std::string& key) const { return find(key) != nullptr; }
  size_t size() const { return entries_.size(); }
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, Value>> entries_;
};

class Value {
 public:
  // Namespace is a Dict whose entries are set with {% set ns.attr = ... %}.
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };

  Value() = default;  // Undefined
  static Value undefined(std::string name = "") {
    Value value;
    value.string_ = std::move(name);
    return value;
  }
  static Value none() { return Value(Kind::None); }
  Value(bool b) : kind_(Kind::Bool), bool_(b) {}
  Value(int64_t i) : kind_(Kind::Int), int_(i) {}
  Value(int i) : kind_(Kind::Int), int_(i) {}
  Value(size_t i) : kind_(Kind::Int), int_(static_cast<int64_t>(i)) {}
  Value(double d) : kind_(Kind::Float), float_(d) {}
  Value(std::string s) : kind_(Kind::String), string_(std::move(s)) {}
  Value(const char* s) : kind_(Kind::String), string_(s) {}
  Value(ValueList list) : kind_(Kind::List), list_(std::make_shared<ValueList>(std::move(list))) {}
  Value(Dict dict) : kind_(Kind::Dict), dict_(std::make_shared<Dict>(std::move(dict))) {}
  // A Python tuple: behaves as a list but prints as (a, b) and differs from lists under ==.
  static Value make_tuple(ValueList items);
  static Value make_namespace(Dict attributes);
  static Value make_function(std::string name, Function function);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::Undefined; }
  bool is_none() const { return kind_ == Kind::None; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_int() const { return kind_ == Kind::Int; }
  bool is_float() const { return kind_ == Kind::Float; }
  bool is_number() const { return kind_ == Kind::Int || kind_ == Kind::Float; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_list() const { return kind_ == Kind::List; }
  bool is_tuple() const { return kind_ == Kind::List && tuple_; }
  bool is_dict() const { return kind_ == Kind::Dict; }
  bool is_namespace() const { return kind_ == Kind::Namespace; }
  bool is_mapping() const { return kind_ == Kind::Dict || kind_ == Kind::Namespace; }
  bool is_function() const { return kind_ == Kind::Function; }

  bool as_bool() const { return bool_; }
  int64_t as_int() const { return int_; }
  double as_float() const { return kind_ == Kind::Int ? static_cast<double>(int_) : float_; }
  const std::string& as_string() const { return string_; }
  // For Undefined: the name of the missing variable or attribute, for messages.
  const std::string& undefined_name() const { return string_; }
  const ValueList& as_list() const { return *list_; }
  ValueList& as_list() { return *list_; }
  const Dict& as_dict() const { return *dict_; }
  Dict& as_dict() { return *dict_; }
  const std::string& function_name() const { return string_; }
  const Function& as_function() const { return *function_; }

  // Python truthiness: empty strings and containers, 0, None and undefined are false.
  bool truthy() const;

  // Python's str(): what {{ value }} prints. Undefined prints nothing.
  std::string to_output() const;
  // Python's repr(), used inside printed lists and dicts.
  std::string repr() const;
  // Python's type name ("str", "dict", ...) for error messages.
  std::string type_name() const;

  // Python ==, which never raises.
  bool equals(const Value& other) const;

 private:
  explicit Value(Kind kind) : kind_(kind) {}

  Kind kind_ = Kind::Undefined;
  bool tuple_ = false;
  bool bool_ = false;
  int64_t int_ = 0;
  double float_ = 0.0;
  std::string string_;
  std::shared_ptr<ValueList> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<Function> function_;
};

// Converts JSON data into template values. Object keys keep the order of the
// ordered_json; numbers keep their integer or floating-point type.
Value from_json(const nlohmann::ordered_json& json);

// Options of Python's json.dumps as transformers' tojson filter passes them.
struct JsonFormat {
  int indent = -1;  // -1 means None: everything on one line.
  bool sort_keys = false;
  bool ensure_ascii = false;  // Escape every non-ASCII character, as Python does by default.
  // Between items and between a key and its value. Python's defaults are
  // ", " and ": " without an indent, "," and ": " with one.
  std::optional<std::pair<std::string, std::string>> separators;
};

// Python's json.dumps(value, ...) with the given options.
std::string to_json(const Value& value, const JsonFormat& format = {});

// Python's repr() of a float: the shortest text that reads back the same.
std::string format_float(double value);

}  // namespace r1::jinja
