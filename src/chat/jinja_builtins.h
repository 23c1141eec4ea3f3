// Filters, tests, Python string/dict methods and global functions available
// to chat templates. Each follows Jinja2 3.1 and CPython semantics for the
// inputs chat templates pass; errors throw r1::Error without a source
// position, which the interpreter adds.
#pragma once

#include <optional>
#include <string>

#include "chat/jinja_value.h"

namespace r1::jinja {

// Jinja2 attribute access `object.name` and subscript `object[key]`: dict
// keys, list and string indexes. Missing entries give Undefined; any access
// on an Undefined value throws.
Value get_attribute(const Value& object, const std::string& name);
Value get_item(const Value& object, const Value& key);

// Applies `input | name(args)`. Throws for an unknown filter.
Value apply_filter(const std::string& name, const Value& input, const ValueList& args, const KeywordArgs& kwargs);

// Evaluates `input is name(args)`. Throws for an unknown test.
bool apply_test(const std::string& name, const Value& input, const ValueList& args);

// Calls a Python method of a built-in type, such as "a,b".split(",") or
// message.get("content"). Returns nullopt when the type has no such method.
std::optional<Value> call_method(const Value& object, const std::string& name, const ValueList& args,
                                 const KeywordArgs& kwargs);

// Python's `needle in haystack` for strings, lists and dicts.
bool contains(const Value& haystack, const Value& needle);

// The items a for loop visits: list elements, dict keys or string characters.
ValueList iterate(const Value& value);

// The globals that transformers gives chat templates (raise_exception,
// strftime_now, namespace, dict) plus Jinja2's range.
Dict make_globals();

// Python len().
int64_t length_of(const Value& value);

}  // namespace r1::jinja
