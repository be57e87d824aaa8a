// Test helper: runs a function on a fresh thread inside a new, private network namespace
// (unshare(CLONE_NEWNET) on that thread). The namespace disappears when the thread ends, so
// nothing is left behind even if the test fails. Children forked from that thread (ip, nft)
// and threads it creates inherit the namespace.
#pragma once

#include <sched.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

namespace kite::agent::network::testing {

// Returns "" on success, else why the namespace could not be made (the caller skips).
inline std::string run_in_new_netns(const std::function<void()>& fn) {
  std::string err;
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      err = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    fn();
  });
  t.join();
  return err;
}

inline int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

}  // namespace kite::agent::network::testing
