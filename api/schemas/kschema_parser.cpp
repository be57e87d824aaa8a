// Parser of the .kschema format: see api/schemas/README.md.
#include "api/schemas/kschema_parser.h"

#include <memory>
#include <set>
#include <sstream>

namespace kite::api {
namespace {

using base::Reason;

struct RawField {
  std::string name;
  std::vector<std::string> tokens;  // type spec first, then attributes
  std::string description;
  int line = 0;
};

struct RawDef {
  std::string file;
  int line = 0;
  std::vector<std::string> head;  // type spec, then attributes
  std::string description;
  std::vector<RawField> fields;
};

std::vector<std::string> split_ws(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string tok;
  while (in >> tok) out.push_back(tok);
  return out;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

class Builder {
 public:
  explicit Builder(std::map<std::string, RawDef> raw) : raw_(std::move(raw)) {}

  base::Result<std::map<std::string, SchemaPtr>> build_all() {
    for (const auto& [name, def] : raw_) {
      auto r = definition(name);
      if (!r) return std::unexpected(r.error());
    }
    return built_;
  }

 private:
  std::unexpected<base::Status> fail(const std::string& where, const std::string& what) {
    return base::error(Reason::Invalid, "kschema " + where + ": " + what);
  }

  base::Result<SchemaPtr> definition(const std::string& name) {
    if (auto it = built_.find(name); it != built_.end()) return it->second;
    auto it = raw_.find(name);
    if (it == raw_.end()) return fail(name, "unknown definition");
    const RawDef& def = it->second;
    std::string where = def.file + ":" + std::to_string(def.line);
    if (in_progress_.count(name)) return fail(where, "reference cycle through " + name);
    in_progress_.insert(name);
    if (def.head.empty()) return fail(where, "definition " + name + " has no type");
    auto schema = inline_type(def.head[0], where);
    if (!schema) return std::unexpected(schema.error());
    auto s = *schema;
    s->ref_name = name;
    s->description = def.description;
    for (size_t i = 1; i < def.head.size(); ++i) {
      bool required = false;
      if (auto st = apply_attr(*s, def.head[i], required, where); !st.is_ok())
        return std::unexpected(st);
    }
    for (const RawField& f : def.fields) {
      std::string fwhere = def.file + ":" + std::to_string(f.line);
      if (s->type != Schema::Type::Object) return fail(fwhere, "fields on a non-object type");
      if (f.tokens.empty()) return fail(fwhere, "field " + f.name + " has no type");
      bool has_attrs = f.tokens.size() > 1 || !f.description.empty();
      std::shared_ptr<Schema> fs;
      if (!has_attrs && is_ref(f.tokens[0])) {
        auto shared = definition(f.tokens[0]);
        if (!shared) return std::unexpected(shared.error());
        s->properties[f.name] = *shared;
        continue;
      }
      auto m = mutable_type(f.tokens[0], fwhere);
      if (!m) return std::unexpected(m.error());
      fs = *m;
      if (!f.description.empty()) fs->description = f.description;
      bool required = false;
      for (size_t i = 1; i < f.tokens.size(); ++i) {
        if (auto st = apply_attr(*fs, f.tokens[i], required, fwhere); !st.is_ok())
          return std::unexpected(st);
      }
      if (required) s->required.push_back(f.name);
      s->properties[f.name] = fs;
    }
    in_progress_.erase(name);
    built_[name] = s;
    return SchemaPtr(s);
  }

  // A plain reference to a definition (not an array or map of one).
  static bool is_ref(const std::string& spec) {
    return spec.find('.') != std::string::npos && spec.rfind("[]", 0) != 0 &&
           spec.rfind("{}", 0) != 0;
  }

  // A fresh schema for `spec` that the caller may amend (a copy for a reference).
  base::Result<std::shared_ptr<Schema>> mutable_type(const std::string& spec,
                                                     const std::string& where) {
    if (is_ref(spec)) {
      auto d = definition(spec);
      if (!d) return std::unexpected(d.error());
      return std::make_shared<Schema>(**d);
    }
    return inline_type(spec, where);
  }

  // A schema usable as items / map values: a shared definition or an inline type.
  base::Result<SchemaPtr> shared_type(const std::string& spec, const std::string& where) {
    if (is_ref(spec)) return definition(spec);
    auto r = inline_type(spec, where);
    if (!r) return std::unexpected(r.error());
    return SchemaPtr(*r);
  }

  base::Result<std::shared_ptr<Schema>> inline_type(const std::string& spec,
                                                    const std::string& where) {
    auto s = std::make_shared<Schema>();
    if (spec.rfind("[]", 0) == 0) {
      auto items = shared_type(spec.substr(2), where);
      if (!items) return std::unexpected(items.error());
      s->type = Schema::Type::Array;
      s->items = *items;
      return s;
    }
    if (spec.rfind("{}", 0) == 0) {
      auto values = shared_type(spec.substr(2), where);
      if (!values) return std::unexpected(values.error());
      s->type = Schema::Type::Object;
      s->additional_properties = *values;
      return s;
    }
    if (is_ref(spec)) return mutable_type(spec, where);
    std::string base = spec, format;
    if (auto colon = spec.find(':'); colon != std::string::npos) {
      base = spec.substr(0, colon);
      format = spec.substr(colon + 1);
    }
    if (base == "object") {
      s->type = Schema::Type::Object;
    } else if (base == "any") {
      s->type = Schema::Type::Any;
      s->preserve_unknown_fields = true;
    } else if (base == "string") {
      s->type = Schema::Type::String;
    } else if (base == "integer") {
      s->type = Schema::Type::Integer;
    } else if (base == "number") {
      s->type = Schema::Type::Number;
    } else if (base == "boolean") {
      s->type = Schema::Type::Boolean;
    } else if (base == "int-or-string") {
      s->type = Schema::Type::IntOrString;
    } else if (base == "quantity") {
      s->type = Schema::Type::Quantity;
    } else {
      return fail(where, "unknown type '" + spec + "'");
    }
    s->format = format;
    return s;
  }

  base::Status apply_attr(Schema& s, const std::string& attr, bool& required,
                          const std::string& where) {
    auto eq = attr.find('=');
    std::string key = attr.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : attr.substr(eq + 1);
    if (key == "required") {
      required = true;
    } else if (key == "preserve") {
      s.preserve_unknown_fields = true;
    } else if (key == "embedded") {
      s.embedded_resource = true;
    } else if (key == "nullable") {
      s.nullable = true;
    } else if (key == "patch") {
      s.patch_strategy = value;
    } else if (key == "key") {
      s.patch_merge_key = value;
    } else if (key == "list") {
      s.list_type = value;
    } else if (key == "mapkeys") {
      s.list_map_keys = split_on(value, ',');
    } else if (key == "map") {
      s.map_type = value;
    } else if (key == "enum") {
      for (auto& v : split_on(value, '|')) s.enum_values.push_back(v);
    } else if (key == "pb") {
      // A dotted path of protobuf field numbers: embedding fields first, the field's own last.
      std::vector<int> path;
      for (const auto& part : split_on(value, '.')) {
        int n = 0;
        if (part.empty() || part.size() > 9 ||
            part.find_first_not_of("0123456789") != std::string::npos ||
            (n = std::stoi(part)) <= 0)
          return {Reason::Invalid, "kschema " + where + ": bad protobuf field '" + attr + "'"};
        path.push_back(n);
      }
      s.proto_field = path.back();
      path.pop_back();
      s.proto_embedded_in = std::move(path);
    } else if (key == "omitzero") {
      s.omit_zero = true;
    } else if (key == "default") {
      json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) return {Reason::Invalid, "kschema " + where + ": bad default"};
      s.default_value = parsed;
    } else {
      return {Reason::Invalid, "kschema " + where + ": unknown attribute '" + attr + "'"};
    }
    return {};
  }

  std::map<std::string, RawDef> raw_;
  std::map<std::string, SchemaPtr> built_;
  std::set<std::string> in_progress_;
};

}  // namespace

base::Result<ParsedSchemas> parse_kschema(
    const std::vector<std::pair<std::string, std::string>>& files) {
  std::map<std::string, RawDef> raw;
  ParsedSchemas out;
  for (const auto& [file, text] : files) {
    std::istringstream in(text);
    std::string line;
    int lineno = 0;
    RawDef* cur = nullptr;
    while (std::getline(in, line)) {
      ++lineno;
      std::string where = file + ":" + std::to_string(lineno);
      std::string description;
      if (auto sep = line.find(" -- "); sep != std::string::npos) {
        description = trim(line.substr(sep + 4));
        line = line.substr(0, sep);
      }
      std::string t = trim(line);
      if (t.empty() || t[0] == '#') continue;
      auto toks = split_ws(t);
      if (toks[0][0] == '^') {
        if (toks.size() != 4) return base::error(Reason::Invalid, "kschema " + where + ": bad kind line");
        std::string group = toks[0].substr(1);
        out.kinds.push_back({group == "core" ? "" : group, toks[1], toks[2], toks[3]});
      } else if (toks[0][0] == '@') {
        std::string name = toks[0].substr(1);
        if (raw.count(name))
          return base::error(Reason::Invalid, "kschema " + where + ": duplicate " + name);
        cur = &raw[name];
        cur->file = file;
        cur->line = lineno;
        cur->head.assign(toks.begin() + 1, toks.end());
        cur->description = description;
      } else {
        if (!cur || line[0] != ' ')
          return base::error(Reason::Invalid, "kschema " + where + ": field outside a definition");
        RawField f;
        f.name = toks[0];
        f.tokens.assign(toks.begin() + 1, toks.end());
        f.description = description;
        f.line = lineno;
        cur->fields.push_back(std::move(f));
      }
    }
  }
  Builder b(std::move(raw));
  auto defs = b.build_all();
  if (!defs) return std::unexpected(defs.error());
  out.definitions = std::move(*defs);
  for (const auto& k : out.kinds) {
    if (!out.definitions.count(k.definition))
      return base::error(Reason::Invalid, "kschema: kind " + k.kind + " names unknown " + k.definition);
  }
  return out;
}

}  // namespace kite::api
