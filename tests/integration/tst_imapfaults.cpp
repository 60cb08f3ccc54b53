// Faults a real server will not produce, from a scripted server: a missing or
// hijacked STARTTLS, malformed and oversized replies, a dropped connection.
// Each must end in a clear NetError, never a crash, a hang or a leaked password.
#include "ScriptedServer.h"

#include "net/ImapSession.h"

#include <QTest>

using namespace heron;
using namespace heron::test;

namespace {
AccountConfig account(int port, Security sec)
{
    AccountConfig a;
    a.name = QStringLiteral("fake");
    a.email = QStringLiteral("u@example.org");
    a.protocol = QStringLiteral("imap");
    a.incoming = {QStringLiteral("127.0.0.1"), port, sec};
    a.username = QStringLiteral("u");
    return a;
}

// A server without TLS that logs anyone in and then answers `after` to the first command after login.
std::function<std::string(const std::string &)> loginThen(std::function<std::string(const std::string &)> after)
{
    return [after](const std::string &line) -> std::string {
        const std::string tag = imapTag(line);
        if (imapIs(line, "CAPABILITY")) return "* CAPABILITY IMAP4rev1 LITERAL+\r\n" + tag + " OK done\r\n";
        if (imapIs(line, "LOGIN")) return tag + " OK logged in\r\n";
        if (imapIs(line, "LIST \"\" \"\"")) return "* LIST (\\Noselect) \"/\" \"\"\r\n" + tag + " OK done\r\n";
        return after(line);
    };
}
} // namespace

class TestImapFaults : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void missingStartTlsStopsBeforeCredentials()
    {
        ScriptedServer server("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake\r\n", [](const std::string &line) -> std::string {
            const std::string tag = imapTag(line);
            if (imapIs(line, "CAPABILITY")) return "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n";
            if (imapIs(line, "STARTTLS")) return tag + " BAD no TLS here\r\n";
            return tag + " OK done\r\n";
        });
        net::ImapSession s(account(server.port(), Security::StartTls), QStringLiteral("hunter2"), {});
        try {
            s.connect();
            QFAIL("connected without TLS although STARTTLS was required");
        } catch (const net::NetError &e) {
            QCOMPARE(e.kind(), net::NetError::Tls);
        }
        QVERIFY(!server.receivedContaining("hunter2"));
        QVERIFY(!server.receivedContaining("LOGIN"));
    }

    void bytesInjectedAfterStartTlsAbortTheConnection()
    {
        ScriptedServer server("* OK [CAPABILITY IMAP4rev1 STARTTLS] fake\r\n", [](const std::string &line) -> std::string {
            const std::string tag = imapTag(line);
            if (imapIs(line, "CAPABILITY")) return "* CAPABILITY IMAP4rev1 STARTTLS\r\n" + tag + " OK done\r\n";
            if (imapIs(line, "STARTTLS"))
                return tag + " OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"; // injected in the same segment
            return "";
        });
        net::ImapSession s(account(server.port(), Security::StartTls), QStringLiteral("hunter2"), {});
        try {
            s.connect();
            QFAIL("accepted bytes injected before the TLS handshake");
        } catch (const net::NetError &e) {
            QVERIFY2(e.kind() == net::NetError::Tls || e.kind() == net::NetError::Network, qPrintable(e.message()));
        }
        QVERIFY(!server.receivedContaining("hunter2"));
    }

    void malformedRepliesAreProtocolErrors_data()
    {
        QTest::addColumn<QByteArray>("reply");
        QTest::newRow("giant literal") << QByteArray("* LIST () \"/\" {4294967298}\r\n");
        QTest::newRow("unbalanced") << QByteArray("* LIST (\\Noselect \"/\" INBOX\r\n");
        QTest::newRow("wrong tag") << QByteArray("zz9 OK whatever\r\n");
        QTest::newRow("deep nesting") << QByteArray("* LIST " + QByteArray(1000, '(') + "\r\n");
    }
    void malformedRepliesAreProtocolErrors()
    {
        QFETCH(QByteArray, reply);
        const std::string r = reply.toStdString();
        ScriptedServer server("* OK fake\r\n", loginThen([r](const std::string &) { return r; }));
        net::ImapSession s(account(server.port(), Security::None), QStringLiteral("pw"), {});
        try {
            s.connect();
        } catch (const net::NetError &e) {
            for (const std::string &l : server.received()) qWarning("C: %s", l.c_str());
            QFAIL(qPrintable(e.message()));
        }
        try {
            s.listFolders();
            QFAIL("a malformed reply was accepted");
        } catch (const net::NetError &e) {
            QCOMPARE(e.kind(), net::NetError::Protocol);
            QVERIFY(!e.message().isEmpty());
        }
        QVERIFY(!s.isConnected());
    }

    // QRESYNC's VANISHED (EARLIER) from a hostile server: ranges that name
    // every UID there is stay ranges (nothing is expanded), reversed and
    // overlapping ones are merged, and anything that is not a list of
    // numbers is a clear protocol error, never a guess about which messages
    // are gone.
    void hostileVanishedInSelect_data()
    {
        QTest::addColumn<QByteArray>("set");
        QTest::addColumn<QString>("ranges"); // "" with ok=false: refused
        QTest::addColumn<bool>("ok");
        QTest::newRow("everything") << QByteArray("1:4294967295") << QStringLiteral("1-4294967295") << true;
        QTest::newRow("reversed, overlapping, zero") << QByteArray("9:3,2,3:3,0,20") << QStringLiteral("2-9 20-20") << true;
        QTest::newRow("star") << QByteArray("5:*") << QString() << false;
        QTest::newRow("garbage") << QByteArray("1,abc") << QString() << false;
        QTest::newRow("negative") << QByteArray("-5:3") << QString() << false;
        QTest::newRow("overflow") << QByteArray("99999999999") << QString() << false;
        QByteArray many;
        for (int i = 0; i < 1'100'000; ++i) many += QByteArray::number(2 * i + 1) + ',';
        many.chop(1);
        QTest::newRow("1.1 million ranges") << many << QString() << false;
    }
    void hostileVanishedInSelect()
    {
        QFETCH(QByteArray, set);
        QFETCH(QString, ranges);
        QFETCH(bool, ok);
        const std::string vanished = "* VANISHED (EARLIER) " + set.toStdString() + "\r\n";
        ScriptedServer server("* OK fake\r\n", [vanished](const std::string &line) -> std::string {
            const std::string tag = imapTag(line);
            if (imapIs(line, "CAPABILITY")) return "* CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC\r\n" + tag + " OK done\r\n";
            if (imapIs(line, "ENABLE")) return "* ENABLED QRESYNC\r\n" + tag + " OK enabled\r\n";
            if (imapIs(line, "SELECT"))
                return "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [HIGHESTMODSEQ 90] m\r\n" + vanished +
                       "* 1 FETCH (UID 30 FLAGS (\\Seen) MODSEQ (88))\r\n" + tag + " OK [READ-WRITE] done\r\n";
            return tag + " OK done\r\n";
        });
        net::ImapSession s(account(server.port(), Security::None), QStringLiteral("pw"), {});
        s.connect();
        QVERIFY(s.qresyncEnabled());
        try {
            const net::ImapSelectInfo info = s.select("INBOX", 7, 80);
            QVERIFY2(ok, "a malformed VANISHED was accepted");
            QVERIFY(server.receivedContaining("QRESYNC (7 80)"));
            QVERIFY(info.qresync);
            QStringList got;
            for (const auto &r : info.vanished) got << QStringLiteral("%1-%2").arg(r.first).arg(r.second);
            QCOMPARE(got.join(QLatin1Char(' ')), ranges);
            QCOMPARE(info.changed.size(), size_t(1));
            QVERIFY(info.isVanished(4));
            QCOMPARE(info.isVanished(15), ranges.startsWith(QLatin1String("1-")));
        } catch (const net::NetError &e) {
            QVERIFY2(!ok, qPrintable(e.message()));
            QCOMPARE(e.kind(), net::NetError::Protocol);
            QVERIFY(!e.message().isEmpty());
        }
    }

    void connectionDroppedMidFetch()
    {
        ScriptedServer server("* OK fake\r\n", loginThen([](const std::string &line) -> std::string {
            if (line.find("UID FETCH") != std::string::npos) {
                // Half a literal, then the connection dies.
                return "* 1 FETCH (UID 1 BODY[] {1000}\r\nFrom: x\r\n<close>";
            }
            if (line.find("SELECT") != std::string::npos)
                return "* 1 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\n" + imapTag(line) + " OK [READ-WRITE] done\r\n";
            return imapTag(line) + " OK done\r\n";
        }));
        net::ImapSession s(account(server.port(), Security::None), QStringLiteral("pw"), {});
        s.connect();
        s.select("INBOX");
        try {
            s.fetchMessage(1, 0);
            QFAIL("a truncated message was accepted");
        } catch (const net::NetError &e) {
            QVERIFY2(e.isTransient(), qPrintable(e.message()));
        }
        QVERIFY(!s.isConnected());
    }
};

QTEST_GUILESS_MAIN(TestImapFaults)
#include "tst_imapfaults.moc"
