// Header decoding: what the user sees as subject and sender.
#include "mime/HeaderDecoding.h"

#include <QDateTime>
#include <QTest>

using namespace heron::mime;

class TestHeaderDecoding : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void encodedWords_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QString>("shown");
        QTest::newRow("plain") << QByteArray("Hello there") << QStringLiteral("Hello there");
        QTest::newRow("q utf8") << QByteArray("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=") << QStringLiteral("Grüße aus Köln");
        QTest::newRow("b utf8") << QByteArray("=?utf-8?B?5pel5pys6Kqe?=") << QStringLiteral("日本語");
        QTest::newRow("latin1") << QByteArray("=?ISO-8859-1?Q?caf=E9?=") << QStringLiteral("café");
        QTest::newRow("adjacent words join") << QByteArray("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") << QStringLiteral("ab");
        QTest::newRow("text between stays") << QByteArray("Re: =?UTF-8?Q?caf=C3=A9?= now") << QStringLiteral("Re: café now");
        QTest::newRow("broken word kept") << QByteArray("=?UTF-8?Q?unterminated") << QStringLiteral("=?UTF-8?Q?unterminated");
        QTest::newRow("raw utf8") << QByteArray("Gr\xc3\xbc\xc3\x9f""e") << QStringLiteral("Grüße");
        QTest::newRow("unknown charset") << QByteArray("=?x-nonsense?Q?abc?=") << QStringLiteral("abc");
    }
    void encodedWords()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QString, shown);
        QCOMPARE(decodeHeader(raw), shown);
    }

    void spoofingCharactersRemoved()
    {
        // Right-to-left override would make "gpj.exe" read as "exe.jpg"; controls could fake headers.
        QString s = decodeHeader("=?UTF-8?Q?Bank=E2=80=AE_Support=0D=0AX-Evil:_1?=");
        QVERIFY(!s.contains(QChar(0x202e)));
        QVERIFY(!s.contains(QLatin1Char('\r')));
        QVERIFY(!s.contains(QLatin1Char('\n')));
        QCOMPARE(s, QStringLiteral("Bank Support X-Evil: 1"));
    }

    void dates()
    {
        QCOMPARE(parseRfc5322Date("Tue, 03 Nov 2026 10:00:00 +0100"),
                 QDateTime(QDate(2026, 11, 3), QTime(9, 0), Qt::UTC).toSecsSinceEpoch());
        QCOMPARE(parseRfc5322Date("3 Nov 2026 10:00:00 GMT (comment)"),
                 QDateTime(QDate(2026, 11, 3), QTime(10, 0), Qt::UTC).toSecsSinceEpoch());
        QCOMPARE(parseRfc5322Date("Mon, 1 Jan 99 00:00 EST"),
                 QDateTime(QDate(1999, 1, 1), QTime(5, 0), Qt::UTC).toSecsSinceEpoch());
        QCOMPARE(parseRfc5322Date("garbage"), int64_t(0));
        QCOMPARE(parseInternalDate("17-Jul-1996 02:44:25 -0700"),
                 QDateTime(QDate(1996, 7, 17), QTime(9, 44, 25), Qt::UTC).toSecsSinceEpoch());
    }
};

QTEST_GUILESS_MAIN(TestHeaderDecoding)
#include "tst_headerdecoding.moc"
