// base/pki.h: CAs, leaf certificates, inspection, chain verification, digests, files.
#include "base/pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace kite::base {
namespace {

X509* load_x509(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

// Verifies `leaf` against `ca` with OpenSSL directly; returns the X509_V_* code.
int openssl_verify(const std::string& ca_pem, const std::string& leaf_pem, int purpose = 0) {
  X509* ca = load_x509(ca_pem);
  X509* leaf = load_x509(leaf_pem);
  EXPECT_NE(ca, nullptr);
  EXPECT_NE(leaf, nullptr);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  if (purpose != 0) X509_STORE_CTX_set_purpose(ctx, purpose);
  int rc = X509_verify_cert(ctx);
  int err = rc == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(leaf);
  X509_free(ca);
  return err;
}

std::string temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kite-pki-XXXXXX").string();
  EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

TEST(PkiTest, GeneratesSelfSignedCa) {
  auto ca = generate_ca("test-ca");
  ASSERT_TRUE(ca.has_value()) << ca.error().message();
  EXPECT_NE(ca->cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(ca->key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  auto info = inspect_certificate(ca->cert_pem);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->common_name, "test-ca");
  EXPECT_TRUE(info->is_ca);
  auto years = std::chrono::duration_cast<std::chrono::hours>(info->not_after -
                                                              std::chrono::system_clock::now());
  EXPECT_GT(years.count(), 24 * 3640);
  EXPECT_EQ(openssl_verify(ca->cert_pem, ca->cert_pem), X509_V_OK);
  EXPECT_TRUE(check_key_pair(*ca).has_value());
}

TEST(PkiTest, IssuesCertificateWithSansAndOrgs) {
  auto ca = generate_ca("test-ca");
  ASSERT_TRUE(ca.has_value());
  CertRequest req;
  req.common_name = "system:admin";
  req.organizations = {"system:masters", "ops"};
  req.dns_sans = {"localhost", "kubernetes.default.svc"};
  req.ip_sans = {"127.0.0.1", "::1", "10.43.0.1"};
  req.server = true;
  req.client = true;
  req.validity = std::chrono::hours(48);
  auto leaf = issue_certificate(*ca, req);
  ASSERT_TRUE(leaf.has_value()) << leaf.error().message();

  auto info = inspect_certificate(leaf->cert_pem);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->common_name, "system:admin");
  EXPECT_EQ(info->organizations, (std::vector<std::string>{"system:masters", "ops"}));
  EXPECT_EQ(info->dns_sans, (std::vector<std::string>{"localhost", "kubernetes.default.svc"}));
  EXPECT_EQ(info->ip_sans, (std::vector<std::string>{"127.0.0.1", "::1", "10.43.0.1"}));
  EXPECT_FALSE(info->is_ca);
  auto left = info->not_after - std::chrono::system_clock::now();
  EXPECT_GT(left, std::chrono::hours(47));
  EXPECT_LE(left, std::chrono::hours(48));

  EXPECT_EQ(openssl_verify(ca->cert_pem, leaf->cert_pem), X509_V_OK);
  EXPECT_EQ(openssl_verify(ca->cert_pem, leaf->cert_pem, X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(openssl_verify(ca->cert_pem, leaf->cert_pem, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_TRUE(verify_certificate(ca->cert_pem, leaf->cert_pem).has_value());
  EXPECT_TRUE(check_key_pair(*leaf).has_value());
}

TEST(PkiTest, KeyUsageLimitsPurpose) {
  auto ca = generate_ca("test-ca");
  ASSERT_TRUE(ca.has_value());
  CertRequest req;
  req.common_name = "client-only";
  req.client = true;
  auto leaf = issue_certificate(*ca, req);
  ASSERT_TRUE(leaf.has_value());
  EXPECT_EQ(openssl_verify(ca->cert_pem, leaf->cert_pem, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(openssl_verify(ca->cert_pem, leaf->cert_pem, X509_PURPOSE_SSL_SERVER),
            X509_V_ERR_INVALID_PURPOSE);
}

TEST(PkiTest, OtherCaDoesNotVerify) {
  auto ca = generate_ca("ca-one");
  auto other = generate_ca("ca-two");
  ASSERT_TRUE(ca.has_value() && other.has_value());
  CertRequest req;
  req.common_name = "leaf";
  auto leaf = issue_certificate(*ca, req);
  ASSERT_TRUE(leaf.has_value());
  EXPECT_NE(openssl_verify(other->cert_pem, leaf->cert_pem), X509_V_OK);
  auto v = verify_certificate(other->cert_pem, leaf->cert_pem);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().reason(), Reason::Unauthorized);
  // A key from another pair does not match.
  EXPECT_FALSE(check_key_pair(KeyPair{leaf->cert_pem, other->key_pem}).has_value());
}

TEST(PkiTest, RejectsBadInput) {
  auto ca = generate_ca("test-ca");
  ASSERT_TRUE(ca.has_value());
  CertRequest req;
  req.common_name = "x";
  req.ip_sans = {"not-an-ip"};
  auto bad_ip = issue_certificate(*ca, req);
  ASSERT_FALSE(bad_ip.has_value());
  EXPECT_EQ(bad_ip.error().reason(), Reason::BadRequest);
  EXPECT_NE(bad_ip.error().message().find("not-an-ip"), std::string::npos);
  req.ip_sans.clear();
  EXPECT_FALSE(issue_certificate(KeyPair{"garbage", ca->key_pem}, req).has_value());
  EXPECT_FALSE(issue_certificate(KeyPair{ca->cert_pem, "garbage"}, req).has_value());
  EXPECT_FALSE(inspect_certificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                   .has_value());
}

TEST(PkiTest, CanonicalIp) {
  EXPECT_EQ(canonical_ip("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(canonical_ip("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(canonical_ip("FD00::0001"), "fd00::1");
  EXPECT_EQ(canonical_ip("example.com"), std::nullopt);
  EXPECT_EQ(canonical_ip("10.0.0"), std::nullopt);
}

TEST(PkiTest, Sha256KnownValues) {
  EXPECT_EQ(*sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(*sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(PkiTest, RandomHex) {
  auto a = random_hex(16);
  auto b = random_hex(16);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(*random_hex(0), "");
}

TEST(PkiTest, WriteFileAtomicCreatesDirsAndMode) {
  std::string dir = temp_dir();
  std::string path = dir + "/a/b/secret.key";
  ASSERT_TRUE(write_file_atomic(path, "one", 0600).has_value());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(stat((dir + "/a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(*read_file(path), "one");

  ASSERT_TRUE(write_file_atomic(path, "two", 0644).has_value());
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(*read_file(path), "two");
  // No temp files are left behind.
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir + "/a/b")) ++entries;
  EXPECT_EQ(entries, 1);

  auto missing = read_file(dir + "/nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().reason(), Reason::NotFound);
  EXPECT_TRUE(file_exists(path));
  EXPECT_FALSE(file_exists(dir + "/nope"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kite::base
