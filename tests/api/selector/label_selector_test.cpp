#include "api/selector/label_selector.h"

#include <gtest/gtest.h>

namespace kite::api {
namespace {

using json = nlohmann::json;

LabelSelector must_parse(const std::string& s) {
  auto r = LabelSelector::parse(s);
  EXPECT_TRUE(r.has_value()) << s << ": " << (r ? "" : r.error().message());
  return r ? *r : LabelSelector::nothing();
}

std::string parse_error(const std::string& s) {
  auto r = LabelSelector::parse(s);
  EXPECT_FALSE(r.has_value()) << s;
  if (r) return "";
  EXPECT_EQ(r.error().reason(), base::Reason::BadRequest);
  return r.error().message();
}

TEST(LabelSelectorParse, EqualityForms) {
  json labels = {{"app", "web"}, {"tier", "front"}};
  EXPECT_TRUE(must_parse("app=web").matches(labels));
  EXPECT_TRUE(must_parse("app==web").matches(labels));
  EXPECT_FALSE(must_parse("app!=web").matches(labels));
  EXPECT_TRUE(must_parse("app!=db").matches(labels));
  EXPECT_TRUE(must_parse("missing!=x").matches(labels));
  EXPECT_FALSE(must_parse("app=db").matches(labels));
  EXPECT_FALSE(must_parse("missing=x").matches(labels));
}

TEST(LabelSelectorParse, SetFormsAndExistence) {
  json labels = {{"env", "prod"}, {"team", "a"}};
  EXPECT_TRUE(must_parse("env in (prod,staging)").matches(labels));
  EXPECT_FALSE(must_parse("env in (dev)").matches(labels));
  EXPECT_TRUE(must_parse("env notin (dev)").matches(labels));
  EXPECT_FALSE(must_parse("env notin (prod)").matches(labels));
  EXPECT_TRUE(must_parse("other notin (prod)").matches(labels));
  EXPECT_TRUE(must_parse("team").matches(labels));
  EXPECT_FALSE(must_parse("!team").matches(labels));
  EXPECT_TRUE(must_parse("!other").matches(labels));
  EXPECT_FALSE(must_parse("other").matches(labels));
}

TEST(LabelSelectorParse, CommaIsAndAndWhitespaceIsTolerated) {
  json labels = {{"a", "1"}, {"b", "2"}};
  EXPECT_TRUE(must_parse("  a = 1 ,  b in ( 2 , 3 ) , !c ").matches(labels));
  EXPECT_FALSE(must_parse("a=1,b=3").matches(labels));
  LabelSelector s = must_parse("b=2,a=1");
  ASSERT_EQ(s.requirements().size(), 2u);
  EXPECT_EQ(s.requirements()[0].key, "a");  // sorted by key
}

TEST(LabelSelectorParse, NullOrMissingLabels) {
  EXPECT_TRUE(must_parse("!a").matches(json()));
  EXPECT_FALSE(must_parse("a").matches(json()));
  EXPECT_TRUE(must_parse("a notin (x)").matches(json::object()));
  EXPECT_TRUE(must_parse("").matches(json()));
}

TEST(LabelSelectorParse, EmptyValuesAndKeywordsAsValues) {
  json labels = {{"a", ""}, {"b", "in"}};
  EXPECT_TRUE(must_parse("a=").matches(labels));
  EXPECT_TRUE(must_parse("a in (,x)").matches(labels));
  EXPECT_TRUE(must_parse("a in ()").matches(labels));
  EXPECT_TRUE(must_parse("b in (in,notin)").matches(labels));
  EXPECT_TRUE(must_parse("b=in").matches(labels));
}

TEST(LabelSelectorParse, GreaterAndLessThan) {
  json labels = {{"n", "5"}, {"s", "x"}};
  EXPECT_TRUE(must_parse("n>3").matches(labels));
  EXPECT_FALSE(must_parse("n<3").matches(labels));
  EXPECT_FALSE(must_parse("s>3").matches(labels));
  EXPECT_FALSE(must_parse("m>3").matches(labels));
  EXPECT_NE(parse_error("n>x").find("the value must be an integer"), std::string::npos);
}

TEST(LabelSelectorParse, PrefixedKeys) {
  json labels = {{"app.kubernetes.io/name", "kite"}};
  EXPECT_TRUE(must_parse("app.kubernetes.io/name=kite").matches(labels));
  EXPECT_TRUE(must_parse("app.kubernetes.io/name in (kite)").matches(labels));
}

TEST(LabelSelectorParse, SyntaxErrorsUseKubernetesWording) {
  EXPECT_EQ(parse_error("a=b c"), "found 'c', expected: ',' or 'end of string'");
  EXPECT_EQ(parse_error("!a b"), "found 'b', expected: ',' or 'end of string'");
  EXPECT_EQ(parse_error("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(parse_error("a=b,"), "found '', expected: identifier after ','");
  EXPECT_EQ(parse_error(",a"), "found ',', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(parse_error("a in b"), "unable to parse requirement: found 'b' expected: '('");
  EXPECT_EQ(parse_error("a in (b"), "unable to parse requirement: found '', expected: ',' or ')'");
  EXPECT_EQ(parse_error("a=(b)"), "unable to parse requirement: found '(', expected: identifier");
  EXPECT_EQ(parse_error("!"), "unable to parse requirement: found '', expected: identifier");
  EXPECT_EQ(parse_error("a (b)"),
            "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
}

TEST(LabelSelectorParse, InvalidKeysAndValues) {
  std::string key_err = parse_error("a@b=c");
  EXPECT_NE(key_err.find("unable to parse requirement: key: Invalid value: \"a@b\": name part "
                         "must consist of alphanumeric characters"),
            std::string::npos)
      << key_err;
  std::string long_key = std::string(64, 'k');
  EXPECT_NE(parse_error(long_key).find("name part must be no more than 63 characters"),
            std::string::npos);
  EXPECT_NE(parse_error("Example.com/a=b").find("prefix part a lowercase RFC 1123 subdomain"),
            std::string::npos);
  EXPECT_NE(parse_error("/a").find("prefix part must be non-empty"), std::string::npos);
  EXPECT_NE(parse_error("a/b/c").find("a valid label key"), std::string::npos);
  std::string value_err = parse_error("a=b@c");
  EXPECT_NE(value_err.find("values[0][a]: Invalid value: \"b@c\": a valid label must be an "
                           "empty string or consist of alphanumeric characters"),
            std::string::npos)
      << value_err;
  EXPECT_NE(parse_error("a=" + std::string(64, 'v')).find("must be no more than 63 characters"),
            std::string::npos);
}

TEST(LabelSelectorParse, ToStringIsCanonicalAndReparses) {
  LabelSelector s = must_parse("z notin (b,a), !y, x, w==1, v!=2, u in (c), t>3");
  EXPECT_EQ(s.to_string(), "t>3,u in (c),v!=2,w==1,x,!y,z notin (a,b)");
  LabelSelector again = must_parse(s.to_string());
  EXPECT_EQ(again.to_string(), s.to_string());
  EXPECT_EQ(must_parse("").to_string(), "");
}

TEST(LabelSelectorJson, MatchLabelsAndExpressions) {
  auto s = LabelSelector::from_json(json::parse(R"({
      "matchLabels": {"app": "web"},
      "matchExpressions": [
        {"key": "env", "operator": "In", "values": ["prod", "staging"]},
        {"key": "canary", "operator": "DoesNotExist"},
        {"key": "tier", "operator": "Exists"},
        {"key": "zone", "operator": "NotIn", "values": ["b"]}
      ]})"));
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_TRUE(s->matches(json{{"app", "web"}, {"env", "prod"}, {"tier", "x"}, {"zone", "a"}}));
  EXPECT_FALSE(s->matches(json{{"app", "web"}, {"env", "prod"}, {"tier", "x"}, {"zone", "b"}}));
  EXPECT_FALSE(s->matches(json{{"app", "web"}, {"env", "dev"}, {"tier", "x"}}));
  EXPECT_FALSE(s->matches(json{{"app", "web"}, {"env", "prod"}, {"tier", "x"}, {"canary", "1"}}));
  EXPECT_FALSE(s->matches(json{{"app", "web"}, {"env", "prod"}}));
  EXPECT_EQ(s->to_string(), "app=web,!canary,env in (prod,staging),tier,zone notin (b)");
}

TEST(LabelSelectorJson, EmptyMatchesEverythingNullMatchesNothing) {
  auto empty = LabelSelector::from_json(json::object());
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(empty->matches(json{{"a", "b"}}));
  EXPECT_TRUE(empty->matches(json()));

  auto null_sel = LabelSelector::from_json(json());
  ASSERT_TRUE(null_sel.has_value());
  EXPECT_FALSE(null_sel->empty());
  EXPECT_TRUE(null_sel->matches_nothing());
  EXPECT_FALSE(null_sel->matches(json{{"a", "b"}}));
  EXPECT_FALSE(null_sel->matches(json()));

  auto null_all =
      LabelSelector::from_json(json(), LabelSelector::NullSelector::MatchesEverything);
  ASSERT_TRUE(null_all.has_value());
  EXPECT_TRUE(null_all->matches(json{{"a", "b"}}));
}

TEST(LabelSelectorJson, InvalidOperatorsAndValues) {
  auto bad_op = LabelSelector::from_json(
      json::parse(R"({"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]})"));
  ASSERT_FALSE(bad_op.has_value());
  EXPECT_EQ(bad_op.error().reason(), base::Reason::Invalid);
  EXPECT_EQ(bad_op.error().message(), "\"Gt\" is not a valid label selector operator");

  auto no_values =
      LabelSelector::from_json(json::parse(R"({"matchExpressions":[{"key":"a","operator":"In"}]})"));
  ASSERT_FALSE(no_values.has_value());
  EXPECT_EQ(no_values.error().reason(), base::Reason::Invalid);
  EXPECT_EQ(no_values.error().message(),
            "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");

  auto exists_with_values = LabelSelector::from_json(
      json::parse(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})"));
  ASSERT_FALSE(exists_with_values.has_value());
  EXPECT_NE(exists_with_values.error().message().find("values set must be empty"),
            std::string::npos);

  auto bad_label = LabelSelector::from_json(json::parse(R"({"matchLabels":{"a":"b c"}})"));
  ASSERT_FALSE(bad_label.has_value());
  EXPECT_EQ(bad_label.error().reason(), base::Reason::Invalid);

  auto not_string = LabelSelector::from_json(json::parse(R"({"matchLabels":{"a":1}})"));
  ASSERT_FALSE(not_string.has_value());
  EXPECT_EQ(not_string.error().reason(), base::Reason::Invalid);

  auto not_object = LabelSelector::from_json(json::array());
  ASSERT_FALSE(not_object.has_value());
}

TEST(LabelSelectorHelpers, FromSetAndExactMatch) {
  LabelSelector s = LabelSelector::from_set(std::map<std::string, std::string>{{"app", "web"}});
  EXPECT_TRUE(s.matches(std::map<std::string, std::string>{{"app", "web"}, {"x", "y"}}));
  EXPECT_FALSE(s.matches(std::map<std::string, std::string>{{"app", "db"}}));
  std::string v;
  EXPECT_TRUE(s.requires_exact_match("app", &v));
  EXPECT_EQ(v, "web");
  EXPECT_FALSE(s.requires_exact_match("other", &v));
  EXPECT_TRUE(LabelSelector::from_set(json::object()).empty());
  EXPECT_TRUE(LabelSelector::everything().matches(json()));
  EXPECT_FALSE(LabelSelector::nothing().matches(json::object()));
}

}  // namespace
}  // namespace kite::api
