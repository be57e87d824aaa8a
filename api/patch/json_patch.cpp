#include "api/patch/json_patch.h"

#include <string>
#include <vector>

#include "api/patch/json_pointer.h"

namespace kite::api {
namespace {

using base::Reason;
using Tokens = std::vector<std::string>;

std::unexpected<base::Status> bad_request(const std::string& msg) {
  return base::error(Reason::BadRequest, msg);
}
std::unexpected<base::Status> invalid(const std::string& msg) {
  return base::error(Reason::Invalid, msg);
}

std::string json_quote(const std::string& s) { return json(s).dump(); }

std::string missing(const std::string& op, const std::string& path) {
  return "jsonpatch " + op + " operation does not apply: doc is missing path: " + json_quote(path);
}

// Inserts `value` at `tokens` (RFC 6902 "add").
base::Result<void> add_at(json& doc, const Tokens& tokens, json value, const std::string& op,
                          const std::string& path) {
  if (tokens.empty()) {
    doc = std::move(value);
    return {};
  }
  Tokens parent_tokens(tokens.begin(), tokens.end() - 1);
  json* parent = resolve_json_pointer(doc, parent_tokens);
  if (!parent) return invalid(missing(op, path));
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
    return {};
  }
  if (parent->is_array()) {
    if (last == "-") {
      parent->push_back(std::move(value));
      return {};
    }
    auto idx = parse_array_index(last);
    if (!idx || *idx > parent->size()) {
      return invalid("jsonpatch " + op + " operation does not apply: index out of range: " +
                     json_quote(path));
    }
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(*idx), std::move(value));
    return {};
  }
  return invalid(missing(op, path));
}

// Removes and returns the value at `tokens`.
base::Result<json> remove_at(json& doc, const Tokens& tokens, const std::string& op,
                             const std::string& path) {
  if (tokens.empty()) {
    return invalid("jsonpatch " + op + " operation does not apply: cannot remove the whole document");
  }
  Tokens parent_tokens(tokens.begin(), tokens.end() - 1);
  json* parent = resolve_json_pointer(doc, parent_tokens);
  if (!parent) return invalid(missing(op, path));
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    auto it = parent->find(last);
    if (it == parent->end()) return invalid(missing(op, path));
    json out = std::move(*it);
    parent->erase(it);
    return out;
  }
  if (parent->is_array()) {
    auto idx = parse_array_index(last);
    if (!idx || *idx >= parent->size()) return invalid(missing(op, path));
    json out = std::move((*parent)[*idx]);
    parent->erase(*idx);
    return out;
  }
  return invalid(missing(op, path));
}

// Reads the string member `name` of an operation as a pointer.
base::Result<std::pair<std::string, Tokens>> pointer_member(const json& operation,
                                                            const char* name, size_t i) {
  auto it = operation.find(name);
  if (it == operation.end() || !it->is_string()) {
    return bad_request("json patch operation " + std::to_string(i) + ": missing \"" + name +
                       "\" (a string)");
  }
  std::string text = it->get<std::string>();
  auto tokens = parse_json_pointer(text);
  if (!tokens) {
    return bad_request("json patch operation " + std::to_string(i) + ": invalid JSON pointer " +
                       json_quote(text) + " in \"" + name + "\"");
  }
  return std::pair(std::move(text), std::move(*tokens));
}

bool is_proper_prefix(const Tokens& prefix, const Tokens& of) {
  if (prefix.size() >= of.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != of[i]) return false;
  }
  return true;
}

base::Result<void> apply_one(json& doc, const json& operation, size_t i) {
  if (!operation.is_object()) {
    return bad_request("json patch operation " + std::to_string(i) + " is not an object");
  }
  auto op_it = operation.find("op");
  if (op_it == operation.end() || !op_it->is_string()) {
    return bad_request("json patch operation " + std::to_string(i) + ": missing \"op\"");
  }
  const std::string op = op_it->get<std::string>();
  if (op != "add" && op != "remove" && op != "replace" && op != "move" && op != "copy" &&
      op != "test") {
    return bad_request("json patch operation " + std::to_string(i) + ": unknown op " + json_quote(op));
  }
  auto path = pointer_member(operation, "path", i);
  if (!path) return std::unexpected(path.error());
  const auto& [path_text, tokens] = *path;

  const json* value = nullptr;
  if (op == "add" || op == "replace" || op == "test") {
    auto v = operation.find("value");
    if (v == operation.end()) {
      return bad_request("json patch operation " + std::to_string(i) + ": " + op +
                         " needs a \"value\"");
    }
    value = &*v;
  }

  if (op == "add") return add_at(doc, tokens, *value, op, path_text);
  if (op == "remove") {
    auto removed = remove_at(doc, tokens, op, path_text);
    if (!removed) return std::unexpected(removed.error());
    return {};
  }
  if (op == "replace") {
    json* target = resolve_json_pointer(doc, tokens);
    if (!target) return invalid(missing(op, path_text));
    *target = *value;
    return {};
  }
  if (op == "test") {
    const json* target = resolve_json_pointer(doc, tokens);
    if (!target) return invalid("testing value " + path_text + " failed: doc is missing path");
    if (*target != *value) return invalid("testing value " + path_text + " failed: test failed");
    return {};
  }
  // move, copy
  auto from = pointer_member(operation, "from", i);
  if (!from) return std::unexpected(from.error());
  const auto& [from_text, from_tokens] = *from;
  if (op == "copy") {
    const json* source = resolve_json_pointer(doc, from_tokens);
    if (!source) return invalid(missing(op, from_text));
    return add_at(doc, tokens, json(*source), op, path_text);
  }
  if (from_tokens == tokens) {
    if (!resolve_json_pointer(doc, from_tokens)) return invalid(missing(op, from_text));
    return {};
  }
  if (is_proper_prefix(from_tokens, tokens)) {
    return invalid("jsonpatch move operation does not apply: " + json_quote(path_text) +
                   " is a child of " + json_quote(from_text));
  }
  auto moved = remove_at(doc, from_tokens, op, from_text);
  if (!moved) return std::unexpected(moved.error());
  return add_at(doc, tokens, std::move(*moved), op, path_text);
}

}  // namespace

base::Result<json> apply_json_patch(const json& doc, const json& patch) {
  if (!patch.is_array()) {
    return bad_request("json patch must be a list of operations");
  }
  try {
    json out = doc;
    for (size_t i = 0; i < patch.size(); ++i) {
      auto r = apply_one(out, patch[i], i);
      if (!r) return std::unexpected(r.error());
    }
    return out;
  } catch (const std::exception& e) {  // defensive: nlohmann must not escape
    return base::error(Reason::InternalError, std::string("json patch: ") + e.what());
  }
}

}  // namespace kite::api
