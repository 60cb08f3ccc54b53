#pragma once
// Finds the server settings for an e-mail address the way a user expects from
// a mail client, in this order, and says what it tries and where each setting
// came from:
//   1. an autoconfig document (Mozilla ISPDB format) from the provider:
//      https://autoconfig.<domain>/mail/config-v1.1.xml and
//      https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml,
//      then Mozilla's ISPDB (https://autoconfig.thunderbird.net/v1.1/<domain>);
//      HTTPS only, the certificate checked (system CAs + the profile's extra
//      CAs): a document from plain HTTP could send the password anywhere;
//   2. RFC 6186 / RFC 8314 DNS SRV records (_imaps, _imap, _pop3s, _pop3,
//      _submissions, _submission), a "." target meaning "not offered";
//   3. guessed host names (imap., mail., pop., smtp., the domain) whose ports
//      answer with the right greeting, implicit TLS first (RFC 8314).
// Incoming and outgoing are settled separately: a provider may publish SRV
// records for IMAP and nothing for submission.
//
// Nothing here logs in; AccountCheck does that with the result.
// Thread: any thread with an event loop; everything is asynchronous (network
// access, DNS, sockets), so the GUI thread never waits.
#include "account/AccountConfig.h"

#include <QHostAddress>
#include <QList>
#include <QNetworkProxy>
#include <QObject>
#include <QPair>
#include <QStringList>

#include <memory>
#include <optional>

namespace heron {

struct DiscoveredServer {
    QString protocol;      // "imap", "pop3" or "smtp"
    ServerConfig server;
    QStringList usernames; // to try in order (e.g. the address, then its local part)
    QString source;        // where it came from, for the user
    // Found in DNS (SRV records: not authenticated, forgeable by anyone on the
    // way) and naming a host outside the mail domain: no password may go
    // there before the user has said yes (RFC 6186 section 6).
    bool needsConfirmation = false;
    QString trust;         // how far the source can be trusted, for the user
};

// host is the mail domain or a name under it.
bool hostInDomain(const QString &host, const QString &domain);

struct DiscoveryResult {
    std::optional<DiscoveredServer> incoming;
    std::optional<DiscoveredServer> outgoing;
    QString displayName; // the provider's name from an autoconfig document, if any
    bool complete() const { return incoming && outgoing; }
};

using PortCandidates = QList<QPair<int, Security>>;

struct DiscoveryOptions {
    // DNS server for SRV and host lookups; null: the system's resolver.
    QHostAddress nameserver;
    // Proxy for the autoconfig documents; default: the application's.
    QNetworkProxy proxy = QNetworkProxy(QNetworkProxy::DefaultProxy);
    // PEM file of extra certificate authorities (the profile's).
    QString extraAnchorsFile;
    bool askIspdb = true;
    int stepTimeoutMs = 8000;
    // Ports tried when guessing, in order of preference.
    PortCandidates imapPorts{{993, Security::Tls}, {143, Security::StartTls}};
    PortCandidates pop3Ports{{995, Security::Tls}, {110, Security::StartTls}};
    PortCandidates smtpPorts{{465, Security::Tls}, {587, Security::StartTls}};
};

// Parses a Mozilla autoconfig document for this address. Picks the first
// IMAP (else POP3) incoming server and the first SMTP server that are not
// unencrypted. Returns false with a reason when there is no usable server.
bool parseAutoconfig(const QByteArray &xml, const QString &email, DiscoveryResult *out, QString *why);

class AutoDiscovery : public QObject {
    Q_OBJECT
public:
    explicit AutoDiscovery(DiscoveryOptions options = {}, QObject *parent = nullptr);
    ~AutoDiscovery() override;

    // Starts looking for the settings of this address; finished() follows.
    void start(const QString &email);
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    // One line per thing tried and its outcome ("DNS SRV _imaps._tcp.example.org: imap.example.org:993").
    void step(const QString &text);
    void finished(const heron::DiscoveryResult &result);

private:
    struct Run;
    void startAutoconfig();
    void startSrv();
    void startProbe();
    void done();
    DiscoveryOptions m_options;
    std::unique_ptr<Run> m_run;
};

} // namespace heron

Q_DECLARE_METATYPE(heron::DiscoveryResult)
