// LabelSelector::parse: the lexer and recursive-descent parser for the label selector string
// syntax, following Kubernetes' grammar, tokenisation and error wording:
//
//   selector    ::= requirement | requirement "," selector
//   requirement ::= ["!"] KEY [ ("in" | "notin") "(" values ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
//
// `in` and `notin` are keywords only in operator position; elsewhere they are identifiers.
#include <set>
#include <string>
#include <vector>

#include "api/selector/label_requirement.h"
#include "api/selector/label_selector.h"
#include "api/selector/label_syntax.h"

namespace kite::api {
namespace {

using Op = LabelSelector::Op;

enum class Tok {
  Error, End, ClosedPar, Comma, Bang, DoubleEquals, Equals, Greater, Identifier, In, Less,
  NotEquals, NotIn, OpenPar,
};

struct Item {
  Tok tok;
  std::string text;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_special(char c) {
  switch (c) {
    case '=': case '!': case '(': case ')': case ',': case '>': case '<':
      return true;
    default:
      return false;
  }
}

// The token a literal spells, or Identifier.
Tok token_of(const std::string& s) {
  if (s == ")") return Tok::ClosedPar;
  if (s == ",") return Tok::Comma;
  if (s == "!") return Tok::Bang;
  if (s == "==") return Tok::DoubleEquals;
  if (s == "=") return Tok::Equals;
  if (s == ">") return Tok::Greater;
  if (s == "in") return Tok::In;
  if (s == "<") return Tok::Less;
  if (s == "!=") return Tok::NotEquals;
  if (s == "notin") return Tok::NotIn;
  if (s == "(") return Tok::OpenPar;
  return Tok::Identifier;
}

std::vector<Item> lex(std::string_view s) {
  std::vector<Item> items;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && is_space(s[pos])) ++pos;
    if (pos >= s.size() || s[pos] == '\0') {
      items.push_back({Tok::End, ""});
      return items;
    }
    if (is_special(s[pos])) {
      // Longest run of special characters that still spells an operator.
      std::string buffer, best;
      Tok best_tok = Tok::Error;
      while (pos < s.size() && is_special(s[pos])) {
        buffer += s[pos];
        Tok t = token_of(buffer);
        if (t != Tok::Identifier) {
          best = buffer;
          best_tok = t;
          ++pos;
        } else if (best_tok != Tok::Error) {
          break;
        } else {
          ++pos;
        }
      }
      if (best_tok == Tok::Error) {
        items.push_back({Tok::Error, "error expected: keyword found '" + buffer + "'"});
      } else {
        items.push_back({best_tok, best});
      }
      continue;
    }
    std::string word;
    while (pos < s.size() && s[pos] != '\0' && !is_special(s[pos]) && !is_space(s[pos])) {
      word += s[pos++];
    }
    items.push_back({token_of(word), word});
  }
}

enum class Context { KeyAndOperator, Values };

class Parser {
 public:
  explicit Parser(std::vector<Item> items) : items_(std::move(items)) {}

  std::expected<std::vector<LabelSelector::Requirement>, std::string> parse() {
    std::vector<LabelSelector::Requirement> reqs;
    while (true) {
      auto [tok, text] = lookahead(Context::Values);
      switch (tok) {
        case Tok::Identifier:
        case Tok::Bang: {
          auto r = parse_requirement();
          if (!r) return std::unexpected("unable to parse requirement: " + r.error());
          reqs.push_back(std::move(*r));
          auto [t, l] = consume(Context::Values);
          if (t == Tok::End) return reqs;
          if (t == Tok::Comma) {
            auto [t2, l2] = lookahead(Context::Values);
            if (t2 != Tok::Identifier && t2 != Tok::Bang) {
              return std::unexpected("found '" + l2 + "', expected: identifier after ','");
            }
            break;
          }
          return std::unexpected("found '" + l + "', expected: ',' or 'end of string'");
        }
        case Tok::End:
          return reqs;
        default:
          return std::unexpected("found '" + text +
                                 "', expected: !, identifier, or 'end of string'");
      }
    }
  }

 private:
  Item lookahead(Context ctx) const { return adjust(items_[pos_], ctx); }
  Item consume(Context ctx) {
    Item it = adjust(items_[pos_], ctx);
    if (pos_ + 1 < items_.size()) ++pos_;
    return it;
  }
  static Item adjust(Item it, Context ctx) {
    if (ctx == Context::Values && (it.tok == Tok::In || it.tok == Tok::NotIn)) {
      it.tok = Tok::Identifier;
    }
    return it;
  }

  std::expected<LabelSelector::Requirement, std::string> parse_requirement() {
    // Key, with an inferred Exists/DoesNotExist operator.
    bool negated = false;
    Item first = consume(Context::Values);
    if (first.tok == Tok::Bang) {
      negated = true;
      first = consume(Context::Values);
    }
    const std::string& key = first.text;
    if (first.tok != Tok::Identifier) {
      return std::unexpected("found '" + key + "', expected: identifier");
    }
    if (auto errs = label_key_errors(key); !errs.empty()) {
      std::string msg = "key: Invalid value: " + quote_value(key) + ": ";
      for (size_t i = 0; i < errs.size(); ++i) msg += (i ? "; " : "") + errs[i];
      return std::unexpected(msg);
    }
    Tok next = lookahead(Context::Values).tok;
    if (negated) return make_label_requirement(key, Op::DoesNotExist, {});
    if (next == Tok::End || next == Tok::Comma) return make_label_requirement(key, Op::Exists, {});

    auto [op_tok, op_text] = consume(Context::KeyAndOperator);
    Op op;
    switch (op_tok) {
      case Tok::In: op = Op::In; break;
      case Tok::NotIn: op = Op::NotIn; break;
      case Tok::Equals: op = Op::Equals; break;
      case Tok::DoubleEquals: op = Op::DoubleEquals; break;
      case Tok::NotEquals: op = Op::NotEquals; break;
      case Tok::Greater: op = Op::GreaterThan; break;
      case Tok::Less: op = Op::LessThan; break;
      default:
        return std::unexpected("found '" + op_text + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    std::expected<std::set<std::string>, std::string> values =
        (op == Op::In || op == Op::NotIn) ? parse_values() : parse_exact_value();
    if (!values) return std::unexpected(values.error());
    return make_label_requirement(key, op, {values->begin(), values->end()});
  }

  // "(" [values] ")" where values may be empty or contain empty entries: "(a,,b)", "(,)".
  std::expected<std::set<std::string>, std::string> parse_values() {
    auto [tok, text] = consume(Context::Values);
    if (tok != Tok::OpenPar) return std::unexpected("found '" + text + "' expected: '('");
    auto [t, l] = lookahead(Context::Values);
    switch (t) {
      case Tok::Identifier:
      case Tok::Comma: {
        auto s = parse_identifiers();
        if (!s) return s;
        if (consume(Context::Values).tok != Tok::ClosedPar) {
          return std::unexpected("found '" + l + "', expected: ')'");
        }
        return s;
      }
      case Tok::ClosedPar:
        consume(Context::Values);
        return std::set<std::string>{""};
      default:
        return std::unexpected("found '" + l + "', expected: ',', ')' or identifier");
    }
  }

  std::expected<std::set<std::string>, std::string> parse_identifiers() {
    std::set<std::string> s;
    while (true) {
      auto [tok, text] = consume(Context::Values);
      if (tok == Tok::Identifier) {
        s.insert(text);
        auto [t2, l2] = lookahead(Context::Values);
        if (t2 == Tok::Comma) continue;
        if (t2 == Tok::ClosedPar) return s;
        return std::unexpected("found '" + l2 + "', expected: ',' or ')'");
      }
      if (tok == Tok::Comma) {
        if (s.empty()) s.insert("");  // "(,"
        Tok t2 = lookahead(Context::Values).tok;
        if (t2 == Tok::ClosedPar) {  // ",)"
          s.insert("");
          return s;
        }
        if (t2 == Tok::Comma) s.insert("");  // ",,"
        continue;
      }
      return std::unexpected("found '" + text + "', expected: ',', or identifier");
    }
  }

  std::expected<std::set<std::string>, std::string> parse_exact_value() {
    Tok t = lookahead(Context::Values).tok;
    if (t == Tok::End || t == Tok::Comma) return std::set<std::string>{""};
    auto [tok, text] = consume(Context::Values);
    if (tok == Tok::Identifier) return std::set<std::string>{text};
    return std::unexpected("found '" + text + "', expected: identifier");
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

}  // namespace

base::Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  Parser parser(lex(text));
  auto reqs = parser.parse();
  if (!reqs) return base::error(base::Reason::BadRequest, reqs.error());
  return from_requirements(std::move(*reqs));
}

}  // namespace kite::api
