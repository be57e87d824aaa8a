#include "agent/network/netlink_routes.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace kite::agent::network {
namespace {

struct Cidr {
  in_addr addr{};
  int prefix = 0;
};

base::Result<Cidr> parse_cidr(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return base::error(base::Reason::BadRequest, "not a CIDR: " + s);
  Cidr c;
  if (inet_pton(AF_INET, s.substr(0, slash).c_str(), &c.addr) != 1)
    return base::error(base::Reason::BadRequest, "not an IPv4 CIDR: " + s);
  try {
    c.prefix = std::stoi(s.substr(slash + 1));
  } catch (...) {
    return base::error(base::Reason::BadRequest, "bad prefix length: " + s);
  }
  if (c.prefix < 0 || c.prefix > 32) return base::error(base::Reason::BadRequest, "bad prefix length: " + s);
  return c;
}

// A netlink socket closed on scope exit.
class Socket {
 public:
  Socket() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct Request {
  nlmsghdr hdr;
  rtmsg rt;
  char attrs[256];
};

void add_attr(Request& req, uint16_t type, const void* data, size_t len) {
  auto* rta = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&req) + NLMSG_ALIGN(req.hdr.nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
  std::memcpy(RTA_DATA(rta), data, len);
  req.hdr.nlmsg_len = NLMSG_ALIGN(req.hdr.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

base::Status errno_status(const std::string& what, int e) {
  return base::Status(base::Reason::InternalError, what + ": " + std::strerror(e));
}

// Sends one request and reads the ACK (or the error).
base::Result<void> transact(Request& req, const std::string& what, bool ignore_missing) {
  Socket sock;
  if (sock.fd() < 0) return std::unexpected(errno_status("netlink socket", errno));
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  req.hdr.nlmsg_seq = 1;
  if (::sendto(sock.fd(), &req, req.hdr.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0)
    return std::unexpected(errno_status(what + ": send", errno));
  char buf[8192];
  for (;;) {
    ssize_t n = ::recv(sock.fd(), buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_status(what + ": recv", errno));
    }
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(h));
        if (err->error == 0) return {};
        int e = -err->error;
        if (ignore_missing && (e == ESRCH || e == ENOENT)) return {};
        return std::unexpected(errno_status(what, e));
      }
    }
  }
}

base::Result<Request> route_request(const Route& route, uint8_t protocol, uint16_t type, uint16_t flags) {
  auto dst = parse_cidr(route.dst);
  if (!dst) return std::unexpected(dst.error());
  Request req{};
  req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  req.hdr.nlmsg_type = type;
  req.hdr.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
  req.rt.rtm_family = AF_INET;
  req.rt.rtm_dst_len = static_cast<unsigned char>(dst->prefix);
  req.rt.rtm_table = RT_TABLE_MAIN;
  req.rt.rtm_protocol = protocol;
  req.rt.rtm_scope = RT_SCOPE_UNIVERSE;
  req.rt.rtm_type = RTN_UNICAST;
  add_attr(req, RTA_DST, &dst->addr, sizeof(dst->addr));
  if (!route.gateway.empty()) {
    in_addr gw{};
    if (inet_pton(AF_INET, route.gateway.c_str(), &gw) != 1)
      return base::error(base::Reason::BadRequest, "not an IPv4 address: " + route.gateway);
    add_attr(req, RTA_GATEWAY, &gw, sizeof(gw));
  }
  return req;
}

std::string format_addr(const void* data) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, data, text, sizeof(text));
  return text;
}

}  // namespace

base::Result<std::vector<Route>> list_routes(uint8_t protocol) {
  Socket sock;
  if (sock.fd() < 0) return std::unexpected(errno_status("netlink socket", errno));
  Request req{};
  req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  req.hdr.nlmsg_type = RTM_GETROUTE;
  req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.hdr.nlmsg_seq = 1;
  req.rt.rtm_family = AF_INET;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(sock.fd(), &req, req.hdr.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0)
    return std::unexpected(errno_status("route dump: send", errno));
  std::vector<Route> out;
  std::vector<char> buf(32768);
  for (;;) {
    ssize_t n = ::recv(sock.fd(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_status("route dump: recv", errno));
    }
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return out;
      if (h->nlmsg_type == NLMSG_ERROR) {
        auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(h));
        return std::unexpected(errno_status("route dump", -err->error));
      }
      if (h->nlmsg_type != RTM_NEWROUTE) continue;
      auto* rt = static_cast<rtmsg*>(NLMSG_DATA(h));
      if (rt->rtm_family != AF_INET || rt->rtm_protocol != protocol) continue;
      uint32_t table = rt->rtm_table;
      std::string dst = "0.0.0.0", gw;
      int attr_len = static_cast<int>(RTM_PAYLOAD(h));
      for (auto* a = RTM_RTA(rt); RTA_OK(a, attr_len); a = RTA_NEXT(a, attr_len)) {
        if (a->rta_type == RTA_TABLE) std::memcpy(&table, RTA_DATA(a), sizeof(table));
        if (a->rta_type == RTA_DST) dst = format_addr(RTA_DATA(a));
        if (a->rta_type == RTA_GATEWAY) gw = format_addr(RTA_DATA(a));
      }
      if (table != RT_TABLE_MAIN) continue;
      out.push_back({dst + "/" + std::to_string(rt->rtm_dst_len), gw});
    }
  }
}

base::Result<void> replace_route(const Route& route, uint8_t protocol) {
  auto req = route_request(route, protocol, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
  if (!req) return std::unexpected(req.error());
  return transact(*req, "replace route " + route.dst + " via " + route.gateway, false);
}

base::Result<void> delete_route(const Route& route, uint8_t protocol) {
  Route without_gateway{route.dst, ""};
  auto req = route_request(without_gateway, protocol, RTM_DELROUTE, 0);
  if (!req) return std::unexpected(req.error());
  req->rt.rtm_scope = RT_SCOPE_NOWHERE;
  req->rt.rtm_type = 0;
  return transact(*req, "delete route " + route.dst, true);
}

}  // namespace kite::agent::network
