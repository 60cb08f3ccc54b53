#pragma once
#include <QString>
#include <QMetaType>
#include <stdexcept>

namespace heron::net {

// What a user is told when a certificate cannot be trusted.
struct CertificateInfo {
    QString host;
    int port = 0;
    QString subject;
    QString issuer;
    QString notBefore; // ISO 8601, UTC
    QString notAfter;
    QString sha256;    // upper-case hex, colon separated
    QString pinnedSha256; // the fingerprint trusted before for this host and port, when it changed
    QString reason;    // why it failed verification
    bool isValid() const { return !sha256.isEmpty(); }
};

// Every failure of a mail connection, sorted by what the user can do about it.
class NetError : public std::runtime_error {
public:
    enum Kind {
        Network,      // host not found, refused, dropped: retry later (offline)
        Timeout,      // the server stopped answering
        Tls,          // TLS could not be established (or STARTTLS missing when required)
        Certificate,  // certificate not trusted: ask the user (info() has details)
        Auth,         // wrong user name or password: ask again
        Protocol,     // the server broke the protocol (malformed or oversized reply)
        Server,       // the server refused a command (NO/BAD) for this item
        Cancelled,    // we stopped it
        TooLarge,     // a message (or reply) over the account's size limit: skipped, the account goes on
    };
    NetError(Kind kind, const QString &message, CertificateInfo info = {})
        : std::runtime_error(message.toStdString()), m_kind(kind), m_message(message), m_info(std::move(info)) {}
    Kind kind() const { return m_kind; }
    QString message() const { return m_message; }
    const CertificateInfo &info() const { return m_info; }
    // Worth retrying by itself later (the network may come back).
    bool isTransient() const { return m_kind == Network || m_kind == Timeout; }
private:
    Kind m_kind;
    QString m_message;
    CertificateInfo m_info;
};

} // namespace heron::net
Q_DECLARE_METATYPE(heron::net::CertificateInfo)
