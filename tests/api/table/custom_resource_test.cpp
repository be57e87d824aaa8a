// Custom resources: additionalPrinterColumns evaluated with JSONPath, typed cells, and the
// JSONPath subset itself.
#include <gtest/gtest.h>

#include "api/table/jsonpath.h"
#include "tests/api/table/table_test_util.h"

namespace kite::api::table_test {
namespace {

using table::JsonPath;

ResourceInfo crd_info(std::vector<PrinterColumn> cols) {
  ResourceInfo ri = info("example.com", "Widget", "widgets", "v1alpha1");
  ri.custom = true;
  ri.printer_columns = std::move(cols);
  return ri;
}

json widget() {
  return {{"apiVersion", "example.com/v1alpha1"},
          {"kind", "Widget"},
          {"metadata", {{"name", "w1"}, {"namespace", "default"},
                        {"creationTimestamp", ago(3 * 3600s + 120s)},
                        {"labels", {{"app", "shop"}}}}},
          {"spec", {{"replicas", 3}, {"ratio", 0.25}, {"big", 1e21}, {"enabled", true},
                    {"ports", json::array({80, 443})}, {"owner", {{"team", "a"}}}}},
          {"status", {{"conditions", json::array({{{"type", "Synced"}, {"status", "False"}},
                                                  {{"type", "Ready"}, {"status", "True"},
                                                   {"lastTransitionTime", ago(45s)}}})}}}};
}

TEST(CustomResource, NoPrinterColumnsGivesNameAndAge) {
  ResourceInfo ri = crd_info({});
  std::vector<TableColumn> cols = table_columns(ri);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0].name, "Name");
  EXPECT_EQ(cols[0].format, "name");
  EXPECT_EQ(cols[1].name, "Age");
  EXPECT_EQ(cols[1].type, "date");
  json c = table_row_cells(ri, widget(), now());
  EXPECT_EQ(c, json::array({"w1", "3h2m"}));
}

TEST(CustomResource, PrinterColumnsAreTypedCells) {
  ResourceInfo ri = crd_info({
      {"Replicas", "integer", "", "", 0, ".spec.replicas"},
      {"Ready", "string", "", "Readiness", 0, ".status.conditions[?(@.type==\"Ready\")].status"},
      {"Ratio", "number", "", "", 1, ".spec.ratio"},
      {"Enabled", "boolean", "", "", 0, "{.spec.enabled}"},
      {"Since", "date", "", "", 0, ".status.conditions[1].lastTransitionTime"},
      {"App", "string", "", "", 0, ".metadata.labels.app"},
      {"Ports", "string", "", "", 1, ".spec.ports"},
      {"Owner", "string", "", "", 1, ".spec.owner"},
      {"Missing", "string", "", "", 0, ".spec.nothing.here"},
      {"Mistyped", "integer", "", "", 0, ".metadata.name"},
      {"ReplicasText", "string", "", "", 1, ".spec.replicas"},
      {"Big", "string", "", "", 1, ".spec.big"},
      {"RatioText", "string", "", "", 1, ".spec.ratio"},
  });
  std::vector<TableColumn> cols = table_columns(ri);
  ASSERT_EQ(cols.size(), 14u);
  EXPECT_EQ(cols[0].name, "Name");
  EXPECT_EQ(cols[1].name, "Replicas");
  EXPECT_EQ(cols[1].description,
            "Custom resource definition column (in JSONPath format): .spec.replicas");
  EXPECT_EQ(cols[2].description, "Readiness");
  EXPECT_EQ(cols[3].priority, 1);

  json c = table_row_cells(ri, widget(), now());
  ASSERT_EQ(c.size(), 14u);
  EXPECT_EQ(c[0], "w1");
  EXPECT_EQ(c[1], 3);
  EXPECT_TRUE(c[1].is_number_integer());
  EXPECT_EQ(c[2], "True");
  EXPECT_DOUBLE_EQ(c[3].get<double>(), 0.25);
  EXPECT_EQ(c[4], true);
  EXPECT_EQ(c[5], "45s");
  EXPECT_EQ(c[6], "shop");
  EXPECT_EQ(c[7], "[80,443]");
  EXPECT_EQ(c[8], "{\"team\":\"a\"}");
  EXPECT_TRUE(c[9].is_null());
  EXPECT_TRUE(c[10].is_null());
  EXPECT_EQ(c[11], "3");
  EXPECT_EQ(c[12], "1e+21");
  EXPECT_EQ(c[13], "0.25");
}

TEST(JsonPathSubset, Expressions) {
  json doc = widget();
  auto first = [&](const std::string& expr) -> json {
    auto p = JsonPath::parse(expr);
    if (!p) return "<parse error>";
    auto found = p->find(doc);
    return found.empty() ? json("<none>") : *found[0];
  };
  EXPECT_EQ(first(".spec.replicas"), 3);
  EXPECT_EQ(first("{.spec.replicas}"), 3);
  EXPECT_EQ(first("$.spec.replicas"), 3);
  EXPECT_EQ(first("spec.replicas"), 3);
  EXPECT_EQ(first(".spec.ports[1]"), 443);
  EXPECT_EQ(first(".spec.ports[-1]"), 443);
  EXPECT_EQ(first(".spec.ports[5]"), "<none>");
  EXPECT_EQ(first(".spec.ports[*]"), 80);
  EXPECT_EQ(first(".spec.ports[1:]"), 443);
  EXPECT_EQ(first(".metadata['labels']['app']"), "shop");
  EXPECT_EQ(first(".status.conditions[?(@.type == 'Synced')].status"), "False");
  EXPECT_EQ(first(".status.conditions[?(@.type!=\"Synced\")].type"), "Ready");
  EXPECT_EQ(first(".status.conditions[?(@.lastTransitionTime)].type"), "Ready");
  EXPECT_EQ(first("..team"), "a");
  EXPECT_EQ(first(".spec.owner.*"), "a");
  EXPECT_EQ(first(".spec[0]"), "<none>");
  EXPECT_EQ(first(".spec.ports[?(@ > 100)]"), 443);
  EXPECT_EQ(first(".spec.[x"), "<parse error>");

  json dotted = {{"metadata", {{"annotations", {{"example.com/owner", "ops"}}}}}};
  auto p = JsonPath::parse(".metadata.annotations.example\\.com/owner");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->find(dotted).size(), 1u);
  EXPECT_EQ(*p->find(dotted)[0], "ops");
  auto all = JsonPath::parse(".spec.ports[*]")->find(doc);
  EXPECT_EQ(all.size(), 2u);
}

TEST(JsonPathSubset, TextRendering) {
  EXPECT_EQ(table::jsonpath_text(json(3)), "3");
  EXPECT_EQ(table::jsonpath_text(json(100.0)), "100");
  EXPECT_EQ(table::jsonpath_text(json(1.5)), "1.5");
  EXPECT_EQ(table::jsonpath_text(json(0.00001)), "1e-05");
  EXPECT_EQ(table::jsonpath_text(json(-2.5e22)), "-2.5e+22");
  EXPECT_EQ(table::jsonpath_text(json(false)), "false");
  EXPECT_EQ(table::jsonpath_text(json("x y")), "x y");
}

TEST(CustomResource, InvalidPathGivesNullCells) {
  ResourceInfo ri = crd_info({{"Bad", "string", "", "", 0, ".spec[unclosed"}});
  json c = table_row_cells(ri, widget(), now());
  ASSERT_EQ(c.size(), 2u);
  EXPECT_TRUE(c[1].is_null());
}

}  // namespace
}  // namespace kite::api::table_test
