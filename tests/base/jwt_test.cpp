// ES256 tokens: what kite signs verifies with the same key only, and any change breaks it.
#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/jwt.h"

namespace kite::base {
namespace {

TEST(JwtTest, SignedClaimsVerifyWithTheSameKeyOnly) {
  auto key = generate_signing_key();
  ASSERT_TRUE(key) << key.error().message();
  nlohmann::json claims = {{"sub", "system:serviceaccount:default:default"}, {"exp", 1900000000}};
  auto token = jwt_sign(*key, claims);
  ASSERT_TRUE(token) << token.error().message();

  // header.claims.signature, base64url without padding; the header names ES256 and the key.
  ASSERT_EQ(std::count(token->begin(), token->end(), '.'), 2);
  EXPECT_EQ(token->find('='), std::string::npos);
  auto header = nlohmann::json::parse(*base64_decode(token->substr(0, token->find('.'))));
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], *jwt_key_id(*key));

  auto verified = jwt_verify(*key, *token);
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(*verified, claims);

  auto other = generate_signing_key();
  ASSERT_TRUE(other);
  auto wrong_key = jwt_verify(*other, *token);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().reason(), Reason::Unauthorized);
}

TEST(JwtTest, ChangedClaimsOrSignatureAreRefused) {
  auto key = *generate_signing_key();
  auto token = *jwt_sign(key, {{"sub", "a"}});
  auto forged_claims = *jwt_sign(key, {{"sub", "b"}});
  // The claims of one token with the signature of another.
  std::string spliced = token.substr(0, token.find('.')) + forged_claims.substr(forged_claims.find('.'), forged_claims.rfind('.') - forged_claims.find('.')) +
                        token.substr(token.rfind('.'));
  EXPECT_EQ(jwt_verify(key, spliced).error().reason(), Reason::Unauthorized);
  std::string flipped = token;
  flipped[flipped.size() - 3] = flipped[flipped.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(jwt_verify(key, flipped));
  EXPECT_EQ(jwt_verify(key, "not-a-token").error().reason(), Reason::BadRequest);
  EXPECT_EQ(jwt_verify(key, "a.b.c.d").error().reason(), Reason::BadRequest);
  // alg "none" is never accepted.
  std::string none = base64_encode(R"({"alg":"none"})", true) + "." + base64_encode(R"({"sub":"a"})", true) + ".";
  EXPECT_FALSE(jwt_verify(key, none));
}

}  // namespace
}  // namespace kite::base
