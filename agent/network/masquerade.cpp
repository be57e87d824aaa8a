#include "agent/network/masquerade.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace kite::agent::network {

std::string render_masquerade_removal() {
  std::string t = std::string("ip ") + kNftTable;
  return "add table " + t + "\ndelete table " + t + "\n";
}

std::string render_masquerade_ruleset(const std::string& cidr) {
  std::string t = std::string("ip ") + kNftTable;
  return render_masquerade_removal() +
         "table " + t + " {\n"
         "  chain postrouting {\n"
         "    type nat hook postrouting priority srcnat; policy accept;\n"
         "    ip saddr " + cidr + " ip daddr != " + cidr + " masquerade\n"
         "  }\n"
         "  chain forward {\n"
         "    type filter hook forward priority filter; policy accept;\n"
         "    ip saddr " + cidr + " accept\n"
         "    ip daddr " + cidr + " accept\n"
         "  }\n"
         "}\n";
}

base::Result<void> run_nft_script(const std::string& script, const std::string& nft) {
  int in[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return base::error(base::Reason::InternalError, std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return base::error(base::Reason::InternalError, std::string("pipe: ") + std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], err[0], err[1]}) ::close(fd);
    return base::error(base::Reason::InternalError, std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(err[1], 1);
    ::dup2(err[1], 2);
    const char* argv[] = {nft.c_str(), "-f", "-", nullptr};
    ::execvp(argv[0], const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(err[1]);
  // The script is small (well under a pipe buffer), so writing before reading cannot deadlock
  // on nft's output. SIGPIPE (nft exiting early) is blocked on this thread and consumed.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  size_t off = 0;
  while (off < script.size()) {
    ssize_t n = ::write(in[1], script.data() + off, script.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    off += static_cast<size_t>(n);
  }
  ::close(in[1]);
  timespec no_wait{};
  while (sigtimedwait(&pipe_set, nullptr, &no_wait) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  std::string output;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(err[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return base::error(base::Reason::InternalError, "cannot run " + nft + " (is the nftables package installed?)");
  return base::error(base::Reason::InternalError, nft + " -f - failed: " + output);
}

base::Result<void> apply_masquerade(const std::string& cluster_cidr, const std::string& nft) {
  return run_nft_script(render_masquerade_ruleset(cluster_cidr), nft);
}

base::Result<void> remove_masquerade(const std::string& nft) { return run_nft_script(render_masquerade_removal(), nft); }

}  // namespace kite::agent::network
