// server/bootstrap/token.h: parse/format, malformed tokens, the server token file.
#include "server/bootstrap/token.h"

#include <gtest/gtest.h>

#include "base/pki.h"
#include "tests/server/bootstrap/test_dir.h"

namespace kite::bootstrap {
namespace {

using boot_test::TempDir;

const std::string kHash(64, 'a');
const std::string kCaPem = "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n";

TEST(TokenTest, ParsesFullToken) {
  auto t = parse_token("K10" + kHash + "::server:s3cret\n");
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ(t->ca_hash, kHash);
  EXPECT_EQ(t->username, "server");
  EXPECT_EQ(t->password, "s3cret");
  EXPECT_EQ(format_token(*t), "K10" + kHash + "::server:s3cret");
}

TEST(TokenTest, PasswordMayContainColons) {
  auto t = parse_token("K10" + kHash + "::node:a:b:c");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->username, "node");
  EXPECT_EQ(t->password, "a:b:c");
}

TEST(TokenTest, UppercaseHashIsNormalised) {
  auto t = parse_token("K10" + std::string(64, 'B') + "::server:x");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->ca_hash, std::string(64, 'b'));
}

TEST(TokenTest, ParsesShortToken) {
  auto t = parse_token("  mysecret \n");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->ca_hash, "");
  EXPECT_EQ(t->username, "server");
  EXPECT_EQ(t->password, "mysecret");
  EXPECT_EQ(format_token(*t), "K10::server:mysecret");
  auto again = parse_token(format_token(*t));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->password, "mysecret");
  EXPECT_EQ(again->ca_hash, "");
}

TEST(TokenTest, RoundTrip) {
  JoinToken t{std::string(64, 'c'), "agent", "p@ss:word"};
  auto back = parse_token(format_token(t));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->ca_hash, t.ca_hash);
  EXPECT_EQ(back->username, t.username);
  EXPECT_EQ(back->password, t.password);
}

TEST(TokenTest, MalformedTokensGiveClearErrors) {
  struct Case {
    std::string text;
    std::string message_part;
  };
  for (const auto& c : std::vector<Case>{
           {"", "empty"},
           {"   \n", "empty"},
           {"K10" + kHash, "no \"::\""},
           {"K10abc::server:x", "64 hex"},
           {"K10" + std::string(63, 'a') + "g::server:x", "64 hex"},
           {"K10" + kHash + "::nocolon", "<username>:<password>"},
           {"K10" + kHash + "::server:", "empty password"},
           {"K10" + kHash + ":::x", "empty username"},
       }) {
    auto t = parse_token(c.text);
    ASSERT_FALSE(t.has_value()) << c.text;
    EXPECT_EQ(t.error().reason(), base::Reason::BadRequest);
    EXPECT_NE(t.error().message().find(c.message_part), std::string::npos)
        << c.text << " -> " << t.error().message();
  }
}

TEST(TokenTest, ServerTokenFileCreatedWithRandomSecret) {
  TempDir tmp;
  std::string file = tmp.path() + "/server/token";
  auto t = ensure_server_token(file, "", kCaPem);
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ(t->ca_hash, *base::sha256_hex(kCaPem));
  EXPECT_EQ(t->username, "server");
  EXPECT_EQ(t->password.size(), 32u);
  EXPECT_EQ(boot_test::file_mode(file), 0600u);
  EXPECT_EQ(*base::read_file(file), format_token(*t) + "\n");

  auto again = ensure_server_token(file, "", kCaPem);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(format_token(*again), format_token(*t));
  // Giving the same secret (short or full form) later is accepted.
  EXPECT_TRUE(ensure_server_token(file, t->password, kCaPem).has_value());
  EXPECT_TRUE(ensure_server_token(file, format_token(*t), kCaPem).has_value());
}

TEST(TokenTest, ServerTokenFromExplicitToken) {
  TempDir tmp;
  std::string file = tmp.path() + "/token";
  auto t = ensure_server_token(file, "chosen-secret", kCaPem);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->password, "chosen-secret");
  EXPECT_EQ(t->ca_hash, *base::sha256_hex(kCaPem));

  auto other = ensure_server_token(file, "different", kCaPem);
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().message().find("does not match"), std::string::npos);

  // A full token pinning another CA is refused up front.
  TempDir tmp2;
  auto pinned = ensure_server_token(tmp2.path() + "/token", "K10" + kHash + "::server:x", kCaPem);
  ASSERT_FALSE(pinned.has_value());
  EXPECT_NE(pinned.error().message().find("CA hash"), std::string::npos);
}

TEST(TokenTest, ServerTokenFollowsNewCaHash) {
  TempDir tmp;
  std::string file = tmp.path() + "/token";
  auto t = ensure_server_token(file, "s", kCaPem);
  ASSERT_TRUE(t.has_value());
  auto moved = ensure_server_token(file, "", kCaPem + "x");
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->password, "s");
  EXPECT_EQ(moved->ca_hash, *base::sha256_hex(kCaPem + "x"));
  EXPECT_EQ(*base::read_file(file), format_token(*moved) + "\n");
}

TEST(TokenTest, CheckTokenAndCaPinning) {
  JoinToken expected{*base::sha256_hex(kCaPem), "server", "pw"};
  EXPECT_TRUE(check_token(expected, expected).has_value());
  EXPECT_TRUE(check_token(JoinToken{"", "server", "pw"}, expected).has_value());
  EXPECT_FALSE(check_token(JoinToken{"", "server", "px"}, expected).has_value());
  EXPECT_FALSE(check_token(JoinToken{"", "node", "pw"}, expected).has_value());
  EXPECT_FALSE(check_token(JoinToken{kHash, "server", "pw"}, expected).has_value());

  EXPECT_TRUE(verify_ca_hash(expected, kCaPem).has_value());
  EXPECT_TRUE(verify_ca_hash(JoinToken{"", "server", "pw"}, "anything").has_value());
  auto bad = verify_ca_hash(expected, kCaPem + " ");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason(), base::Reason::Unauthorized);
}

}  // namespace
}  // namespace kite::bootstrap
