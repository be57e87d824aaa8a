// base/flags.h and base/config_file.h: forms, precedence, lists, config files, env, errors.
#include "base/flags.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/config_file.h"

namespace kite::base {
namespace {

// Sets an environment variable for the test's lifetime.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_.c_str()); }

 private:
  std::string name_;
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kite-flags-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p) << text;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ServerFlags {
  std::string config = "";
  std::string data_dir = "/var/lib/kite";
  std::string token;
  int port = 6443;
  bool disable_agent = false;
  std::vector<std::string> tls_sans;
  std::vector<std::string> labels = {"default=1"};

  FlagSet make() {
    FlagSet f("kite server");
    f.add_string("config", &config, "Config file", "KITE_TEST_CONFIG");
    f.add_string("data-dir", &data_dir, "Folder to hold state", "KITE_TEST_DATA_DIR");
    f.add_string("token", &token, "Shared secret", "KITE_TEST_TOKEN");
    f.add_int("https-listen-port", &port, "HTTPS port");
    f.add_bool("disable-agent", &disable_agent, "Do not run an agent", "KITE_TEST_DISABLE_AGENT");
    f.add_string_list("tls-san", &tls_sans, "Extra SANs", "KITE_TEST_TLS_SAN");
    f.add_string_list("node-label", &labels, "Node labels");
    f.add_alias("t", "token");
    return f;
  }
};

Result<std::vector<std::string>> parse(FlagSet& f, std::vector<const char*> args) {
  return f.parse(static_cast<int>(args.size()), args.data());
}

TEST(FlagsTest, DefaultsStayWithoutArguments) {
  ServerFlags s;
  FlagSet f = s.make();
  auto r = parse(f, {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(s.data_dir, "/var/lib/kite");
  EXPECT_EQ(s.port, 6443);
  EXPECT_FALSE(s.disable_agent);
  EXPECT_EQ(s.labels, (std::vector<std::string>{"default=1"}));
  EXPECT_FALSE(f.is_set("data-dir"));
}

TEST(FlagsTest, ValueForms) {
  ServerFlags s;
  FlagSet f = s.make();
  auto r = parse(f, {"--data-dir=/d", "pos1", "--token", "abc", "-https-listen-port", "7443",
                     "--disable-agent", "pos2", "--", "--not-a-flag"});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, (std::vector<std::string>{"pos1", "pos2", "--not-a-flag"}));
  EXPECT_EQ(s.data_dir, "/d");
  EXPECT_EQ(s.token, "abc");
  EXPECT_EQ(s.port, 7443);
  EXPECT_TRUE(s.disable_agent);
  EXPECT_TRUE(f.is_set("token"));
}

TEST(FlagsTest, BoolForms) {
  for (auto [arg, want] :
       std::vector<std::pair<const char*, bool>>{{"--disable-agent", true},
                                                 {"--disable-agent=true", true},
                                                 {"--disable-agent=false", false},
                                                 {"--disable-agent=0", false},
                                                 {"--disable-agent=1", true}}) {
    ServerFlags s;
    s.disable_agent = !want;
    FlagSet f = s.make();
    auto r = parse(f, {arg});
    ASSERT_TRUE(r.has_value()) << arg << ": " << r.error().message();
    EXPECT_EQ(s.disable_agent, want) << arg;
  }
  ServerFlags s;
  FlagSet f = s.make();
  // A bool does not consume the next argument.
  auto r = parse(f, {"--disable-agent", "false"});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(s.disable_agent);
  EXPECT_EQ(*r, std::vector<std::string>{"false"});
  auto bad = parse(f, {"--disable-agent=maybe"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("disable-agent"), std::string::npos);
}

TEST(FlagsTest, ListsRepeatAndSplitCommas) {
  ServerFlags s;
  FlagSet f = s.make();
  auto r = parse(
      f, {"--tls-san", "a.example.com,10.0.0.1", "--tls-san=b.example.com", "--node-label", "x=y"});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(s.tls_sans, (std::vector<std::string>{"a.example.com", "10.0.0.1", "b.example.com"}));
  // The command line replaces the default list rather than appending to it.
  EXPECT_EQ(s.labels, (std::vector<std::string>{"x=y"}));
}

TEST(FlagsTest, Errors) {
  ServerFlags s;
  FlagSet f = s.make();
  auto unknown = parse(f, {"--foo=1"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message(), "unknown flag: --foo");
  EXPECT_EQ(unknown.error().reason(), Reason::BadRequest);

  auto missing = parse(f, {"--token"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(), "flag needs a value: --token");

  auto not_int = parse(f, {"--https-listen-port", "64x"});
  ASSERT_FALSE(not_int.has_value());
  EXPECT_NE(not_int.error().message().find("https-listen-port"), std::string::npos);
}

TEST(FlagsTest, HelpAndAlias) {
  ServerFlags s;
  FlagSet f = s.make();
  auto r = parse(f, {"-t", "sekret", "--help", "--unknown"});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(f.help_requested());
  EXPECT_EQ(s.token, "");  // help stops before anything is applied

  FlagSet g = s.make();
  ASSERT_TRUE(parse(g, {"-t", "sekret"}).has_value());
  EXPECT_FALSE(g.help_requested());
  EXPECT_EQ(s.token, "sekret");

  std::string usage = s.make().usage();
  EXPECT_NE(usage.find("Usage: kite server"), std::string::npos);
  EXPECT_NE(usage.find("--data-dir"), std::string::npos);
  EXPECT_NE(usage.find("(env KITE_TEST_DATA_DIR)"), std::string::npos);
  EXPECT_NE(usage.find("[default: /var/lib/kite]"), std::string::npos);
  EXPECT_NE(usage.find("-t"), std::string::npos);
}

TEST(FlagsTest, EnvironmentBeatsDefaultLosesToCommandLine) {
  ScopedEnv dir("KITE_TEST_DATA_DIR", "/from-env");
  ScopedEnv sans("KITE_TEST_TLS_SAN", "e1,e2");
  ScopedEnv agent("KITE_TEST_DISABLE_AGENT", "true");
  {
    ServerFlags s;
    FlagSet f = s.make();
    ASSERT_TRUE(parse(f, {}).has_value());
    EXPECT_EQ(s.data_dir, "/from-env");
    EXPECT_EQ(s.tls_sans, (std::vector<std::string>{"e1", "e2"}));
    EXPECT_TRUE(s.disable_agent);
  }
  {
    ServerFlags s;
    FlagSet f = s.make();
    ASSERT_TRUE(parse(f, {"--data-dir", "/from-cli", "--disable-agent=false"}).has_value());
    EXPECT_EQ(s.data_dir, "/from-cli");
    EXPECT_FALSE(s.disable_agent);
  }
  {
    ScopedEnv bad("KITE_TEST_DISABLE_AGENT", "perhaps");
    ServerFlags s;
    FlagSet f = s.make();
    auto r = parse(f, {});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("KITE_TEST_DISABLE_AGENT"), std::string::npos);
  }
}

TEST(FlagsTest, ConfigFilePrecedence) {
  TempDir tmp;
  std::string cfg = tmp.write("config.yaml",
                              "data-dir: /from-file\n"
                              "token: file-token\n"
                              "https-listen-port: 8443\n"
                              "disable-agent: true\n"
                              "tls-san:\n  - f1.example.com\n  - 10.1.1.1\n"
                              "node-label: a=b,c=d\n");
  ScopedEnv env_token("KITE_TEST_TOKEN", "env-token");
  ServerFlags s;
  FlagSet f = s.make();
  auto r = parse(f, {"--config", cfg.c_str(), "--https-listen-port", "9443"});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(s.data_dir, "/from-file");  // file beats default
  EXPECT_EQ(s.token, "env-token");      // env beats file
  EXPECT_EQ(s.port, 9443);              // command line beats file
  EXPECT_TRUE(s.disable_agent);
  EXPECT_EQ(s.tls_sans, (std::vector<std::string>{"f1.example.com", "10.1.1.1"}));
  EXPECT_EQ(s.labels, (std::vector<std::string>{"a=b", "c=d"}));
  EXPECT_TRUE(f.is_set("data-dir"));
}

TEST(FlagsTest, ConfigFileFromDefaultPathAndEnv) {
  TempDir tmp;
  std::string cfg = tmp.write("c.yaml", "data-dir: /default-path\n");
  {
    ServerFlags s;
    s.config = cfg;  // the caller's default, e.g. /etc/kite/config.yaml
    FlagSet f = s.make();
    ASSERT_TRUE(parse(f, {}).has_value());
    EXPECT_EQ(s.data_dir, "/default-path");
  }
  {
    ServerFlags s;
    s.config = tmp.path() + "/absent.yaml";  // a missing default file is fine
    FlagSet f = s.make();
    ASSERT_TRUE(parse(f, {}).has_value());
    EXPECT_EQ(s.data_dir, "/var/lib/kite");
  }
  {
    ScopedEnv env("KITE_TEST_CONFIG", cfg);
    ServerFlags s;
    FlagSet f = s.make();
    ASSERT_TRUE(parse(f, {}).has_value());
    EXPECT_EQ(s.data_dir, "/default-path");
  }
}

TEST(FlagsTest, ConfigFileErrors) {
  TempDir tmp;
  {
    ServerFlags s;
    FlagSet f = s.make();
    std::string missing = tmp.path() + "/missing.yaml";
    auto r = parse(f, {"--config", missing.c_str()});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("missing.yaml"), std::string::npos);
  }
  {
    std::string cfg = tmp.write("unknown.yaml", "data-dir: /x\nfoo: 1\n");
    ServerFlags s;
    FlagSet f = s.make();
    auto r = parse(f, {"--config", cfg.c_str()});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message(), "unknown key in config file " + cfg + ": foo");
  }
  {
    std::string cfg = tmp.write("bad.yaml", "data-dir: [unclosed\n");
    ServerFlags s;
    FlagSet f = s.make();
    auto r = parse(f, {"--config", cfg.c_str()});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("bad.yaml"), std::string::npos);
  }
  {
    std::string cfg = tmp.write("list.yaml", "data-dir: [a, b]\n");
    ServerFlags s;
    FlagSet f = s.make();
    auto r = parse(f, {"--config", cfg.c_str()});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("data-dir"), std::string::npos);
  }
  {
    std::string cfg = tmp.write("nested.yaml", "data-dir:\n  a: b\n");
    ServerFlags s;
    FlagSet f = s.make();
    EXPECT_FALSE(parse(f, {"--config", cfg.c_str()}).has_value());
  }
}

TEST(ConfigFileTest, DropInsOverrideAndAppend) {
  TempDir tmp;
  std::string cfg = tmp.write("config.yaml", "token: main\nnode-label: [a=1]\n");
  tmp.write("config.yaml.d/10-more.yaml", "node-label+: [b=2]\ntoken: dropin\n");
  tmp.write("config.yaml.d/20-last.yml", "node-label+: c=3\n");
  tmp.write("config.yaml.d/ignored.txt", "token: nope\n");
  auto loaded = load_config_file(cfg);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  ASSERT_TRUE(loaded->has_value());
  std::map<std::string, ConfigValue> by_key;
  for (auto& v : **loaded) by_key[v.key] = v;
  EXPECT_EQ(by_key["token"].scalar, "dropin");
  EXPECT_TRUE(by_key["node-label"].is_list);
  EXPECT_EQ(by_key["node-label"].list, (std::vector<std::string>{"a=1", "b=2", "c=3"}));

  auto none = load_config_file(tmp.path() + "/none.yaml");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());

  auto empty = parse_config_yaml("", "empty");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(parse_config_yaml("- a\n- b\n", "seq").has_value());
}

}  // namespace
}  // namespace kite::base
