#pragma once
// What a mail provider publishes besides its mail servers, played on loopback
// for the account setup tests: a DNS server (SRV and A records, NXDOMAIN for
// everything else) and an HTTP proxy that terminates CONNECT tunnels with a
// certificate for the requested host and serves autoconfig documents. The mail
// servers themselves are the real Dovecot and Postfix of the fixture.
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QProcess>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUdpSocket>
#include <QUrl>

#include <memory>

namespace heron::test {

class TestDnsServer : public QObject {
public:
    struct Srv { quint16 priority, weight, port; QString target; };

    // Binds UDP port 53 (QDnsLookup in Qt 6.4 has no port choice) on a random
    // 127.x.y.z address, so parallel runs do not collide. Needs root or
    // CAP_NET_BIND_SERVICE, which CI has.
    bool start(QString *error)
    {
        for (int attempt = 0; attempt < 20; ++attempt) {
            auto *rng = QRandomGenerator::global();
            m_address = QHostAddress(QStringLiteral("127.%1.%2.%3").arg(rng->bounded(1, 250)).arg(rng->bounded(1, 250)).arg(rng->bounded(2, 250)));
            if (m_socket.bind(m_address, 53)) {
                connect(&m_socket, &QUdpSocket::readyRead, this, &TestDnsServer::answer);
                return true;
            }
            *error = m_socket.errorString();
        }
        return false;
    }
    QHostAddress address() const { return m_address; }
    void addSrv(const QString &name, Srv srv) { m_srv[name.toLower()].push_back(srv); m_names.insert(name.toLower()); }
    void addA(const QString &name, const QHostAddress &a) { m_a[name.toLower()].push_back(a); m_names.insert(name.toLower()); }
    QStringList queries() const { return m_queries; }

private:
    static void putName(QByteArray &out, const QString &name)
    {
        for (const QString &label : name.split(QLatin1Char('.'), Qt::SkipEmptyParts)) {
            const QByteArray l = label.toLatin1();
            out.append(char(l.size())).append(l);
        }
        out.append('\0');
    }
    static void put16(QByteArray &out, quint16 v) { out.append(char(v >> 8)).append(char(v & 0xff)); }

    void answer()
    {
        while (m_socket.hasPendingDatagrams()) {
            QHostAddress from;
            quint16 port = 0;
            QByteArray q(int(m_socket.pendingDatagramSize()), '\0');
            m_socket.readDatagram(q.data(), q.size(), &from, &port);
            if (q.size() < 17) continue;
            int pos = 12;
            QStringList labels;
            while (pos < q.size() && q[pos] != 0) {
                const int len = uchar(q[pos]);
                labels << QString::fromLatin1(q.mid(pos + 1, len));
                pos += len + 1;
            }
            const QString name = labels.join(QLatin1Char('.')).toLower();
            const quint16 type = quint16(uchar(q[pos + 1]) << 8 | uchar(q[pos + 2]));
            const QByteArray question = q.mid(12, pos + 5 - 12);
            m_queries << QStringLiteral("%1/%2").arg(name).arg(type);

            QByteArray answers;
            int count = 0;
            auto record = [&](quint16 rtype, const QByteArray &rdata) {
                answers.append(char(0xc0)).append(char(12)); // pointer to the question name
                put16(answers, rtype);
                put16(answers, 1);
                answers.append(QByteArray("\0\0\0\x3c", 4)); // TTL 60
                put16(answers, quint16(rdata.size()));
                answers.append(rdata);
                ++count;
            };
            if (type == 33)
                for (const Srv &s : m_srv.value(name)) {
                    QByteArray r;
                    put16(r, s.priority);
                    put16(r, s.weight);
                    put16(r, s.port);
                    putName(r, s.target);
                    record(33, r);
                }
            if (type == 1)
                for (const QHostAddress &a : m_a.value(name)) {
                    QByteArray r;
                    const quint32 v = a.toIPv4Address();
                    r.append(char(v >> 24)).append(char(v >> 16)).append(char(v >> 8)).append(char(v));
                    record(1, r);
                }
            QByteArray reply = q.left(2);
            const bool known = m_names.contains(name);
            put16(reply, quint16(0x8180 | (known ? 0 : 3))); // response, RD, RA, NOERROR or NXDOMAIN
            put16(reply, 1);
            put16(reply, quint16(count));
            put16(reply, 0);
            put16(reply, 0);
            reply.append(question).append(answers);
            m_socket.writeDatagram(reply, from, port);
        }
    }

    QUdpSocket m_socket;
    QHostAddress m_address;
    QHash<QString, QList<Srv>> m_srv;
    QHash<QString, QList<QHostAddress>> m_a;
    QSet<QString> m_names;
    QStringList m_queries;
};

// An HTTP proxy as QNetworkAccessManager uses it for https:// URLs: it gets
// "CONNECT host:443", answers 200 and then plays the HTTPS server for that
// host itself, with the certificate registered for it; hosts without one get
// "502 Bad Gateway" (as if the name did not exist).
class TestHttpsProxy : public QTcpServer {
public:
    struct Site { QSslCertificate cert; QSslKey key; QHash<QString, QByteArray> documents; };

    bool start() { return listen(QHostAddress::LocalHost); }
    Site &site(const QString &host) { return m_sites[host.toLower()]; }
    // "CONNECT host" and "GET host/path?query" lines, in order.
    QStringList requests() const { return m_requests; }

    // A certificate for these host names, signed by the CA (PEM files).
    static bool makeSite(Site *site, const QString &dir, const QString &caPem, const QString &caKey,
                         const QStringList &hosts, QString *error)
    {
        const QString base = dir + QStringLiteral("/site-") + hosts.first();
        QStringList san;
        for (const QString &h : hosts) san << QStringLiteral("DNS:") + h;
        QFile ext(base + QStringLiteral(".ext"));
        ext.open(QIODevice::WriteOnly);
        ext.write("subjectAltName=" + san.join(QLatin1Char(',')).toLatin1() + "\n");
        ext.close();
        auto run = [&](const QStringList &args) {
            QProcess p;
            p.start(QStringLiteral("openssl"), args);
            if (!p.waitForFinished(30000) || p.exitCode() != 0) {
                *error = QStringLiteral("openssl %1: %2").arg(args.first(), QString::fromLocal8Bit(p.readAllStandardError()));
                return false;
            }
            return true;
        };
        if (!run({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                  QStringLiteral("-nodes"), QStringLiteral("-subj"), QStringLiteral("/CN=") + hosts.first(),
                  QStringLiteral("-keyout"), base + QStringLiteral(".key"), QStringLiteral("-out"), base + QStringLiteral(".csr")}) ||
            !run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), base + QStringLiteral(".csr"),
                  QStringLiteral("-CA"), caPem, QStringLiteral("-CAkey"), caKey, QStringLiteral("-CAcreateserial"),
                  QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-sha256"), QStringLiteral("-extfile"),
                  base + QStringLiteral(".ext"), QStringLiteral("-out"), base + QStringLiteral(".pem")}))
            return false;
        return loadSite(site, base + QStringLiteral(".pem"), base + QStringLiteral(".key"), error);
    }
    static bool loadSite(Site *site, const QString &certPem, const QString &keyPem, QString *error)
    {
        QFile c(certPem), k(keyPem);
        if (!c.open(QIODevice::ReadOnly) || !k.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1").arg(certPem);
            return false;
        }
        site->cert = QSslCertificate(c.readAll(), QSsl::Pem);
        site->key = QSslKey(k.readAll(), QSsl::Rsa, QSsl::Pem);
        if (site->cert.isNull() || site->key.isNull()) *error = QStringLiteral("bad certificate or key in %1").arg(certPem);
        return error->isEmpty();
    }

protected:
    void incomingConnection(qintptr fd) override
    {
        auto *s = new QSslSocket(this);
        s->setSocketDescriptor(fd);
        auto state = std::make_shared<std::pair<QString, QByteArray>>(); // tunnelled host, buffer
        connect(s, &QSslSocket::readyRead, this, [this, s, state] { handle(s, state->first, state->second); });
        connect(s, &QSslSocket::disconnected, s, &QObject::deleteLater);
    }

private:
    void handle(QSslSocket *s, QString &host, QByteArray &buffer)
    {
        buffer += s->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const QByteArray first = buffer.left(buffer.indexOf("\r\n"));
        buffer.remove(0, end + 4);
        const QList<QByteArray> words = first.split(' ');
        if (words.size() < 2) return;
        if (words[0] == "CONNECT") {
            host = QString::fromLatin1(words[1]).section(QLatin1Char(':'), 0, 0).toLower();
            m_requests << QStringLiteral("CONNECT ") + host;
            if (!m_sites.contains(host)) {
                s->write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                s->disconnectFromHost();
                return;
            }
            s->write("HTTP/1.1 200 Connection established\r\n\r\n");
            s->flush();
            s->setLocalCertificate(m_sites[host].cert);
            s->setPrivateKey(m_sites[host].key);
            s->startServerEncryption();
            return;
        }
        const QString target = QString::fromLatin1(words[1]);
        m_requests << QStringLiteral("GET ") + host + target;
        const QByteArray doc = m_sites.value(host).documents.value(target.section(QLatin1Char('?'), 0, 0));
        if (doc.isNull())
            s->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        else
            s->write("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " + QByteArray::number(doc.size()) +
                     "\r\n\r\n" + doc);
    }

    QHash<QString, Site> m_sites;
    QStringList m_requests;
};

} // namespace heron::test
