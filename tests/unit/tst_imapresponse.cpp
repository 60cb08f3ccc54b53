// The bounded IMAP reader/parser: what a hostile or broken server can send.
#include "net/ImapResponse.h"
#include "net/ImapSession.h"

#include <QTest>

using namespace heron::net;

class TestImapResponse : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // "Select all, delete" in a big filtered folder: scattered UIDs make a set
    // far over a server's line limit. It goes as several commands, each well
    // under 8 KB, together naming exactly the same UIDs.
    void longUidSetsAreSplitUnderTheLineLimit()
    {
        std::vector<uint32_t> uids;
        for (uint32_t u = 1; u <= 60000; u += 3) uids.push_back(u); // 20,000 runs of one
        for (uint32_t u = 100000; u < 100500; ++u) uids.push_back(u); // and one long range
        const std::vector<QByteArray> sets = heron::net::ImapSession::uidSets(uids);
        QVERIFY(sets.size() > 1);
        std::vector<uint32_t> back;
        for (const QByteArray &set : sets) {
            QVERIFY2(set.size() <= 4000, qPrintable(QString::number(set.size())));
            QVERIFY(!set.startsWith(',') && !set.endsWith(','));
            for (const QByteArray &part : set.split(',')) {
                const qsizetype colon = part.indexOf(':');
                if (colon < 0) {
                    back.push_back(part.toUInt());
                } else {
                    for (uint32_t u = part.left(colon).toUInt(); u <= part.mid(colon + 1).toUInt(); ++u) back.push_back(u);
                }
            }
        }
        QCOMPARE(back, uids);
        QCOMPARE(heron::net::ImapSession::uidSets({5, 6, 7, 9}), (std::vector<QByteArray>{"5:7,9"}));
        QVERIFY(heron::net::ImapSession::uidSets({}).empty());
    }

    void splitsResponsesAcrossArbitraryChunks()
    {
        const QByteArray stream = "* 1 FETCH (UID 7 BODY[] {11}\r\nhello\r\nworld)\r\n* OK [UIDNEXT 9] next\r\nh1 OK done\r\n";
        for (int chunk = 1; chunk <= stream.size(); ++chunk) {
            ImapResponseReader r;
            QList<QByteArray> got;
            for (int i = 0; i < stream.size(); i += chunk) {
                r.feed(stream.constData() + i, size_t(std::min<qsizetype>(chunk, stream.size() - i)));
                QByteArray one;
                while (r.take(&one)) got << one;
            }
            QCOMPARE(got.size(), 3);
            QVERIFY(got[0].contains("hello\r\nworld"));
        }
    }

    void parsesFetchWithLiteralAndSection()
    {
        ImapResponse r = parseImapResponse(
            "* 12 FETCH (UID 34 FLAGS (\\Seen $Forwarded) BODY[HEADER.FIELDS (REFERENCES)] {17}\r\nReferences: <a>\r\n)\r\n");
        QVERIFY(r.isUntagged());
        QCOMPARE(r.items.size(), size_t(3));
        QVERIFY(r.items[1].atomIs("FETCH"));
        const auto &kv = r.items[2].items;
        QCOMPARE(kv.size(), size_t(6));
        QCOMPARE(kv[1].number(), uint64_t(34));
        QCOMPARE(ImapSession::parseFlags(kv[3]), heron::Flag::Seen | heron::Flag::Forwarded);
        QCOMPARE(kv[4].text, QByteArray("BODY[HEADER.FIELDS (REFERENCES)]"));
        QCOMPARE(kv[5].text, QByteArray("References: <a>\r\n"));
    }

    void statusResponseKeepsCodeAndFreeText()
    {
        ImapResponse r = parseImapResponse("h3 NO [ALERT] can't \"open (it\r\n");
        QCOMPARE(r.tag, QByteArray("h3"));
        QVERIFY(r.items[0].atomIs("NO"));
        QCOMPARE(r.code, QByteArray("ALERT"));
        QCOMPARE(r.humanText, QByteArray("can't \"open (it"));
    }

    void quotedStringsAndNil()
    {
        ImapResponse r = parseImapResponse("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent \\\"old\\\"\"\r\n");
        QCOMPARE(r.items[3].text, QByteArray("Sent \"old\""));
        ImapResponse n = parseImapResponse("* LIST () NIL INBOX\r\n");
        QVERIFY(n.items[2].isNil());
    }

    void rejectsHugeLiteralBeforeReadingIt()
    {
        ImapResponseReader r;
        QByteArray bad = "* 1 FETCH (BODY[] {4294967298}\r\n";
        r.feed(bad.constData(), size_t(bad.size()));
        QByteArray one;
        QVERIFY_THROWS_EXCEPTION(ProtocolError, r.take(&one));
    }

    void rejectsEndlessLine()
    {
        ImapLimits limits;
        limits.maxLineBytes = 1000;
        ImapResponseReader r(limits);
        QByteArray junk(4000, 'x');
        r.feed(junk.constData(), size_t(junk.size()));
        QByteArray one;
        QVERIFY_THROWS_EXCEPTION(ProtocolError, r.take(&one));
    }

    void rejectsDeepNesting()
    {
        QByteArray deep = "* 1 FETCH " + QByteArray(500, '(') + QByteArray(500, ')') + "\r\n";
        QVERIFY_THROWS_EXCEPTION(ProtocolError, parseImapResponse(deep));
    }

    void rejectsTruncatedStructures()
    {
        QVERIFY_THROWS_EXCEPTION(ProtocolError, parseImapResponse("* 1 FETCH (UID 5\r\n"));
        QVERIFY_THROWS_EXCEPTION(ProtocolError, parseImapResponse("* 1 FETCH (X \"abc\r\n"));
        QVERIFY_THROWS_EXCEPTION(ProtocolError, parseImapResponse("* 1 FETCH (X {10}\r\nabc)\r\n"));
    }

    void uidSetsAreCompact()
    {
        QCOMPARE(ImapSession::uidSet({5, 1, 2, 3, 9, 10, 12}), QByteArray("1:3,5,9:10,12"));
        QCOMPARE(ImapSession::uidSet({}), QByteArray());
    }

    void modifiedUtf7RoundTrip_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("wire");
        QTest::newRow("ascii") << QStringLiteral("Projects/Heron") << QByteArray("Projects/Heron");
        QTest::newRow("ampersand") << QStringLiteral("R&D") << QByteArray("R&-D");
        QTest::newRow("german") << QStringLiteral("Entwürfe") << QByteArray("Entw&APw-rfe");
        QTest::newRow("japanese") << QStringLiteral("日本語") << QByteArray("&ZeVnLIqe-");
    }
    void modifiedUtf7RoundTrip()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, wire);
        QCOMPARE(encodeMailboxName(name), wire);
        QCOMPARE(decodeMailboxName(wire), name);
    }

    void quotingCannotInjectCommands()
    {
        QByteArray q = quoteImapString("evil\r\nh9 DELETE INBOX");
        QVERIFY(!q.contains('\r'));
        QVERIFY(!q.contains('\n'));
    }
};

QTEST_GUILESS_MAIN(TestImapResponse)
#include "tst_imapresponse.moc"
