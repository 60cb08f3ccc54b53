// Account setup: finding the settings (autoconfig over HTTPS, DNS SRV,
// guessing and probing) and logging in for real, with the failure of each
// stage named. The provider's DNS and web server are played on loopback
// (ProviderServers.h); the mail servers are the fixture's Dovecot and Postfix.
#include "ProviderServers.h"
#include "TestServers.h"

#include "account/AccountCheck.h"
#include "account/AutoDiscovery.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace heron;
using heron::test::TestServers;

class TestAutoDiscovery : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    heron::test::TestDnsServer m_dns;
    heron::test::TestHttpsProxy m_proxy;

    int port(const char *name) const { return TestServers::get().port(name); }

    QByteArray document(const QString &user = QStringLiteral("%EMAILLOCALPART%")) const
    {
        return QStringLiteral(R"(<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="heron.test">
    <domain>heron.test</domain>
    <displayName>Heron Test Mail</displayName>
    <incomingServer type="pop3">
      <hostname>localhost</hostname><port>%3</port><socketType>SSL</socketType>
      <username>%1</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>localhost</hostname><port>9</port><socketType>plain</socketType>
      <username>%1</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>localhost</hostname><port>%2</port><socketType>SSL</socketType>
      <username>%1</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>localhost</hostname><port>%4</port><socketType>SSL</socketType>
      <username>%1</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
)")
            .arg(user)
            .arg(port("HERON_TEST_IMAPS_PORT"))
            .arg(port("HERON_TEST_POP3S_PORT"))
            .arg(port("HERON_TEST_SUBMISSIONS_PORT"))
            .toUtf8();
    }

    DiscoveryOptions options() const
    {
        DiscoveryOptions o;
        o.nameserver = m_dns.address();
        o.proxy = QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), m_proxy.serverPort());
        o.extraAnchorsFile = TestServers::get().caFile();
        o.stepTimeoutMs = 4000;
        return o;
    }

    struct Run {
        DiscoveryResult result;
        QStringList steps;
    };
    Run discover(const QString &email, const DiscoveryOptions &o)
    {
        AutoDiscovery d(o);
        Run r;
        connect(&d, &AutoDiscovery::step, this, [&r](const QString &s) { r.steps << s; });
        QSignalSpy done(&d, &AutoDiscovery::finished);
        d.start(email);
        if (done.isEmpty()) done.wait(30000);
        if (!done.isEmpty()) r.result = done.first().first().value<DiscoveryResult>();
        else r.steps << QStringLiteral("(no answer in 30 s)");
        return r;
    }

    net::TrustPolicy trust(bool withTestCa = true) const
    {
        net::TrustPolicy t;
        if (withTestCa) t.extraAnchorsFile = TestServers::get().caFile();
        t.isPinned = [](const QString &, int, const QString &) { return false; };
        return t;
    }

    AccountConfig accountFrom(const DiscoveryResult &r, const QString &email) const
    {
        AccountConfig a;
        a.name = email;
        a.email = email;
        a.protocol = r.incoming->protocol;
        a.incoming = r.incoming->server;
        a.smtp = r.outgoing->server;
        return a;
    }

private Q_SLOTS:
    void initTestCase()
    {
        HERON_REQUIRE_SERVERS();
        QString error;
        QVERIFY2(m_dns.start(&error), qPrintable(QStringLiteral("test DNS server on port 53: ") + error));
        QVERIFY(m_proxy.start());
        const QString ca = TestServers::get().caFile();
        const QString caKey = QFileInfo(ca).absolutePath() + QStringLiteral("/ca.key");
        // heron.test: the provider's own autoconfig host.
        auto &provider = m_proxy.site(QStringLiteral("autoconfig.heron.test"));
        QVERIFY2(heron::test::TestHttpsProxy::makeSite(&provider, m_tmp.path(), ca, caKey, {QStringLiteral("autoconfig.heron.test")}, &error),
                 qPrintable(error));
        provider.documents.insert(QStringLiteral("/mail/config-v1.1.xml"), document());
        // wellknown.test: only the .well-known location on the domain itself.
        auto &wellKnown = m_proxy.site(QStringLiteral("wellknown.test"));
        QVERIFY2(heron::test::TestHttpsProxy::makeSite(&wellKnown, m_tmp.path(), ca, caKey, {QStringLiteral("wellknown.test")}, &error),
                 qPrintable(error));
        wellKnown.documents.insert(QStringLiteral("/.well-known/autoconfig/mail/config-v1.1.xml"), document(QStringLiteral("%EMAILADDRESS%")));
        // untrusted.test: a document behind a certificate nobody vouches for.
        auto &untrusted = m_proxy.site(QStringLiteral("autoconfig.untrusted.test"));
        QVERIFY2(heron::test::TestHttpsProxy::loadSite(&untrusted, TestServers::get().var("HERON_TEST_UNTRUSTED_CERT"),
                                                       TestServers::get().var("HERON_TEST_UNTRUSTED_KEY"), &error),
                 qPrintable(error));
        untrusted.documents.insert(QStringLiteral("/mail/config-v1.1.xml"), document());
        // broken.test: something that is not an autoconfig document.
        auto &broken = m_proxy.site(QStringLiteral("autoconfig.broken.test"));
        QVERIFY2(heron::test::TestHttpsProxy::makeSite(&broken, m_tmp.path(), ca, caKey, {QStringLiteral("autoconfig.broken.test")}, &error),
                 qPrintable(error));
        broken.documents.insert(QStringLiteral("/mail/config-v1.1.xml"), "<html><body>Welcome to nginx<p></body>");

        // srv.test: RFC 6186 records; POP3 explicitly not offered.
        m_dns.addSrv(QStringLiteral("_imaps._tcp.srv.test"), {0, 1, quint16(port("HERON_TEST_IMAPS_PORT")), QStringLiteral("localhost")});
        m_dns.addSrv(QStringLiteral("_imap._tcp.srv.test"), {10, 1, quint16(port("HERON_TEST_IMAP_PORT")), QStringLiteral("localhost")});
        m_dns.addSrv(QStringLiteral("_pop3s._tcp.srv.test"), {0, 0, 0, QString()});
        m_dns.addSrv(QStringLiteral("_submission._tcp.srv.test"), {0, 1, quint16(port("HERON_TEST_SUBMISSION_PORT")), QStringLiteral("localhost")});
        m_dns.addSrv(QStringLiteral("_imaps._tcp.inside.test"), {0, 1, quint16(port("HERON_TEST_IMAPS_PORT")), QStringLiteral("mail.inside.test")});
        m_dns.addA(QStringLiteral("mail.inside.test"), QHostAddress::LocalHost);
        // The guessed names: only the domain itself exists for localhost.
        m_dns.addA(QStringLiteral("localhost"), QHostAddress::LocalHost);
        // Wrong-host autoconfig on heron.test is irrelevant for SRV; half.test
        // has SRV for IMAP only, so SMTP has to be guessed.
        m_dns.addSrv(QStringLiteral("_imaps._tcp.half.test"), {0, 1, quint16(port("HERON_TEST_IMAPS_PORT")), QStringLiteral("localhost")});
        m_dns.addA(QStringLiteral("smtp.half.test"), QHostAddress::LocalHost);
    }

    void parsesAutoconfigDocuments()
    {
        DiscoveryResult r;
        QString why;
        QVERIFY(parseAutoconfig(document(), QStringLiteral("alice@heron.test"), &r, &why));
        // IMAP is preferred to POP3; the unencrypted one is skipped; OAuth2 next to a password is fine.
        QCOMPARE(r.incoming->protocol, QStringLiteral("imap"));
        QCOMPARE(r.incoming->server.port, port("HERON_TEST_IMAPS_PORT"));
        QCOMPARE(r.incoming->server.security, Security::Tls);
        QCOMPARE(r.incoming->usernames, QStringList{QStringLiteral("alice")});
        QCOMPARE(r.outgoing->server.port, port("HERON_TEST_SUBMISSIONS_PORT"));
        QCOMPARE(r.displayName, QStringLiteral("Heron Test Mail"));

        DiscoveryResult bad;
        QVERIFY(!parseAutoconfig("<clientConfig><emailProvider><incomingServer type=\"imap\"><hostname>a b</hostname>"
                                 "<port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>",
                                 QStringLiteral("a@b.c"), &bad, &why));
        QVERIFY2(why.contains(QLatin1String("not valid")), qPrintable(why));
        QVERIFY(!parseAutoconfig("<clientConfig><emailProvider><incomingServer type=\"imap\"><hostname>imap.b.c</hostname>"
                                 "<port>143</port><socketType>plain</socketType></incomingServer></emailProvider></clientConfig>",
                                 QStringLiteral("a@b.c"), &bad, &why));
        QVERIFY2(why.contains(QLatin1String("unencrypted")), qPrintable(why));
        QVERIFY(!parseAutoconfig("<clientConfig><emailProvider><incomingServer type=\"imap\"><hostname>imap.b.c</hostname>"
                                 "<port>993</port><socketType>SSL</socketType><authentication>OAuth2</authentication>"
                                 "</incomingServer></emailProvider></clientConfig>",
                                 QStringLiteral("a@b.c"), &bad, &why));
        QVERIFY2(why.contains(QLatin1String("OAuth2")), qPrintable(why));
        QVERIFY(!parseAutoconfig("<clientConfig><unclosed>", QStringLiteral("a@b.c"), &bad, &why));
        QVERIFY(!parseAutoconfig(QByteArray(100000, '<'), QStringLiteral("a@b.c"), &bad, &why));
    }

    void providerAutoconfigThenRealLogin()
    {
        const Run r = discover(QStringLiteral("alice@heron.test"), options());
        QVERIFY2(r.result.complete(), qPrintable(r.steps.join(QLatin1Char('\n'))));
        QCOMPARE(r.result.incoming->server.host, QStringLiteral("localhost"));
        QCOMPARE(r.result.incoming->server.port, port("HERON_TEST_IMAPS_PORT"));
        QVERIFY(r.result.incoming->source.contains(QLatin1String("https://autoconfig.heron.test/mail/config-v1.1.xml")));
        QVERIFY(r.result.outgoing->source.contains(QLatin1String("autoconfig")));
        // The address went along as the query the format defines.
        QVERIFY2(m_proxy.requests().contains(QStringLiteral("GET autoconfig.heron.test/mail/config-v1.1.xml?emailaddress=alice@heron.test")),
                 qPrintable(m_proxy.requests().join(QLatin1Char('\n'))));
        // No DNS asked: the document was complete.
        QVERIFY(!m_dns.queries().join(QLatin1Char(' ')).contains(QLatin1String("heron.test")));

        const AccountConfig a = accountFrom(r.result, QStringLiteral("alice@heron.test"));
        const QString pw = TestServers::get().password(QStringLiteral("alice"));
        CheckOutcome in = checkServer(a, false, r.result.incoming->usernames, pw, trust());
        QVERIFY2(in.ok(), qPrintable(in.message));
        QCOMPARE(in.username, QStringLiteral("alice"));
        CheckOutcome out = checkServer(a, true, r.result.outgoing->usernames, pw, trust());
        QVERIFY2(out.ok(), qPrintable(out.message));
    }

    void wellKnownLocationWhenNoAutoconfigHost()
    {
        const Run r = discover(QStringLiteral("bob@wellknown.test"), options());
        QVERIFY2(r.result.complete(), qPrintable(r.steps.join(QLatin1Char('\n'))));
        QVERIFY(r.result.incoming->source.contains(QLatin1String("https://wellknown.test/.well-known/autoconfig/mail/config-v1.1.xml")));
        QCOMPARE(r.result.incoming->usernames, QStringList{QStringLiteral("bob@wellknown.test")});
        const QStringList req = m_proxy.requests();
        QVERIFY(req.indexOf(QStringLiteral("CONNECT autoconfig.wellknown.test")) < req.indexOf(QStringLiteral("CONNECT wellknown.test")));
        // The user sees that the first place was tried and failed.
        QVERIFY2(r.steps.filter(QLatin1String("autoconfig.wellknown.test")).size() >= 2, qPrintable(r.steps.join(QLatin1Char('\n'))));
        // The test Dovecot takes the full address (it drops the domain).
        const AccountConfig a = accountFrom(r.result, QStringLiteral("bob@wellknown.test"));
        CheckOutcome in = checkServer(a, false, r.result.incoming->usernames, TestServers::get().password(QStringLiteral("bob")), trust());
        QVERIFY2(in.ok(), qPrintable(in.message));
        QCOMPARE(in.username, QStringLiteral("bob@wellknown.test"));
    }

    void untrustedOrBrokenDocumentsAreIgnored()
    {
        DiscoveryOptions o = options();
        Run r = discover(QStringLiteral("carol@untrusted.test"), o);
        QVERIFY(!r.result.incoming);
        QVERIFY2(!r.steps.filter(QLatin1String("certificate is not trusted")).isEmpty(), qPrintable(r.steps.join(QLatin1Char('\n'))));
        QVERIFY(m_proxy.requests().contains(QStringLiteral("CONNECT autoconfig.thunderbird.net")));
        QVERIFY(!m_proxy.requests().contains(QStringLiteral("GET autoconfig.untrusted.test/mail/config-v1.1.xml?emailaddress=carol@untrusted.test")));
        // Then DNS and guessing were tried, and the user is told to enter the servers.
        QVERIFY(!r.steps.filter(QLatin1String("enter it by hand")).isEmpty());

        o.askIspdb = false;
        r = discover(QStringLiteral("carol@broken.test"), o);
        QVERIFY(!r.result.incoming);
        QVERIFY2(!r.steps.filter(QLatin1String("not an autoconfig document")).isEmpty() ||
                     !r.steps.filter(QLatin1String("not a valid autoconfig document")).isEmpty(),
                 qPrintable(r.steps.join(QLatin1Char('\n'))));
    }

    void srvRecords()
    {
        DiscoveryOptions o = options();
        o.askIspdb = false;
        const Run r = discover(QStringLiteral("carol@srv.test"), o);
        QVERIFY2(r.result.complete(), qPrintable(r.steps.join(QLatin1Char('\n'))));
        QCOMPARE(r.result.incoming->protocol, QStringLiteral("imap"));
        QCOMPARE(r.result.incoming->server.port, port("HERON_TEST_IMAPS_PORT"));
        QCOMPARE(r.result.incoming->server.security, Security::Tls);
        QCOMPARE(r.result.incoming->source, QStringLiteral("DNS SRV record _imaps._tcp.srv.test"));
        // localhost is not within srv.test: no password before the user says yes.
        QVERIFY(r.result.incoming->needsConfirmation);
        QVERIFY(r.result.outgoing->needsConfirmation);
        QVERIFY2(r.result.incoming->trust.contains(QLatin1String("outside srv.test")), qPrintable(r.result.incoming->trust));
        QCOMPARE(r.result.outgoing->server.port, port("HERON_TEST_SUBMISSION_PORT"));
        QCOMPARE(r.result.outgoing->server.security, Security::StartTls);
        QVERIFY2(!r.steps.filter(QLatin1String("_pop3s._tcp.srv.test: the service is not offered")).isEmpty(),
                 qPrintable(r.steps.join(QLatin1Char('\n'))));
        const AccountConfig a = accountFrom(r.result, QStringLiteral("carol@srv.test"));
        const QString pw = TestServers::get().password(QStringLiteral("carol"));
        QVERIFY(checkServer(a, false, r.result.incoming->usernames, pw, trust()).ok());
        CheckOutcome out = checkServer(a, true, r.result.outgoing->usernames, pw, trust());
        QVERIFY2(out.ok(), qPrintable(out.message));
    }

    void guessingAndProbing()
    {
        DiscoveryOptions o = options();
        o.askIspdb = false;
        o.imapPorts = {{port("HERON_TEST_IMAPS_PORT"), Security::Tls}, {port("HERON_TEST_IMAP_PORT"), Security::StartTls}};
        o.pop3Ports = {{port("HERON_TEST_POP3S_PORT"), Security::Tls}};
        o.smtpPorts = {{port("HERON_TEST_SUBMISSIONS_PORT"), Security::Tls}, {port("HERON_TEST_SUBMISSION_PORT"), Security::StartTls}};
        const Run r = discover(QStringLiteral("dave@localhost"), o);
        QVERIFY2(r.result.complete(), qPrintable(r.steps.join(QLatin1Char('\n'))));
        // imap.localhost and mail.localhost do not exist; the domain answers on every port;
        // IMAP over TLS wins over STARTTLS and over POP3.
        QCOMPARE(r.result.incoming->server.host, QStringLiteral("localhost"));
        QCOMPARE(r.result.incoming->protocol, QStringLiteral("imap"));
        QCOMPARE(r.result.incoming->server.port, port("HERON_TEST_IMAPS_PORT"));
        QCOMPARE(r.result.outgoing->server.port, port("HERON_TEST_SUBMISSIONS_PORT"));
        QVERIFY(r.result.incoming->source.startsWith(QLatin1String("guessed")));
        QVERIFY(!r.steps.filter(QLatin1String("imap.localhost: no such host")).isEmpty());
        const AccountConfig a = accountFrom(r.result, QStringLiteral("dave@localhost"));
        CheckOutcome in = checkServer(a, false, r.result.incoming->usernames, TestServers::get().password(QStringLiteral("dave")), trust());
        QVERIFY2(in.ok(), qPrintable(in.message));
        QCOMPARE(in.username, QStringLiteral("dave@localhost"));
    }

    // A target within the mail domain is used without asking.
    void srvTargetInsideTheDomain()
    {
        DiscoveryOptions o = options();
        o.askIspdb = false;
        const Run r = discover(QStringLiteral("carol@inside.test"), o);
        QVERIFY2(r.result.incoming, qPrintable(r.steps.join(QLatin1Char('\n'))));
        QCOMPARE(r.result.incoming->server.host, QStringLiteral("mail.inside.test"));
        QVERIFY(!r.result.incoming->needsConfirmation);
        QVERIFY(hostInDomain(QStringLiteral("Mail.Inside.Test"), QStringLiteral("inside.test")));
        QVERIFY(!hostInDomain(QStringLiteral("evilinside.test"), QStringLiteral("inside.test")));
    }

    void srvForImapGuessForSmtp()
    {
        DiscoveryOptions o = options();
        o.askIspdb = false;
        o.smtpPorts = {{port("HERON_TEST_SUBMISSIONS_PORT"), Security::Tls}};
        const Run r = discover(QStringLiteral("erin@half.test"), o);
        QVERIFY2(r.result.complete(), qPrintable(r.steps.join(QLatin1Char('\n'))));
        QVERIFY(r.result.incoming->source.startsWith(QLatin1String("DNS SRV")));
        QCOMPARE(r.result.outgoing->server.host, QStringLiteral("smtp.half.test"));
        QVERIFY(r.result.outgoing->source.startsWith(QLatin1String("guessed")));
    }

    void nothingFoundAndNotAnAddress()
    {
        DiscoveryOptions o = options();
        o.askIspdb = false;
        Run r = discover(QStringLiteral("frank@nowhere.test"), o);
        QVERIFY(!r.result.incoming && !r.result.outgoing);
        QVERIFY(!r.steps.filter(QLatin1String("No incoming server found")).isEmpty());
        r = discover(QStringLiteral("not an address"), o);
        QVERIFY(!r.result.incoming);
        QVERIFY(!r.steps.filter(QLatin1String("is not an e-mail address")).isEmpty());
    }

    // Each stage of a failed login is named.
    void checkNamesTheFailingStage()
    {
        const QString pw = TestServers::get().password(QStringLiteral("frank"));
        AccountConfig a = TestServers::get().imapAccount(QStringLiteral("frank"));

        AccountConfig unknown = a;
        unknown.incoming.host = QStringLiteral("no-such-host.invalid");
        CheckOutcome o = checkServer(unknown, false, {}, pw, trust());
        QCOMPARE(stageName(o.stage), QStringLiteral("host not found"));
        QVERIFY(o.message.contains(QLatin1String("no-such-host.invalid")));

        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        AccountConfig refused = a;
        refused.incoming.port = closed.serverPort();
        closed.close();
        o = checkServer(refused, false, {}, pw, trust());
        QCOMPARE(stageName(o.stage), QStringLiteral("connection refused"));

        o = checkServer(a, false, {}, pw, trust(false));
        QCOMPARE(stageName(o.stage), QStringLiteral("certificate"));
        QVERIFY(o.certificate.isValid());

        AccountConfig tlsOnPlain = a;
        tlsOnPlain.incoming.port = port("HERON_TEST_IMAP_PORT");
        o = checkServer(tlsOnPlain, false, {}, pw, trust());
        QCOMPARE(stageName(o.stage), QStringLiteral("TLS"));

        o = checkServer(a, false, {QStringLiteral("frank@localhost"), QStringLiteral("frank")}, QStringLiteral("wrong"), trust());
        QCOMPARE(stageName(o.stage), QStringLiteral("password"));
        QVERIFY2(o.message.contains(QLatin1String("frank@localhost, frank")), qPrintable(o.message));
        // A user name the server does not know is followed by the next candidate.
        o = checkServer(a, false, {QStringLiteral("nobody-here"), QStringLiteral("frank")}, pw, trust());
        QVERIFY2(o.ok(), qPrintable(o.message));
        QCOMPARE(o.username, QStringLiteral("frank"));

        AccountConfig smtp = a;
        smtp.smtp = {QStringLiteral("localhost"), port("HERON_TEST_SUBMISSIONS_PORT"), Security::Tls};
        o = checkServer(smtp, true, {}, QStringLiteral("wrong"), trust());
        QCOMPARE(stageName(o.stage), QStringLiteral("password"));
        o = checkServer(smtp, true, {}, pw, trust());
        QVERIFY2(o.ok(), qPrintable(o.message));

        AccountConfig pop = a;
        pop.protocol = QStringLiteral("pop3");
        pop.incoming.port = port("HERON_TEST_POP3S_PORT");
        o = checkServer(pop, false, {}, pw, trust());
        QVERIFY2(o.ok(), qPrintable(o.message));
        // Nothing secret in what the user is shown.
        QVERIFY(!o.message.contains(pw));
    }
};

QTEST_MAIN(TestAutoDiscovery)
#include "tst_autodiscovery.moc"
