#pragma once
// Replaces vmime's default verifier, which matches chain links by name and can
// be fooled (shared/notes/vmime.md). This one runs GnuTLS' path validation
// against the system trust store plus the profile's extra anchors, checks the
// host name, and accepts otherwise only a certificate the user pinned for this
// exact host and port.
#include "net/NetError.h"

#include <vmime/security/cert/certificateVerifier.hpp>

#include <functional>

namespace heron::net {

struct TrustPolicy {
    QString extraAnchorsFile; // PEM file of additional CAs (may not exist)
    // True when the user pinned this SHA-256 fingerprint for host:port.
    std::function<bool(const QString &host, int port, const QString &sha256)> isPinned;
    // The fingerprint the user trusted for host:port, if any (to say that a
    // certificate changed, with the old and the new fingerprint).
    std::function<QString(const QString &host, int port)> pinnedFingerprint;
};

class CertificateVerifier : public vmime::security::cert::certificateVerifier {
public:
    CertificateVerifier(TrustPolicy policy, QString host, int port);
    void verify(vmime::shared_ptr<vmime::security::cert::certificateChain> chain,
                const vmime::string &hostname) override;
    // Set when verify() rejected the chain.
    const CertificateInfo &problem() const { return m_problem; }
    // Checks a DER chain (leaf first); returns an empty reason when trusted.
    static CertificateInfo check(const std::vector<QByteArray> &derChain, const QString &host, int port,
                                 const TrustPolicy &policy, bool *trusted);
private:
    TrustPolicy m_policy;
    QString m_host;
    int m_port;
    CertificateInfo m_problem;
};

} // namespace heron::net
