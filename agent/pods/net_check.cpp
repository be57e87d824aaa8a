#include "agent/pods/net_check.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace kite::agent::pods {
namespace {

std::string host_port(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Go's syscall error texts for the common cases.
std::string errno_text(int err) {
  switch (err) {
    case ECONNREFUSED: return "connection refused";
    case EHOSTUNREACH: return "no route to host";
    case ENETUNREACH: return "network is unreachable";
    case ECONNRESET: return "connection reset by peer";
    default: return std::strerror(err);
  }
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Connects with a deadline; "" on success, else the Go-style "dial tcp ..." error.
std::string dial(const std::string& host, int port, std::chrono::milliseconds timeout, Fd& out) {
  std::string target = host_port(host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0 || !res) {
    return "dial tcp: lookup " + host + ": no such host";
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return "dial tcp " + target + ": socket: " + errno_text(errno);
  out.fd = fd;
  if (::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return "dial tcp " + target + ": connect: " + errno_text(errno);
    pollfd p{fd, POLLOUT, 0};
    int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc == 0) return "dial tcp " + target + ": i/o timeout";
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (rc < 0 || err != 0) return "dial tcp " + target + ": connect: " + errno_text(rc < 0 ? errno : err);
  }
  // Blocking from here, with the same bound per read/write.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return "";
}

// A byte stream over a plain socket or TLS.
struct Conn {
  int fd;
  SSL* ssl = nullptr;
  SSL_CTX* ctx = nullptr;
  ~Conn() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
  }
  bool write_all(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      long n = ssl ? SSL_write(ssl, data.data() + off, static_cast<int>(data.size() - off))
                   : ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  long read_some(char* buf, size_t n) {
    return ssl ? SSL_read(ssl, buf, static_cast<int>(n)) : ::recv(fd, buf, n, 0);
  }
};

}  // namespace

std::string tcp_check(const std::string& host, int port, std::chrono::milliseconds timeout) {
  Fd fd;
  return dial(host, port, timeout, fd);
}

HttpGetResult http_get(const std::string& scheme, const std::string& host, int port, const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::chrono::milliseconds timeout) {
  std::string lower_scheme = scheme == "HTTPS" || scheme == "https" ? "https" : "http";
  std::string target = path.empty() || path[0] != '/' ? "/" + path : path;
  std::string url = lower_scheme + "://" + host_port(host, port) + target;
  HttpGetResult result;
  auto fail = [&](const std::string& err) {
    result.status = 0;
    result.error = "Get \"" + url + "\": " + err;
    return result;
  };
  Fd fd;
  if (std::string err = dial(host, port, timeout, fd); !err.empty()) return fail(err);
  Conn conn{fd.fd};
  if (lower_scheme == "https") {
    conn.ctx = SSL_CTX_new(TLS_client_method());
    if (!conn.ctx) return fail("tls: cannot create a context");
    SSL_CTX_set_verify(conn.ctx, SSL_VERIFY_NONE, nullptr);
    conn.ssl = SSL_new(conn.ctx);
    SSL_set_fd(conn.ssl, fd.fd);
    SSL_set_tlsext_host_name(conn.ssl, host.c_str());
    if (SSL_connect(conn.ssl) != 1) return fail("remote error: tls: handshake failure");
  }
  bool has_host = false, has_agent = false, has_accept = false;
  std::string request = "GET " + target + " HTTP/1.1\r\n";
  for (const auto& [name, value] : headers) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "host") has_host = true;
    if (lower == "user-agent") has_agent = true;
    if (lower == "accept") has_accept = true;
    request += name + ": " + value + "\r\n";
  }
  if (!has_host) request += "Host: " + host_port(host, port) + "\r\n";
  if (!has_agent) request += "User-Agent: kube-probe/1.32\r\n";
  if (!has_accept) request += "Accept: */*\r\n";
  request += "Connection: close\r\n\r\n";
  if (!conn.write_all(request)) return fail("write: " + errno_text(errno));
  std::string response;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    long n = conn.read_some(buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return fail("context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
    }
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
    auto header_end = response.find("\r\n\r\n");
    if (header_end != std::string::npos && response.size() - header_end - 4 >= 10 * 1024) break;
    if (std::chrono::steady_clock::now() > deadline) {
      if (header_end == std::string::npos) return fail("context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
      break;
    }
  }
  auto header_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/", 0) != 0 || header_end == std::string::npos) return fail("EOF");
  auto space = response.find(' ');
  try {
    result.status = std::stoi(response.substr(space + 1, 3));
  } catch (...) {
    return fail("malformed HTTP response");
  }
  result.body = response.substr(header_end + 4, 10 * 1024);
  return result;
}

}  // namespace kite::agent::pods
