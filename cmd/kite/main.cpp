// kite: one binary, one subcommand per role.
//   kite server [flags]     the API server, the control plane and (unless --disable-agent) a local agent
//   kite agent [flags]      a node agent joining a server (--server URL --token T)
//   kite kubectl ARGS...    the system kubectl with the admin kubeconfig
//   kite token [flags]      prints the server's join token
//   kite --version
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "agent/app/agent.h"
#include "agent/app/agent_config.h"
#include "base/flags.h"
#include "base/log.h"
#include "base/pki.h"
#include "server/app/run_server.h"
#include "server/app/server_config.h"

namespace {

constexpr const char* kVersion = "v0.1.0 (Kubernetes API v1.32)";

void usage() {
  std::cout << "kite " << kVersion << ": a lightweight Kubernetes distribution\n\n"
            << "Usage: kite COMMAND [flags]\n\n"
            << "Commands:\n"
            << "  server    Run the kite server (API server over etcd)\n"
            << "  agent     Run the kite node agent (joins a server)\n"
            << "  kubectl   Run kubectl with the admin kubeconfig\n"
            << "  token     Print the server's join token\n"
            << "  version   Print the version\n\n"
            << "Run 'kite COMMAND --help' for a command's flags.\n";
}

int fail(const std::string& message) {
  std::cerr << "kite: " << message << "\n";
  return 1;
}

int cmd_server(int argc, const char* const* argv) {
  kite::serverapp::ServerConfig config;
  kite::base::FlagSet flags("kite server");
  kite::serverapp::register_server_flags(flags, config);
  auto args = flags.parse(argc, argv);
  if (!args) return fail(args.error().message());
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  if (!args->empty()) return fail("kite server takes no arguments, got \"" + args->front() + "\"");
  if (auto v = kite::serverapp::validate_server_config(config); !v) return fail(v.error().message());
  if (config.debug) kite::base::set_log_level(kite::base::LogLevel::debug);
  kite::serverapp::block_termination_signals();
  if (auto r = kite::serverapp::run_server(config); !r) return fail(r.error().message());
  return 0;
}

int cmd_agent(int argc, const char* const* argv) {
  kite::agent::AgentConfig config;
  kite::base::FlagSet flags("kite agent");
  kite::agent::register_agent_flags(flags, config);
  auto args = flags.parse(argc, argv);
  if (!args) return fail(args.error().message());
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  if (!args->empty()) return fail("kite agent takes no arguments, got \"" + args->front() + "\"");
  if (config.debug) kite::base::set_log_level(kite::base::LogLevel::debug);
  kite::serverapp::block_termination_signals();
  if (auto r = kite::agent::run_agent(config); !r) return fail(r.error().message());
  return 0;
}

int cmd_kubectl(int argc, const char* const* argv) {
  std::vector<std::string> args = {"kubectl"};
  for (int i = 0; i < argc; ++i) args.emplace_back(argv[i]);
  if (!std::getenv("KUBECONFIG")) {
    const char* path = std::getenv("KITE_KUBECONFIG_OUTPUT");
    setenv("KUBECONFIG", path ? path : "/etc/kite/kite.yaml", 1);
  }
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  execvp("kubectl", cargs.data());
  return fail(std::string("cannot run kubectl: ") + std::strerror(errno));
}

int cmd_token(int argc, const char* const* argv) {
  std::string data_dir = "/var/lib/kite";
  kite::base::FlagSet flags("kite token");
  flags.add_string("data-dir", &data_dir, "Folder that holds the server state", "KITE_DATA_DIR");
  auto args = flags.parse(argc, argv);
  if (!args) return fail(args.error().message());
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  auto token = kite::base::read_file(data_dir + "/server/token");
  if (!token) return fail("no server token under " + data_dir + "/server/token (has kite server run here?)");
  std::string t = *token;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  std::cout << t << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Few malloc arenas: with one per worker thread, freed list buffers stay resident.
  mallopt(M_ARENA_MAX, 2);
  if (argc < 2) {
    usage();
    return 1;
  }
  std::string cmd = argv[1];
  const char* const* rest = argv + 2;
  int nrest = argc - 2;
  if (cmd == "server") return cmd_server(nrest, rest);
  if (cmd == "kubectl") return cmd_kubectl(nrest, rest);
  if (cmd == "token") return cmd_token(nrest, rest);
  if (cmd == "agent") return cmd_agent(nrest, rest);
  if (cmd == "version" || cmd == "--version" || cmd == "-v") {
    std::cout << "kite " << kVersion << "\n";
    return 0;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    usage();
    return 0;
  }
  usage();
  return fail("unknown command \"" + cmd + "\"");
}
