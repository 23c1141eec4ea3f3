// A compiled Jinja template: parse once, render many times. It implements the
// subset of Jinja2 that Hugging Face chat templates use, with the settings
// transformers applies (trim_blocks, lstrip_blocks, no autoescaping, the
// loop-controls extension and a tojson filter that keeps non-ASCII text).
#pragma once

#include <memory>
#include <string>

#include "chat/jinja_ast.h"
#include "chat/jinja_value.h"

namespace r1::jinja {

class Template {
 public:
  // Throws r1::Error naming the line, column and what was expected when the
  // source does not parse.
  explicit Template(const std::string& source);

  // Renders with the given variables on top of the globals from
  // make_globals(). Throws r1::Error with the line and column of the failing
  // tag, including for raise_exception() calls in the template.
  std::string render(const Dict& variables) const;

 private:
  std::shared_ptr<const Body> body_;
};

}  // namespace r1::jinja
