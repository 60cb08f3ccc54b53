// The hostile message corpus (tests/hostile/make_corpus.py) opened in the
// real window, offscreen: every message opens (or the view gives up waiting
// and points to the source) while the window stays responsive; forged senders
// show their real address; markup stays text; links open only when safe.
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"

#include "account/SecretStore.h"
#include "mime/Envelope.h"
#include "store/MailStore.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeView>

using namespace heron;
using namespace heron::ui;

// Records what the window hands to the desktop instead of starting a browser.
class UrlCatcher : public QObject {
    Q_OBJECT
public:
    QList<QUrl> opened;
public Q_SLOTS:
    void open(const QUrl &url) { opened << url; }
};

class TestHostileWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_profileDir;
    int m_count = 0;

    void saveShot(QWidget *w, const QString &name)
    {
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            w->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QLatin1Char('/') + name);
    }

    int rowOf(MainWindow &w, const QString &name)
    {
        MessageListModel *list = w.messageModel();
        for (int r = 0; r < list->rowCount(); ++r)
            if (list->index(r, MessageListModel::SubjectColumn).data().toString().endsWith(QLatin1Char(' ') + name)) return r;
        return -1;
    }

    // Selects the message and waits until its body is shown or the view has
    // given up waiting; the event loop runs all along (the window answers).
    bool open(MainWindow &w, int row)
    {
        MessageListModel *list = w.messageModel();
        w.messageListView()->setCurrentIndex(list->index(row, MessageListModel::SubjectColumn));
        return QTest::qWaitFor([&] {
            return w.messageView()->isReady() || w.messageView()->bodyText().contains(QLatin1String("taking too long"));
        }, 60000);
    }

    // Answers the next message box with the given button, noting its text.
    void answerNextBox(QMessageBox::StandardButton button, QString *text)
    {
        QTimer::singleShot(0, this, [this, button, text] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                *text = box->text();
                if (box->textFormat() != Qt::PlainText) *text = QStringLiteral("NOT PLAIN TEXT: ") + *text;
                box->button(button) ? box->button(button)->click() : box->reject();
            } else {
                answerNextBox(button, text); // not up yet
            }
        });
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString corpus = m_tmp.filePath(QStringLiteral("corpus"));
        QProcess gen;
        gen.start(QStringLiteral("python3"), {QStringLiteral(HERON_CORPUS_SCRIPT), corpus});
        QVERIFY(gen.waitForFinished(120000));
        QCOMPARE(gen.exitCode(), 0);
        m_profileDir = m_tmp.filePath(QStringLiteral("profile"));
        Profile p(m_profileDir);
        p.ensureExists(nullptr);
        QSettings s(p.settingsPath(), QSettings::IniFormat);
        s.setValue(QStringLiteral("general/markReadDelayMs"), -1);
        s.sync();
        store::MailStore st(p.databasePath());
        AccountConfig a;
        a.name = QStringLiteral("Hostile");
        a.email = QStringLiteral("victim@example.org");
        a.protocol = QStringLiteral("pop3");
        a.incoming = {QStringLiteral("127.0.0.1"), 1, Security::Tls}; // never reached: offline
        a.username = QStringLiteral("victim");
        const int64_t account = st.addAccount(a);
        SecretStore(p.secretsPath()).storeInProfile(a.name, QStringLiteral("pw"), nullptr);
        const int64_t inbox = st.mailboxByRole(account, QStringLiteral("\\Inbox"))->id;
        // As a POP3 download stores them: envelope from the raw header, body kept.
        for (const QString &f : QDir(corpus).entryList({QStringLiteral("*.eml")}, QDir::Files, QDir::Name)) {
            QFile file(QDir(corpus).filePath(f));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray raw = file.readAll();
            MessageRecord m = mime::envelopeFromRaw(raw);
            st.insertLocalMessage(inbox, m, raw);
            ++m_count;
        }
        st.recount(inbox);
    }

    void everyMessageOpensAndTheWindowAnswers()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_COMPARE(w.messageModel()->rowCount(), m_count);
        for (int r = 0; r < m_count; ++r) {
            const QString subject = w.messageModel()->index(r, MessageListModel::SubjectColumn).data().toString();
            QElapsedTimer t;
            t.start();
            QVERIFY2(open(w, r), qPrintable(subject));
            qInfo("%s: %lld ms", qPrintable(subject), qint64(t.elapsed()));
            if (subject.contains(QLatin1String(" nest-")) || subject.endsWith(QLatin1String("part-bomb")) ||
                subject.endsWith(QLatin1String("header-bomb"))) {
                QVERIFY2(w.messageView()->bodyText().contains(QLatin1String("View the message source")), qPrintable(subject));
                QVERIFY(!w.messageView()->content().problem.isEmpty());
            }
        }
        const int bomb = rowOf(w, QStringLiteral("nest-upper"));
        QVERIFY(open(w, bomb));
        saveShot(&w, QStringLiteral("hostile-nesting.png"));
        // The source stays available, from the link in the note.
        Q_EMIT w.messageView()->browser()->anchorClicked(QUrl(QStringLiteral("heron:source")));
        QTRY_VERIFY(w.findChild<QDialog *>(QStringLiteral("sourceDialog")));
    }

    void forgedSendersShowTheRealAddress()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_COMPARE(w.messageModel()->rowCount(), m_count);
        auto fromColumn = [&](const QString &name) {
            return w.messageModel()->index(rowOf(w, name), MessageListModel::FromColumn).data().toString();
        };
        QCOMPARE(fromColumn(QStringLiteral("forged-name-is-address")), QStringLiteral("boss@corp.example <evil@attacker.example>"));
        QVERIFY(fromColumn(QStringLiteral("forged-undecodable")).endsWith(QLatin1String("<evil@attacker.example>")));
        QCOMPARE(fromColumn(QStringLiteral("forged-two-ats")), QStringLiteral("a@b@evil.example (invalid address)"));
        QCOMPARE(fromColumn(QStringLiteral("forged-encoded-angle")), QStringLiteral("Real Person"));
        QVERIFY(fromColumn(QStringLiteral("forged-bidi")).endsWith(QLatin1String("<evil@attacker.example>")));
        QVERIFY(!fromColumn(QStringLiteral("forged-bidi")).contains(QChar(0x202e)));
        QVERIFY(open(w, rowOf(w, QStringLiteral("forged-name-is-address"))));
        auto *header = w.messageView()->findChild<QLabel *>(QStringLiteral("messageHeader"));
        QVERIFY(header);
        QVERIFY(header->text().contains(QLatin1String("boss@corp.example &lt;evil@attacker.example&gt;")));
        w.messageListView()->setFocus();
        saveShot(&w, QStringLiteral("hostile-forged.png"));
    }

    void markupInNamesStaysText()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_COMPARE(w.messageModel()->rowCount(), m_count);
        QVERIFY(open(w, rowOf(w, QStringLiteral("markup-names"))));
        auto *header = w.messageView()->findChild<QLabel *>(QStringLiteral("messageHeader"));
        QVERIFY(header->text().contains(QLatin1String("&lt;b&gt;Bold&lt;/b&gt;")));
        // Tooltips are rich text when they look like it: the sender's is escaped.
        const QString tip = w.messageModel()->index(rowOf(w, QStringLiteral("markup-names")), MessageListModel::FromColumn)
                                .data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QLatin1String("&lt;b&gt;Bold&lt;/b&gt; &lt;bold@example.org&gt;")), qPrintable(tip));
        auto *attachments = w.messageView()->findChild<QListWidget *>(QStringLiteral("attachments"));
        QVERIFY(attachments && attachments->count() == 1);
        QVERIFY2(attachments->item(0)->text().startsWith(QLatin1String("<b>big<_b><img src=http:__tracker.example_x.gif>.pdf")),
                 qPrintable(attachments->item(0)->text()));
        QCOMPARE(w.messageView()->browser()->blockedRequests(), 0); // the name fetched nothing
        saveShot(&w, QStringLiteral("hostile-markup.png"));
    }

    void linksOpenOnlyWhenSafe()
    {
        UrlCatcher catcher;
        QDesktopServices::setUrlHandler(QStringLiteral("https"), &catcher, "open");
        QDesktopServices::setUrlHandler(QStringLiteral("smb"), &catcher, "open");
        QDesktopServices::setUrlHandler(QStringLiteral("file"), &catcher, "open");
        MainWindow w(Profile(m_profileDir), true);
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_COMPARE(w.messageModel()->rowCount(), m_count);
        QVERIFY(open(w, rowOf(w, QStringLiteral("links"))));
        QTextBrowser *b = w.messageView()->browser();
        QVERIFY(w.messageView()->remoteContentBlocked());
        QString text;
        // Schemes other than http, https and mailto: refused, the target shown as text.
        for (const char *u : {"smb://attacker.example/share", "file:///etc/passwd"}) {
            answerNextBox(QMessageBox::Ok, &text);
            Q_EMIT b->anchorClicked(QUrl(QLatin1String(u)));
            QVERIFY2(text.contains(QLatin1String(u)), qPrintable(text));
        }
        // Link text naming another site: asked; Cancel opens nothing.
        answerNextBox(QMessageBox::Cancel, &text);
        Q_EMIT b->anchorClicked(QUrl(QStringLiteral("https://attacker.example/login")));
        QVERIFY2(text.contains(QLatin1String("https://bank.example/login")) && text.contains(QLatin1String("attacker.example")), qPrintable(text));
        QVERIFY(catcher.opened.isEmpty());
        // Open anyway: opened. A plain link opens without a question.
        answerNextBox(QMessageBox::Open, &text);
        Q_EMIT b->anchorClicked(QUrl(QStringLiteral("https://attacker.example/login")));
        Q_EMIT b->anchorClicked(QUrl(QStringLiteral("https://ok.example/")));
        QCOMPARE(catcher.opened, (QList<QUrl>{QUrl(QStringLiteral("https://attacker.example/login")), QUrl(QStringLiteral("https://ok.example/"))}));
        // The real target shows while the pointer is on a link.
        Q_EMIT b->highlighted(QUrl(QStringLiteral("https://attacker.example/login")));
        auto *target = w.messageView()->findChild<QLabel *>(QStringLiteral("linkTarget"));
        QVERIFY(target && target->isVisible() && target->text() == QStringLiteral("https://attacker.example/login"));
        QCOMPARE(target->textFormat(), Qt::PlainText);
        saveShot(&w, QStringLiteral("hostile-links.png"));
        QDesktopServices::unsetUrlHandler(QStringLiteral("https"));
        QDesktopServices::unsetUrlHandler(QStringLiteral("smb"));
        QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
    }
};

QTEST_MAIN(TestHostileWindow)
#include "tst_hostilewindow.moc"
