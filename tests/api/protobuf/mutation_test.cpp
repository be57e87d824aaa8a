// Robustness: byte-level mutations of real kubectl bodies never crash the decoder; each
// decodes or fails with BadRequest / UnsupportedMediaType. Deterministic (fixed seed).
#include <random>

#include <gtest/gtest.h>

#include "api/protobuf/decode.h"
#include "api/resource.h"
#include "tests/api/protobuf/kubectl_captures.h"
#include "tests/api/protobuf/proto_writer.h"

namespace kite::api {
namespace {

TEST(ProtobufMutation, MutatedBodiesFailCleanly) {
  auto registry = Registry::with_builtins();
  std::mt19937 rng(12345);
  int decoded = 0, rejected = 0;
  for (const auto& c : testing::kKubectlCaptures) {
    const std::string original = testing::from_hex(c.hex);
    for (int i = 0; i < 400; ++i) {
      std::string body = original;
      int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits; ++e) {
        size_t pos = 4 + rng() % (body.size() - 4);  // keep the magic
        switch (rng() % 3) {
          case 0: body[pos] = static_cast<char>(rng() & 0xff); break;
          case 1: body.erase(pos, 1); break;
          default: body.insert(pos, 1, static_cast<char>(rng() & 0xff)); break;
        }
      }
      auto r = decode_kubernetes_protobuf(body, *registry);
      if (r.has_value()) {
        ++decoded;
        EXPECT_TRUE(r->is_object());
      } else {
        ++rejected;
        auto reason = r.error().reason();
        EXPECT_TRUE(reason == base::Reason::BadRequest ||
                    reason == base::Reason::UnsupportedMediaType)
            << r.error().message();
      }
    }
  }
  EXPECT_GT(rejected, 100);
  EXPECT_EQ(decoded + rejected, 8 * 400);
}

}  // namespace
}  // namespace kite::api
