// The server's certificates under <data-dir>/server/tls.
//
// ensure_server_pki() generates everything on first start and reuses it afterwards:
//   server-ca.crt/.key                 CA that signs the serving certificate (its PEM bytes are
//                                      what join tokens pin: see server/bootstrap/token.h)
//   client-ca.crt/.key                 CA that signs client certificates (admin, nodes)
//   serving-kube-apiserver.crt/.key    the API server's TLS certificate
//   client-admin.crt/.key              CN=system:admin, O=system:masters
//   client-kube-apiserver.crt/.key     CN=kube-apiserver, O=system:masters: the API server's
//                                      identity when it calls agents (:10250)
//   service.key                        P-256 key signing service account tokens
// A CA is never replaced once it exists (its key missing or not matching is an error, since
// every issued credential depends on it). A leaf is reissued when missing, not signed by its
// current CA, within 90 days of expiry, or, for the serving certificate, when a wanted SAN is
// not in it (e.g. a new --tls-san). Keys are written 0600, certificates 0644, atomically.
// Not thread-safe against concurrent calls on the same tls_dir (one server process owns it).
#pragma once

#include <string>
#include <vector>

#include "base/pki.h"
#include "base/status.h"

namespace kite::bootstrap {

using base::KeyPair;
using base::Result;

struct ServerPkiOptions {
  std::string tls_dir;                   // <data-dir>/server/tls
  std::vector<std::string> extra_sans;   // --tls-san values (IPs or DNS names, sorted into ip/dns)
  std::string advertise_address;         // may be empty
  std::string hostname;                  // the machine's hostname (caller passes it)
  std::string service_ip = "10.43.0.1";  // first IP of the service CIDR
  std::string cluster_domain = "cluster.local";
};

struct ServerPki {
  std::string tls_dir;
  KeyPair server_ca;                                // signs the serving cert (server-ca.crt/.key)
  KeyPair client_ca;                                // signs client certs (client-ca.crt/.key)
  std::string serving_cert_file, serving_key_file;  // serving-kube-apiserver.crt/.key
  std::string client_ca_file, server_ca_file;
  KeyPair admin;  // client-admin.crt/.key: CN=system:admin, O=system:masters
  std::string admin_cert_file, admin_key_file;
  KeyPair apiserver_client;  // client-kube-apiserver.crt/.key
  std::string apiserver_client_cert_file, apiserver_client_key_file;
  KeyPair serving;  // the contents of serving_cert_file/serving_key_file
  std::string service_account_key_file;  // service.key: signs service account tokens (base/jwt.h)
};

// The DNS and IP SANs the serving certificate must carry for `opts` (canonical IP text, sorted,
// without duplicates).
struct WantedSans {
  std::vector<std::string> dns;
  std::vector<std::string> ips;
};
WantedSans serving_sans(const ServerPkiOptions& opts);

Result<ServerPki> ensure_server_pki(const ServerPkiOptions& opts);

// Issues a client certificate (clientAuth, one year) from the client CA, e.g. for node
// identities "system:node:<name>" in "system:nodes".
Result<KeyPair> issue_client_cert(const ServerPki& pki, const std::string& cn,
                                  const std::vector<std::string>& orgs);

}  // namespace kite::bootstrap
