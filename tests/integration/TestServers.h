#pragma once
// Access to the real Dovecot/Postfix started by the CTest fixture
// (tests/env/mailservers.sh). HERON_TEST_ENV names its env file. A missing
// server is a failure, never a skip.
#include "account/AccountConfig.h"

#include <QFile>
#include <QHash>
#include <QString>
#include <QTest>

namespace heron::test {

class TestServers {
public:
    static TestServers &get()
    {
        static TestServers s;
        return s;
    }
    bool ok() const { return !m_vars.isEmpty(); }
    QString error() const { return m_error; }
    QString var(const char *name) const { return m_vars.value(QString::fromLatin1(name)); }
    int port(const char *name) const { return var(name).toInt(); }
    QString caFile() const { return var("HERON_TEST_CA"); }
    QString password(const QString &user) const { return QStringLiteral("secret-") + user; }

    AccountConfig imapAccount(const QString &user, Security security = Security::Tls) const
    {
        AccountConfig a;
        a.name = user;
        a.email = user + QStringLiteral("@example.org");
        a.protocol = QStringLiteral("imap");
        a.incoming.host = QStringLiteral("localhost");
        a.incoming.port = security == Security::Tls ? port("HERON_TEST_IMAPS_PORT") : port("HERON_TEST_IMAP_PORT");
        a.incoming.security = security;
        a.username = user;
        return a;
    }

private:
    TestServers()
    {
        const QString path = qEnvironmentVariable("HERON_TEST_ENV");
        QFile f(path);
        if (path.isEmpty() || !f.open(QIODevice::ReadOnly)) {
            m_error = QStringLiteral("test servers not running (HERON_TEST_ENV=%1)").arg(path);
            return;
        }
        for (const QByteArray &line : f.readAll().split('\n')) {
            const qsizetype eq = line.indexOf('=');
            if (eq > 0)
                m_vars.insert(QString::fromUtf8(line.left(eq)).trimmed(),
                              QString::fromUtf8(line.mid(eq + 1)).trimmed().remove(QLatin1Char('"')).remove(QLatin1Char('\'')));
        }
    }
    QHash<QString, QString> m_vars;
    QString m_error;
};

#define HERON_REQUIRE_SERVERS() \
    QVERIFY2(heron::test::TestServers::get().ok(), qPrintable(heron::test::TestServers::get().error()))

} // namespace heron::test
