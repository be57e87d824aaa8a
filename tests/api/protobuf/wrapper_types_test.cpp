// Wrapper types (api/protobuf/wrapper_types.h): Time, MicroTime, Duration, IntOrString,
// Quantity, RawExtension, FieldsV1.
#include "api/protobuf/wrapper_types.h"

#include <gtest/gtest.h>

#include "tests/api/protobuf/proto_writer.h"

namespace kite::api {
namespace {

using json = nlohmann::json;
using testing::ProtoWriter;

json wrapper(std::string_view name, const ProtoWriter& m, bool omit_zero = false) {
  auto r = decode_protobuf_wrapper(name, m.str(), omit_zero);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r && r->has_value() ? **r : json("<omitted>");
}

TEST(ProtobufWrappers, Rfc3339) {
  EXPECT_EQ(format_rfc3339_utc(1795320425, 0, false), "2026-11-22T04:07:05Z");
  EXPECT_EQ(format_rfc3339_utc(951868799, 999999999, false), "2000-02-29T23:59:59Z");
  EXPECT_EQ(format_rfc3339_utc(-14182940, 0, false), "1969-07-20T20:17:40Z");
  EXPECT_EQ(format_rfc3339_utc(0, 0, false), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_utc(1795320425, 123456789, true), "2026-11-22T04:07:05.123456Z");
  EXPECT_EQ(format_rfc3339_utc(1795320425, 0, true), "2026-11-22T04:07:05.000000Z");
}

TEST(ProtobufWrappers, GoDuration) {
  EXPECT_EQ(format_go_duration(0), "0s");
  EXPECT_EQ(format_go_duration(1), "1ns");
  EXPECT_EQ(format_go_duration(1500), "1.5\xc2\xb5s");
  EXPECT_EQ(format_go_duration(150000000), "150ms");
  EXPECT_EQ(format_go_duration(1500000000), "1.5s");
  EXPECT_EQ(format_go_duration(60000000000), "1m0s");
  EXPECT_EQ(format_go_duration(3600000000000), "1h0m0s");
  EXPECT_EQ(format_go_duration(3723000000000), "1h2m3s");
  EXPECT_EQ(format_go_duration(-2000000000), "-2s");
}

TEST(ProtobufWrappers, TimeAndMicroTime) {
  ProtoWriter t;
  t.int64(1, 1795320425).varint(2, 5000);
  EXPECT_EQ(wrapper(kTimeDefinition, t), "2026-11-22T04:07:05Z");
  EXPECT_EQ(wrapper(kMicroTimeDefinition, t), "2026-11-22T04:07:05.000005Z");
  EXPECT_EQ(wrapper(kTimeDefinition, ProtoWriter()), "<omitted>");  // zero time: Go writes null
  EXPECT_EQ(wrapper(kTimeDefinition, ProtoWriter().varint(1, 0).varint(2, 0)), "<omitted>");
}

TEST(ProtobufWrappers, DurationIntOrStringQuantity) {
  EXPECT_EQ(wrapper(kDurationDefinition, ProtoWriter().int64(1, 90000000000)), "1m30s");
  EXPECT_EQ(wrapper(kIntOrStringDefinition, ProtoWriter().varint(1, 0).varint(2, 8080)), 8080);
  EXPECT_EQ(wrapper(kIntOrStringDefinition, ProtoWriter().varint(1, 1).bytes(3, "http")), "http");
  EXPECT_EQ(wrapper(kIntOrStringDefinition, ProtoWriter().varint(1, 0).varint(2, 0)), 0);
  EXPECT_EQ(wrapper(kIntOrStringDefinition, ProtoWriter().varint(1, 0).varint(2, 0), true),
            "<omitted>");
  EXPECT_EQ(wrapper(kIntOrStringDefinition, ProtoWriter().int64(1, 0).int64(2, -1)), -1);
  EXPECT_EQ(wrapper(kQuantityDefinition, ProtoWriter().bytes(1, "1.5Gi")), "1.5Gi");
  auto bad = decode_protobuf_wrapper(kIntOrStringDefinition, ProtoWriter().varint(1, 7).str(), false);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason(), base::Reason::BadRequest);
}

TEST(ProtobufWrappers, RawExtensionAndFieldsV1) {
  EXPECT_EQ(wrapper(kRawExtensionDefinition, ProtoWriter().bytes(1, R"({"a":[1,"x"]})")),
            json::parse(R"({"a":[1,"x"]})"));
  EXPECT_EQ(wrapper(kFieldsV1Definition, ProtoWriter().bytes(1, R"({"f:data":{}})")),
            json::parse(R"({"f:data":{}})"));
  EXPECT_EQ(wrapper(kRawExtensionDefinition, ProtoWriter()), "<omitted>");
  auto bad = decode_protobuf_wrapper(kRawExtensionDefinition, ProtoWriter().bytes(1, "{").str(), false);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason(), base::Reason::BadRequest);
  EXPECT_TRUE(is_protobuf_wrapper(kQuantityDefinition));
  EXPECT_FALSE(is_protobuf_wrapper("io.k8s.api.core.v1.Pod"));
}

}  // namespace
}  // namespace kite::api
