#include "account/AutoDiscovery.h"

#include <QDnsLookup>
#include <QHostInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QXmlStreamReader>

#include <algorithm>

namespace heron {

namespace {

constexpr qint64 MaxDocumentBytes = 256 * 1024;

QString substitute(QString text, const QString &email)
{
    const QString local = email.section(QLatin1Char('@'), 0, -2);
    const QString domain = email.section(QLatin1Char('@'), -1);
    text.replace(QLatin1String("%EMAILADDRESS%"), email);
    text.replace(QLatin1String("%EMAILLOCALPART%"), local);
    text.replace(QLatin1String("%EMAILDOMAIN%"), domain);
    return text.trimmed();
}

bool plausibleHost(const QString &host)
{
    if (host.isEmpty() || host.size() > 253) return false;
    for (QChar c : host)
        if (!(c.isLetterOrNumber() || c == QLatin1Char('.') || c == QLatin1Char('-') || c == QLatin1Char(':')))
            return false;
    return true;
}

QStringList defaultUsernames(const QString &email)
{
    QStringList names{email};
    const QString local = email.section(QLatin1Char('@'), 0, -2);
    if (!local.isEmpty() && local != email) names << local;
    return names;
}

QString describe(const ServerConfig &s)
{
    const char *sec = s.security == Security::Tls ? "TLS" : s.security == Security::StartTls ? "STARTTLS" : "no encryption";
    return QStringLiteral("%1:%2 (%3)").arg(s.host).arg(s.port).arg(QLatin1String(sec));
}

struct ParsedServer {
    QString type;
    QString host;
    int port = 0;
    QString socketType;
    QString username;
    QStringList auth;
};

ParsedServer readServer(QXmlStreamReader &xml)
{
    ParsedServer s;
    s.type = xml.attributes().value(QLatin1String("type")).toString().toLower();
    while (xml.readNextStartElement()) {
        const auto name = xml.name();
        if (name == QLatin1String("hostname")) s.host = xml.readElementText();
        else if (name == QLatin1String("port")) s.port = xml.readElementText().trimmed().toInt();
        else if (name == QLatin1String("socketType")) s.socketType = xml.readElementText().trimmed();
        else if (name == QLatin1String("username")) s.username = xml.readElementText();
        else if (name == QLatin1String("authentication")) s.auth << xml.readElementText().trimmed();
        else xml.skipCurrentElement();
    }
    return s;
}

} // namespace

bool parseAutoconfig(const QByteArray &data, const QString &email, DiscoveryResult *out, QString *why)
{
    QXmlStreamReader xml(data);
    std::vector<ParsedServer> incoming, outgoing;
    QString displayName;
    bool sawConfig = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        const auto name = xml.name();
        if (name == QLatin1String("clientConfig")) sawConfig = true;
        else if (name == QLatin1String("displayName") && displayName.isEmpty()) displayName = xml.readElementText().trimmed();
        else if (name == QLatin1String("incomingServer")) incoming.push_back(readServer(xml));
        else if (name == QLatin1String("outgoingServer")) outgoing.push_back(readServer(xml));
    }
    if (xml.hasError() || !sawConfig) {
        *why = xml.hasError() ? QStringLiteral("not a valid autoconfig document (%1 at line %2)")
                                    .arg(xml.errorString()).arg(xml.lineNumber())
                              : QStringLiteral("not an autoconfig document");
        return false;
    }
    QStringList skipped;
    auto usable = [&](const ParsedServer &s, const QString &type) -> std::optional<DiscoveredServer> {
        if (s.type != type) return std::nullopt;
        const QString host = substitute(s.host, email);
        DiscoveredServer d;
        d.protocol = type;
        d.server.host = host;
        d.server.port = s.port;
        const QString sock = s.socketType.toUpper();
        if (sock == QLatin1String("SSL") || sock == QLatin1String("TLS")) d.server.security = Security::Tls;
        else if (sock == QLatin1String("STARTTLS")) d.server.security = Security::StartTls;
        else {
            skipped << QStringLiteral("%1 %2:%3 is unencrypted").arg(type.toUpper(), host).arg(s.port);
            return std::nullopt;
        }
        if (!plausibleHost(host) || s.port < 1 || s.port > 65535) {
            skipped << QStringLiteral("%1 server \"%2\" port %3 is not valid").arg(type.toUpper(), host).arg(s.port);
            return std::nullopt;
        }
        // Password logins only (OAuth2 and client certificates are not supported).
        const bool passwordOk = s.auth.isEmpty() || std::any_of(s.auth.begin(), s.auth.end(), [](const QString &a) {
            return a.startsWith(QLatin1String("password-"), Qt::CaseInsensitive) || a.compare(QLatin1String("plain"), Qt::CaseInsensitive) == 0;
        });
        if (!passwordOk) {
            skipped << QStringLiteral("%1 %2 wants %3").arg(type.toUpper(), host, s.auth.join(QLatin1String(", ")));
            return std::nullopt;
        }
        const QString user = substitute(s.username, email);
        d.usernames = user.isEmpty() ? defaultUsernames(email) : QStringList{user};
        return d;
    };
    for (const QString &type : {QStringLiteral("imap"), QStringLiteral("pop3")}) {
        if (out->incoming) break;
        for (const ParsedServer &s : incoming)
            if (auto d = usable(s, type)) { out->incoming = d; break; }
    }
    for (const ParsedServer &s : outgoing)
        if (auto d = usable(s, QStringLiteral("smtp"))) { out->outgoing = d; break; }
    out->displayName = displayName;
    if (!out->incoming && !out->outgoing) {
        *why = skipped.isEmpty() ? QStringLiteral("it names no IMAP, POP3 or SMTP server")
                                 : QStringLiteral("no usable server (%1)").arg(skipped.join(QLatin1String("; ")));
        return false;
    }
    return true;
}

// One discovery in progress. A QObject so that everything it started (replies,
// lookups, sockets, timers) goes away with it.
struct AutoDiscovery::Run : QObject {
    QString email, domain;
    DiscoveryResult result;
    QNetworkAccessManager *nam = nullptr;
    QList<QUrl> urls;
    int pending = 0;
    int stage = 0; // 0 autoconfig, 1 SRV, 2 probe, 3 done
};

AutoDiscovery::AutoDiscovery(DiscoveryOptions options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    qRegisterMetaType<heron::DiscoveryResult>();
}

AutoDiscovery::~AutoDiscovery() { cancel(); }

bool AutoDiscovery::isRunning() const { return m_run != nullptr; }

void AutoDiscovery::cancel()
{
    // Every callback checks the stage before touching this object; the run
    // itself may still be inside one of its own callbacks, hence deleteLater.
    if (!m_run) return;
    m_run->stage = 3;
    m_run.release()->deleteLater();
}

void AutoDiscovery::start(const QString &email)
{
    cancel();
    m_run = std::make_unique<Run>();
    m_run->email = email.trimmed();
    m_run->domain = m_run->email.section(QLatin1Char('@'), -1).toLower();
    if (!m_run->email.contains(QLatin1Char('@')) || !plausibleHost(m_run->domain)) {
        Q_EMIT step(tr("\"%1\" is not an e-mail address; enter the settings by hand.").arg(email));
        done();
        return;
    }
    startAutoconfig();
}

void AutoDiscovery::startAutoconfig()
{
    Run *run = m_run.get();
    run->stage = 0;
    run->nam = new QNetworkAccessManager(run);
    if (m_options.proxy.type() != QNetworkProxy::DefaultProxy) run->nam->setProxy(m_options.proxy);
    run->nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    QUrl provider(QStringLiteral("https://autoconfig.%1/mail/config-v1.1.xml").arg(run->domain));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("emailaddress"), run->email);
    provider.setQuery(q);
    run->urls << provider << QUrl(QStringLiteral("https://%1/.well-known/autoconfig/mail/config-v1.1.xml").arg(run->domain));
    if (m_options.askIspdb) run->urls << QUrl(QStringLiteral("https://autoconfig.thunderbird.net/v1.1/%1").arg(run->domain));

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!m_options.extraAnchorsFile.isEmpty()) {
        const auto extra = QSslCertificate::fromPath(m_options.extraAnchorsFile, QSsl::Pem);
        if (!extra.isEmpty()) ssl.addCaCertificates(extra);
    }
    ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);

    // One document at a time, in order: the provider's own answer wins.
    // The function holds itself weakly; each pending reply holds it strongly.
    auto next = std::make_shared<std::function<void()>>();
    std::weak_ptr<std::function<void()>> weakNext = next;
    *next = [this, run, ssl, weakNext]() {
        auto next = weakNext.lock();
        if (!next || run->stage != 0) return;
        if (run->urls.isEmpty()) {
            Q_EMIT step(tr("No autoconfig document found."));
            startSrv();
            return;
        }
        const QUrl url = run->urls.takeFirst();
        QNetworkRequest request(url);
        request.setSslConfiguration(ssl);
        request.setTransferTimeout(m_options.stepTimeoutMs);
        request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Heron"));
        const QString shown = url.toString(QUrl::RemoveQuery);
        Q_EMIT step(tr("Looking for an autoconfig document at %1…").arg(shown));
        QNetworkReply *reply = run->nam->get(request);
        connect(reply, &QNetworkReply::readyRead, reply, [reply] {
            if (reply->bytesAvailable() + reply->pos() > MaxDocumentBytes) reply->abort();
        });
        connect(reply, &QNetworkReply::finished, run, [this, run, reply, shown, next] {
            reply->deleteLater();
            if (run->stage != 0) return;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->error() != QNetworkReply::NoError) {
                QString why = reply->errorString();
                if (reply->error() == QNetworkReply::SslHandshakeFailedError)
                    why = tr("its certificate is not trusted (%1)").arg(reply->errorString());
                else if (status == 404)
                    why = tr("not found");
                Q_EMIT step(tr("  %1: %2").arg(shown, why));
                (*next)();
                return;
            }
            const QByteArray data = reply->read(MaxDocumentBytes + 1);
            QString why;
            DiscoveryResult found;
            if (data.size() > MaxDocumentBytes) why = tr("the document is too large");
            else if (!parseAutoconfig(data, run->email, &found, &why)) {}
            if (!why.isEmpty()) {
                Q_EMIT step(tr("  %1: %2").arg(shown, why));
                (*next)();
                return;
            }
            const QString source = tr("autoconfig document %1").arg(shown);
            const QString trust = tr("published over HTTPS with a verified certificate");
            if (found.incoming) {
                found.incoming->source = source;
                found.incoming->trust = trust;
                Q_EMIT step(tr("  found incoming %1 %2").arg(found.incoming->protocol.toUpper(), describe(found.incoming->server)));
            }
            if (found.outgoing) {
                found.outgoing->source = source;
                found.outgoing->trust = trust;
                Q_EMIT step(tr("  found outgoing SMTP %1").arg(describe(found.outgoing->server)));
            }
            run->result = found;
            if (run->result.complete()) done();
            else startSrv();
        });
    };
    (*next)();
}

bool hostInDomain(const QString &host, const QString &domain)
{
    const QString h = host.toLower(), d = domain.toLower();
    return !d.isEmpty() && (h == d || h.endsWith(QLatin1Char('.') + d));
}

void AutoDiscovery::startSrv()
{
    Run *run = m_run.get();
    run->stage = 1;
    struct Service { const char *label; const char *protocol; Security security; bool incoming; };
    static const Service services[] = {
        {"_imaps._tcp", "imap", Security::Tls, true},      {"_imap._tcp", "imap", Security::StartTls, true},
        {"_pop3s._tcp", "pop3", Security::Tls, true},      {"_pop3._tcp", "pop3", Security::StartTls, true},
        {"_submissions._tcp", "smtp", Security::Tls, false}, {"_submission._tcp", "smtp", Security::StartTls, false},
    };
    // Answers indexed like services[]; chosen after all have answered (or timed out).
    auto answers = std::make_shared<std::vector<std::optional<ServerConfig>>>(std::size(services));
    auto finishSrv = [this, run, answers] {
        if (run->stage != 1) return;
        run->stage = 2;
        for (size_t i = 0; i < std::size(services); ++i) {
            const auto &a = (*answers)[i];
            if (!a) continue;
            std::optional<DiscoveredServer> &slot = services[i].incoming ? run->result.incoming : run->result.outgoing;
            if (slot) continue;
            DiscoveredServer d;
            d.protocol = QString::fromLatin1(services[i].protocol);
            d.server = *a;
            d.usernames = defaultUsernames(run->email);
            d.source = tr("DNS SRV record %1.%2").arg(QLatin1String(services[i].label), run->domain);
            d.needsConfirmation = !hostInDomain(d.server.host, run->domain);
            d.trust = d.needsConfirmation
                          ? tr("DNS answers are not authenticated, and %1 is outside %2: confirm it before your password is sent")
                                .arg(d.server.host, run->domain)
                          : tr("DNS answers are not authenticated, but the server is within %1").arg(run->domain);
            slot = d;
        }
        if (run->result.complete()) done();
        else startProbe();
    };
    const bool needIncoming = !run->result.incoming, needOutgoing = !run->result.outgoing;
    for (size_t i = 0; i < std::size(services); ++i) {
        if (services[i].incoming ? !needIncoming : !needOutgoing) continue;
        const QString name = QStringLiteral("%1.%2").arg(QLatin1String(services[i].label), run->domain);
        auto *lookup = new QDnsLookup(QDnsLookup::SRV, name, run);
        if (!m_options.nameserver.isNull()) lookup->setNameserver(m_options.nameserver);
        ++run->pending;
        connect(lookup, &QDnsLookup::finished, run, [this, run, lookup, name, answers, i, finishSrv] {
            lookup->deleteLater();
            if (run->stage != 1) return;
            auto records = lookup->serviceRecords();
            if (lookup->error() != QDnsLookup::NoError || records.isEmpty()) {
                Q_EMIT step(tr("DNS SRV %1: none").arg(name));
            } else {
                // Lowest priority first, then the heaviest weight.
                std::sort(records.begin(), records.end(), [](const QDnsServiceRecord &a, const QDnsServiceRecord &b) {
                    return a.priority() != b.priority() ? a.priority() < b.priority() : a.weight() > b.weight();
                });
                QString target = records.first().target();
                if (target.endsWith(QLatin1Char('.'))) target.chop(1);
                if (target.isEmpty()) {
                    Q_EMIT step(tr("DNS SRV %1: the service is not offered").arg(name));
                } else if (!plausibleHost(target) || records.first().port() == 0) {
                    Q_EMIT step(tr("DNS SRV %1: ignored an invalid record").arg(name));
                } else {
                    ServerConfig s{target.toLower(), records.first().port(), services[i].security};
                    (*answers)[i] = s;
                    Q_EMIT step(tr("DNS SRV %1: %2").arg(name, describe(s)));
                }
            }
            if (--run->pending == 0) finishSrv();
        });
        lookup->lookup();
    }
    if (run->pending == 0) {
        finishSrv();
        return;
    }
    Q_EMIT step(tr("Asking DNS for SRV records of %1…").arg(run->domain));
    QTimer::singleShot(m_options.stepTimeoutMs, run, [this, run, finishSrv] {
        if (run->stage != 1) return;
        Q_EMIT step(tr("DNS did not answer in time."));
        run->pending = 0;
        finishSrv();
    });
}

void AutoDiscovery::startProbe()
{
    Run *run = m_run.get();
    run->stage = 2;
    const QString d = run->domain;
    struct Candidate { QString protocol; QString host; int port; Security security; int rank; };
    std::vector<Candidate> candidates;
    auto add = [&](const QString &protocol, const QStringList &prefixes, const PortCandidates &ports, int base) {
        int hostRank = 0;
        for (const QString &p : prefixes) {
            int portRank = 0;
            for (const auto &port : ports)
                candidates.push_back({protocol, p + d, port.first, port.second, base + hostRank * 16 + portRank++});
            ++hostRank;
        }
    };
    if (!run->result.incoming) {
        add(QStringLiteral("imap"), {QStringLiteral("imap."), QStringLiteral("mail."), QString()}, m_options.imapPorts, 0);
        add(QStringLiteral("pop3"), {QStringLiteral("pop."), QStringLiteral("pop3."), QStringLiteral("mail."), QString()},
            m_options.pop3Ports, 1000);
    }
    if (!run->result.outgoing)
        add(QStringLiteral("smtp"), {QStringLiteral("smtp."), QStringLiteral("mail."), QString()}, m_options.smtpPorts, 2000);

    Q_EMIT step(tr("Guessing server names for %1 and trying their ports…").arg(d));
    // Best (lowest rank) answer per side.
    auto best = std::make_shared<std::pair<std::optional<Candidate>, std::optional<Candidate>>>();
    auto finishProbe = [this, run, best] {
        if (run->stage != 2) return;
        run->stage = 3;
        auto take = [&](const std::optional<Candidate> &c, std::optional<DiscoveredServer> &slot) {
            if (!c || slot) return;
            DiscoveredServer s;
            s.protocol = c->protocol;
            s.server = ServerConfig{c->host, c->port, c->security};
            s.usernames = defaultUsernames(run->email);
            s.source = tr("guessed: %1 answered as a %2 server").arg(describe(s.server), c->protocol.toUpper());
            s.trust = tr("a name within %1; its certificate is checked").arg(run->domain);
            slot = s;
        };
        take(best->first, run->result.incoming);
        take(best->second, run->result.outgoing);
        done();
    };

    QStringList hosts;
    for (const Candidate &c : candidates)
        if (!hosts.contains(c.host)) hosts << c.host;
    auto attempts = std::make_shared<int>(0);
    auto resolvedHosts = std::make_shared<int>(0);
    const int hostCount = hosts.size();
    auto maybeFinish = [attempts, resolvedHosts, hostCount, finishProbe] {
        if (*resolvedHosts == hostCount && *attempts == 0) finishProbe();
    };
    auto tryAddress = [this, run, candidates, best, attempts, maybeFinish](const QString &host, const QHostAddress &address) {
        for (const Candidate &c : candidates) {
            if (c.host != host) continue;
            auto *socket = new QSslSocket(run);
            ++*attempts;
            auto over = std::make_shared<bool>(false);
            auto finishOne = [socket, attempts, maybeFinish, over](bool) {
                if (*over) return;
                *over = true;
                socket->disconnect();
                socket->abort();
                socket->deleteLater();
                --*attempts;
                maybeFinish();
            };
            // The greeting decides what the port speaks. TLS is only used to
            // read it: no credential is sent here, AccountCheck verifies the
            // certificate for real before anything is saved.
            connect(socket, &QSslSocket::readyRead, run, [this, run, socket, c, best, finishOne] {
                if (run->stage != 2) return;
                if (!socket->canReadLine() && socket->bytesAvailable() < 512) return;
                const QByteArray line = socket->readLine(512);
                const bool ok = c.protocol == QLatin1String("imap") ? (line.startsWith("* OK") || line.startsWith("* PREAUTH"))
                              : c.protocol == QLatin1String("pop3") ? line.startsWith("+OK")
                                                                    : line.startsWith("220");
                if (ok) {
                    auto &slot = c.protocol == QLatin1String("smtp") ? best->second : best->first;
                    if (!slot || c.rank < slot->rank) slot = c;
                    Q_EMIT step(tr("  %1:%2 answers as a %3 server").arg(c.host).arg(c.port).arg(c.protocol.toUpper()));
                }
                finishOne(ok);
            });
            connect(socket, &QAbstractSocket::errorOccurred, run, [socket, finishOne](QAbstractSocket::SocketError) {
                finishOne(false);
            });
            connect(socket, &QSslSocket::sslErrors, socket, [socket](const QList<QSslError> &) {
                socket->ignoreSslErrors(); // reading the greeting only; see above
            });
            QTimer::singleShot(m_options.stepTimeoutMs, socket, [finishOne] { finishOne(false); });
            socket->setPeerVerifyName(host);
            if (c.security == Security::Tls) socket->connectToHostEncrypted(address.toString(), quint16(c.port), host);
            else socket->connectToHost(address, quint16(c.port));
        }
    };
    for (const QString &host : hosts) {
        auto resolved = [run, host, resolvedHosts, tryAddress, maybeFinish, this](const QList<QHostAddress> &addresses) {
            if (run->stage != 2) return;
            if (addresses.isEmpty()) Q_EMIT step(tr("  %1: no such host").arg(host));
            else tryAddress(host, addresses.first());
            ++*resolvedHosts;
            maybeFinish();
        };
        if (!m_options.nameserver.isNull()) {
            auto *lookup = new QDnsLookup(QDnsLookup::A, host, m_options.nameserver, run);
            connect(lookup, &QDnsLookup::finished, run, [lookup, resolved] {
                lookup->deleteLater();
                QList<QHostAddress> addresses;
                for (const QDnsHostAddressRecord &r : lookup->hostAddressRecords()) addresses << r.value();
                resolved(addresses);
            });
            lookup->lookup();
        } else {
            QHostInfo::lookupHost(host, run, [resolved](const QHostInfo &info) {
                resolved(info.error() == QHostInfo::NoError ? info.addresses() : QList<QHostAddress>{});
            });
        }
    }
    if (hosts.isEmpty()) finishProbe();
    QTimer::singleShot(2 * m_options.stepTimeoutMs, run, [this, run, finishProbe] {
        if (run->stage != 2) return;
        Q_EMIT step(tr("Stopped waiting for the remaining servers."));
        finishProbe();
    });
}

void AutoDiscovery::done()
{
    if (!m_run) return;
    DiscoveryResult result = m_run->result;
    m_run->stage = 3;
    m_run.release()->deleteLater();
    if (!result.incoming) Q_EMIT step(tr("No incoming server found; enter it by hand."));
    if (!result.outgoing) Q_EMIT step(tr("No outgoing (SMTP) server found; enter it by hand."));
    Q_EMIT finished(result);
}

} // namespace heron
