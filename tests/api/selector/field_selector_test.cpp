#include "api/selector/field_selector.h"

#include <gtest/gtest.h>

namespace kite::api {
namespace {

using json = nlohmann::json;
using Fields = std::map<std::string, std::string>;

FieldSelector must_parse(const std::string& s) {
  auto r = FieldSelector::parse(s);
  EXPECT_TRUE(r.has_value()) << s << ": " << (r ? "" : r.error().message());
  return r ? *r : FieldSelector();
}

TEST(FieldSelector, Operators) {
  Fields f = {{"metadata.name", "a"}, {"spec.nodeName", "n1"}};
  EXPECT_TRUE(must_parse("metadata.name=a").matches(f));
  EXPECT_TRUE(must_parse("metadata.name==a").matches(f));
  EXPECT_FALSE(must_parse("metadata.name!=a").matches(f));
  EXPECT_TRUE(must_parse("metadata.name=a,spec.nodeName=n1").matches(f));
  EXPECT_FALSE(must_parse("metadata.name=a,spec.nodeName!=n1").matches(f));
  EXPECT_TRUE(must_parse("").matches(f));
  EXPECT_TRUE(must_parse("").empty());
}

TEST(FieldSelector, MissingFieldIsEmptyString) {
  Fields f = {{"metadata.name", "a"}};
  EXPECT_TRUE(must_parse("spec.nodeName=").matches(f));
  EXPECT_TRUE(must_parse("spec.nodeName!=n1").matches(f));
  EXPECT_FALSE(must_parse("spec.nodeName=n1").matches(f));
}

TEST(FieldSelector, Requirements) {
  FieldSelector s = must_parse("spec.nodeName=n1,metadata.namespace!=kube-system");
  ASSERT_EQ(s.requirements().size(), 2u);
  EXPECT_EQ(s.requirements()[0].field, "metadata.namespace");  // terms are sorted
  EXPECT_EQ(s.requirements()[0].op, FieldSelector::Op::NotEquals);
  EXPECT_EQ(s.requirements()[0].value, "kube-system");
  EXPECT_EQ(s.requirements()[1].field, "spec.nodeName");
  std::string v;
  EXPECT_TRUE(s.requires_exact_match("spec.nodeName", &v));
  EXPECT_EQ(v, "n1");
  EXPECT_FALSE(s.requires_exact_match("metadata.namespace", &v));
}

TEST(FieldSelector, CheckSupported) {
  FieldSelector s = must_parse("spec.nodeName=n1,spec.bogus=x");
  base::Status st = s.check_supported({"metadata.name", "spec.nodeName"});
  EXPECT_EQ(st.reason(), base::Reason::BadRequest);
  EXPECT_EQ(st.message(), "field label not supported: spec.bogus");
  EXPECT_TRUE(must_parse("spec.nodeName=n1").check_supported({"spec.nodeName"}).is_ok());
}

TEST(FieldSelector, Escaping) {
  FieldSelector s = must_parse(R"(metadata.name=a\,b\=c\\d,x=y)");
  ASSERT_EQ(s.requirements().size(), 2u);
  EXPECT_EQ(s.requirements()[0].value, R"(a,b=c\d)");
  EXPECT_TRUE(s.matches(Fields{{"metadata.name", R"(a,b=c\d)"}, {"x", "y"}}));
  EXPECT_EQ(s.to_string(), R"(metadata.name=a\,b\=c\\d,x=y)");
  EXPECT_EQ(escape_field_value("a,b"), R"(a\,b)");
}

TEST(FieldSelector, Errors) {
  auto no_op = FieldSelector::parse("metadata.name");
  ASSERT_FALSE(no_op.has_value());
  EXPECT_EQ(no_op.error().reason(), base::Reason::BadRequest);
  EXPECT_EQ(no_op.error().message(),
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'");

  auto bad_escape = FieldSelector::parse(R"(a=b\x)");
  ASSERT_FALSE(bad_escape.has_value());
  EXPECT_EQ(bad_escape.error().message(), "invalid field selector: invalid escape sequence: \\x");

  auto trailing = FieldSelector::parse("a=b\\");
  ASSERT_FALSE(trailing.has_value());

  auto unescaped = FieldSelector::parse("a=b=c");
  ASSERT_FALSE(unescaped.has_value());
  EXPECT_NE(unescaped.error().message().find("unescaped character in value"), std::string::npos);
}

TEST(FieldSelector, SelectableFieldValues) {
  json pod = json::parse(R"({
      "metadata": {"name": "p", "namespace": "ns"},
      "spec": {"nodeName": "n1", "restartPolicy": "Always", "priority": 5},
      "status": {"phase": "Running"}})");
  Fields f = selectable_field_values(pod, {"spec.nodeName", "status.phase", "status.podIP",
                                           "spec.priority"},
                                     true);
  EXPECT_EQ(f["metadata.name"], "p");
  EXPECT_EQ(f["metadata.namespace"], "ns");
  EXPECT_EQ(f["spec.nodeName"], "n1");
  EXPECT_EQ(f["status.phase"], "Running");
  EXPECT_EQ(f["status.podIP"], "");
  EXPECT_TRUE(f.contains("status.podIP"));
  EXPECT_EQ(f["spec.priority"], "5");
  EXPECT_TRUE(must_parse("spec.nodeName=n1,status.phase!=Failed").matches(f));

  Fields cluster = selectable_field_values(json::parse(R"({"metadata":{"name":"node1"}})"), {},
                                           false);
  EXPECT_EQ(cluster.size(), 1u);
  EXPECT_EQ(cluster["metadata.name"], "node1");
}

}  // namespace
}  // namespace kite::api
