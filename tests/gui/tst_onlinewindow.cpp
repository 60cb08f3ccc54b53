// The real window against the real Dovecot: first start on an account, a
// certificate the user must decide on, a wrong password, a message fetched on
// demand, and a read mark that reaches the server.
#include "TestServers.h"

#include "AccountDialog.h"
#include "AccountWizard.h"
#include "CertificateDialog.h"
#include "ComposerWindow.h"
#include "FolderModel.h"
#include "FolderTreeView.h"
#include "ItemRoles.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "QueuedChangesDialog.h"
#include "ops/LocalOps.h"
#include "compose/MessageComposer.h"
#include "compose/Outbox.h"

#include "account/SecretStore.h"
#include "net/ImapSession.h"
#include "store/MailStore.h"
#include "sync/AccountManager.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QComboBox>
#include <QSpinBox>
#include <QRandomGenerator>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>
#include <QToolButton>
#include <QProcess>
#include <QScopeGuard>

using namespace heron;
using namespace heron::ui;
using heron::test::TestServers;

class TestOnlineWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int m_n = 0;
    QString m_marker;

    QString makeProfile(bool trustCa, const QString &password)
    {
        const QString dir = m_tmp.filePath(QStringLiteral("p%1").arg(++m_n));
        Profile p(dir);
        p.ensureExists(nullptr);
        if (trustCa) QFile::copy(TestServers::get().caFile(), p.extraAnchorsPath());
        QSettings s(p.settingsPath(), QSettings::IniFormat);
        s.setValue(QStringLiteral("general/markReadDelayMs"), 100);
        s.sync();
        store::MailStore st(p.databasePath());
        AccountConfig a = TestServers::get().imapAccount(QStringLiteral("bob"));
        a.name = QStringLiteral("Bob");
        a.smtp = {QStringLiteral("localhost"), TestServers::get().port("HERON_TEST_SUBMISSIONS_PORT"), Security::Tls};
        st.addAccount(a);
        SecretStore secrets(p.secretsPath());
        secrets.storeInProfile(a.name, password, nullptr);
        return dir;
    }

    net::ImapSession otherClient()
    {
        net::TrustPolicy trust;
        trust.extraAnchorsFile = TestServers::get().caFile();
        return net::ImapSession(TestServers::get().imapAccount(QStringLiteral("bob")), QStringLiteral("secret-bob"), trust);
    }

    QModelIndex inboxRow(MainWindow &w) { return w.folderModel()->firstInbox(); }

    // Messages in user's mailbox whose subject contains this, as the server says.
    static int countOnServer(const char *user, const QByteArray &box, const QString &subject)
    {
        net::TrustPolicy trust;
        trust.extraAnchorsFile = TestServers::get().caFile();
        net::ImapSession s(TestServers::get().imapAccount(QString::fromLatin1(user)),
                           QStringLiteral("secret-") + QString::fromLatin1(user), trust);
        s.connect();
        s.select(box);
        int n = 0;
        s.command("UID SEARCH SUBJECT " + net::quoteImapString(subject.toUtf8()),
                  [&](const net::ImapResponse &r) { n += int(r.items.size()) - 1; });
        s.logout();
        return n;
    }

    // HERON_SCREENSHOT_DIR set: pictures of the states, for a person to look at.
    static void shot(QWidget *w, const QString &name)
    {
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            w->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QLatin1Char('/') + name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        HERON_REQUIRE_SERVERS();
        m_marker = QStringLiteral("online-%1").arg(QRandomGenerator::global()->generate());
        net::TrustPolicy trust;
        trust.extraAnchorsFile = TestServers::get().caFile();
        net::ImapSession other(TestServers::get().imapAccount(QStringLiteral("bob")), QStringLiteral("secret-bob"), trust);
        other.connect();
        for (int i = 1; i <= 30; ++i) {
            QByteArray msg = "From: Window Tester <wt@example.org>\r\nTo: bob@example.org\r\nSubject: " +
                             m_marker.toUtf8() + " " + QByteArray::number(i) +
                             "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello from message " +
                             QByteArray::number(i) + "\r\n";
            other.append("INBOX", msg, 0);
        }
        other.logout();
    }

    void firstStartFillsTreeAndListAndOpensAMessage()
    {
        MainWindow w(Profile(makeProfile(true, QStringLiteral("secret-bob"))), false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(inboxRow(w).isValid(), 15000);
        // Special folders listed with their roles.
        QVERIFY(w.folderModel()->match(w.folderModel()->index(0, 0), SpecialUseRole, QStringLiteral("\\Sent"), 1,
                                       Qt::MatchExactly | Qt::MatchRecursive).size() == 1);
        QTRY_VERIFY_WITH_TIMEOUT(w.messageModel()->rowCount() >= 30, 15000);
        w.filterEdit()->setText(m_marker + QStringLiteral(" 30"));
        QTRY_COMPARE(w.messageModel()->rowCount(), 1);
        w.messageListView()->setCurrentIndex(w.messageModel()->index(0, MessageListModel::SubjectColumn));
        // Not cached yet: fetched on demand by the interactive connection.
        QTRY_VERIFY_WITH_TIMEOUT(w.messageView()->bodyText().contains(QLatin1String("Hello from message 30")), 15000);
        // Marked read locally, then on the server.
        QTRY_VERIFY(!w.messageModel()->index(0, 0).data(IsUnreadRole).toBool());
        net::ImapSession other = otherClient();
        other.connect();
        bool seenOnServer = false;
        QTRY_VERIFY_WITH_TIMEOUT((other.select("INBOX"), other.command("UID SEARCH SEEN SUBJECT \"" + m_marker.toUtf8() + " 30\"",
                                  [&](const net::ImapResponse &r) { if (r.items.size() > 1) seenOnServer = true; }), seenOnServer), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(w.statusText().contains(QLatin1String("up to date")), 15000);
    }

    // One folder the server cannot open is marked on its row; the folders
    // after it still sync. A change the server refuses shows in the status
    // bar and in Queued Changes, where Retry sends it again.
    void failuresStayLocalAndRefusedChangesCanBeRetried()
    {
        net::TrustPolicy trust;
        trust.extraAnchorsFile = TestServers::get().caFile();
        net::ImapSession other(TestServers::get().imapAccount(QStringLiteral("leo")), QStringLiteral("secret-leo"), trust);
        other.connect();
        const QByteArray bad = "Bad" + m_marker.toUtf8(), good = "Good" + m_marker.toUtf8(), gone = "Gone" + m_marker.toUtf8();
        for (const QByteArray &box : {bad, good, gone}) other.createFolder(box);
        for (const QByteArray &box : {bad, good})
            other.append(box, "From: t@example.org\r\nSubject: " + box + "\r\n\r\nbody\r\n", 0);
        // The server cannot read this folder's files: its SELECT fails.
        QProcess doveadm;
        doveadm.start(QStringLiteral("doveadm"), {QStringLiteral("-c"), TestServers::get().var("HERON_TEST_DOVECOT_CONF"),
                                                  QStringLiteral("mailbox"), QStringLiteral("path"), QStringLiteral("-u"),
                                                  QStringLiteral("leo"), QString::fromLatin1(bad)});
        QVERIFY(doveadm.waitForFinished(30000));
        const QString badPath = QString::fromUtf8(doveadm.readAllStandardOutput()).trimmed();
        QVERIFY2(QFileInfo(badPath).isDir(), qPrintable(badPath));
        const QFile::Permissions before = QFile::permissions(badPath);
        QVERIFY(QFile::setPermissions(badPath, QFile::Permissions()));
        auto restore = qScopeGuard([&] { QFile::setPermissions(badPath, before); });

        const QString dir = m_tmp.filePath(QStringLiteral("p%1").arg(++m_n));
        Profile p(dir);
        p.ensureExists(nullptr);
        QFile::copy(TestServers::get().caFile(), p.extraAnchorsPath());
        qint64 accountId = 0;
        {
            store::MailStore st(p.databasePath());
            AccountConfig a = TestServers::get().imapAccount(QStringLiteral("leo"));
            a.name = QStringLiteral("Leo");
            accountId = st.addAccount(a);
            SecretStore(p.secretsPath()).storeInProfile(a.name, QStringLiteral("secret-leo"), nullptr);
        }
        MainWindow w(p, false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(w.statusText().contains(QLatin1String("up to date")), 20000);
        store::MailStore st(p.databasePath());
        auto badBox = st.mailboxByName(accountId, QString::fromLatin1(bad));
        auto goodBox = st.mailboxByName(accountId, QString::fromLatin1(good));
        auto goneBox = st.mailboxByName(accountId, QString::fromLatin1(gone));
        QVERIFY(badBox && goodBox && goneBox);
        const QModelIndex badRow = w.folderModel()->indexForMailbox(badBox->id);
        QTRY_VERIFY_WITH_TIMEOUT(!badRow.data(FolderErrorRole).toString().isEmpty(), 10000);
        QVERIFY2(badRow.data(Qt::ToolTipRole).toString().contains(QLatin1String("could not be synchronised")),
                 qPrintable(badRow.data(Qt::ToolTipRole).toString()));
        QCOMPARE(st.mailbox(goodBox->id)->totalCount, 1); // synced after the failing one
        QVERIFY(w.folderModel()->indexForMailbox(goodBox->id).data(FolderErrorRole).toString().isEmpty());

        // Moved into a folder another device has just deleted: refused.
        other.deleteFolder(gone);
        ops::moveMessages(st, st.messageIds(goodBox->id), goneBox->id);
        w.accounts()->replay(accountId);
        auto *failedButton = w.findChild<QToolButton *>(QStringLiteral("failedChanges"));
        QVERIFY(failedButton);
        QTRY_VERIFY_WITH_TIMEOUT(failedButton->isVisible(), 15000);
        QVERIFY2(failedButton->text().contains(QLatin1String("1 change")), qPrintable(failedButton->text()));
        failedButton->click();
        QueuedChangesDialog *dlg = nullptr;
        QTRY_VERIFY((dlg = w.findChild<QueuedChangesDialog *>()) != nullptr && dlg->isVisible());
        w.folderView()->expandAll();
        shot(&w, QStringLiteral("window-failed-folder-and-change.png"));
        shot(dlg, QStringLiteral("queued-changes.png"));
        QCOMPARE(dlg->list()->topLevelItemCount(), 1);
        QTreeWidgetItem *row = dlg->list()->topLevelItem(0);
        QVERIFY2(row->text(1).startsWith(QLatin1String("Move 1 message")), qPrintable(row->text(1)));
        QVERIFY(!row->text(4).isEmpty()); // the server's reason
        // The folder is back on the server: Retry moves the message there.
        other.createFolder(gone);
        row->setSelected(true);
        auto *retry = dlg->findChild<QPushButton *>(QStringLiteral("retry"));
        QVERIFY(retry && retry->isEnabled());
        retry->click();
        QTRY_VERIFY_WITH_TIMEOUT(!failedButton->isVisible(), 15000);
        int inGone = 0;
        QTRY_VERIFY_WITH_TIMEOUT((other.select(gone), inGone = int(other.searchAllUids().size()), inGone == 1), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(dlg->list()->topLevelItemCount(), 0, 15000); // refreshed once the queue is empty
        other.logout();
    }

    // The window and heron-cli flush one outbox at the same moment: each
    // message reaches its recipient exactly once, and one copy of each is filed.
    void windowAndCliNeverSendTwice()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("p%1").arg(++m_n));
        Profile p(dir);
        p.ensureExists(nullptr);
        QFile::copy(TestServers::get().caFile(), p.extraAnchorsPath());
        const QString marker = m_marker + QStringLiteral("-both");
        // Enough that the two senders overlap (each claims one message at a time).
        constexpr int kCount = 30;
        {
            store::MailStore st(p.databasePath());
            AccountConfig a = TestServers::get().imapAccount(QStringLiteral("kim"));
            a.name = QStringLiteral("Kim");
            a.smtp = {QStringLiteral("localhost"), TestServers::get().port("HERON_TEST_SUBMISSIONS_PORT"), Security::Tls};
            const qint64 id = st.addAccount(a);
            SecretStore(p.secretsPath()).storeInProfile(a.name, QStringLiteral("secret-kim"), nullptr);
            compose::Outbox outbox(st);
            for (int i = 1; i <= kCount; ++i) {
                compose::OutgoingMessage m;
                m.fromAddress = QStringLiteral("kim@example.org");
                m.to = {QStringLiteral("leo@example.org")};
                m.subject = QStringLiteral("%1 #%2#").arg(marker).arg(i);
                m.body = QStringLiteral("one of many");
                outbox.enqueue(id, compose::buildMessage(m, QStringLiteral("example.org")), m.subject);
            }
        }
        MainWindow w(p, true); // offline until both go at once
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        store::MailStore st(p.databasePath());
        auto rowsLeft = [&] {
            auto q = st.db().prepare("SELECT count(*) FROM outbox WHERE state='queued'");
            return q.step() ? q.integer(0) : -1;
        };
        // The window starts sending; heron-cli joins while it is at it.
        w.accounts()->setWorkOffline(false);
        QTRY_VERIFY_WITH_TIMEOUT(rowsLeft() < kCount, 30000);
        const int leftWhenCliStarts = rowsLeft();
        QVERIFY2(leftWhenCliStarts > 0, "the window sent everything before heron-cli started: no overlap to test");
        QProcess cli;
        cli.setProcessChannelMode(QProcess::MergedChannels);
        cli.start(QStringLiteral(HERON_CLI_PATH), {QStringLiteral("--profile"), dir, QStringLiteral("outbox"), QStringLiteral("send")});
        QVERIFY(cli.waitForStarted());
        QVERIFY(cli.waitForFinished(60000));
        const QByteArray cliOut = cli.readAll();
        qInfo("heron-cli started with %d of %d queued: %s", leftWhenCliStarts, kCount, cliOut.trimmed().constData());
        auto outboxRows = [&] {
            auto q = st.db().prepare("SELECT count(*) FROM outbox");
            return q.step() ? q.integer(0) : -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(outboxRows(), 0, 30000); // all sent and filed
        auto countIn = [](const char *user, const QByteArray &box, const QString &subject) { return countOnServer(user, box, subject); };
        // Wait for Postfix to hand everything to Dovecot, then count.
        auto postfixIdle = [] {
            QProcess q;
            q.start(QStringLiteral("postqueue"), {QStringLiteral("-c"), TestServers::get().var("HERON_TEST_POSTFIX_CONF_DIR"), QStringLiteral("-p")});
            return q.waitForFinished(10000) && q.readAll().contains("Mail queue is empty");
        };
        QTRY_VERIFY_WITH_TIMEOUT(countIn("leo", "INBOX", marker) >= kCount && postfixIdle(), 60000);
        for (int i = 1; i <= kCount; ++i) {
            const QString subject = QStringLiteral("%1 #%2#").arg(marker).arg(i);
            QCOMPARE(countIn("leo", "INBOX", subject), 1);
            QCOMPARE(countIn("kim", "Sent", subject), 1);
        }
    }

    void composedMessageIsDeliveredAndFiledInSent()
    {
        MainWindow w(Profile(makeProfile(true, QStringLiteral("secret-bob"))), false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(w.statusText().contains(QLatin1String("up to date")), 15000);
        ComposerWindow *c = w.openComposer(-1);
        QVERIFY(c);
        const QString marker = m_marker + QStringLiteral("-sent");
        c->toEdit()->setText(QStringLiteral("Alice <alice@example.org>"));
        c->subjectEdit()->setText(marker);
        c->bodyEdit()->setPlainText(QStringLiteral("Sent from the Heron window."));
        QVERIFY(c->send());
        auto countIn = [&](const char *user, const QByteArray &box) { return countOnServer(user, box, marker); };
        QTRY_COMPARE_WITH_TIMEOUT(countIn("alice", "INBOX"), 1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(countIn("bob", "Sent"), 1, 20000);
    }

    void firstRunAddsAnAccountByHand()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("first-run"));
        Profile p(dir);
        p.ensureExists(nullptr);
        QFile::copy(TestServers::get().caFile(), p.extraAnchorsPath());
        MainWindow w(p, false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // The setup wizard comes first; "Set Up Manually…" leads to the full form.
        AccountWizard *wiz = nullptr;
        QTRY_VERIFY((wiz = w.findChild<AccountWizard *>()) != nullptr && wiz->isVisible());
        QVERIFY(w.statusText().contains(QLatin1String("Add an account")));
        wiz->manualButton()->click();
        AccountDialog *dlg = nullptr;
        QTRY_VERIFY((dlg = w.findChild<AccountDialog *>(QStringLiteral("accountDialog"))) != nullptr && dlg->isVisible());
        dlg->nameEdit()->setText(QStringLiteral("Bob by hand"));
        dlg->emailEdit()->setText(QStringLiteral("bob at example"));
        dlg->hostEdit()->setText(QStringLiteral("localhost"));
        dlg->accept();
        QVERIFY(dlg->isVisible()); // refused
        QVERIFY(dlg->problemLabel()->text().contains(QLatin1String("not a valid e-mail address")));
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            dlg->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/account-dialog.png"));
        dlg->nameEdit()->setText(QStringLiteral("Bob by hand"));
        dlg->emailEdit()->setText(QStringLiteral("bob@example.org"));
        dlg->findChildren<QLineEdit *>()[2]->setText(QStringLiteral("bob")); // user name
        dlg->passwordEdit()->setText(QStringLiteral("secret-bob"));
        QCOMPARE(dlg->protocolBox()->currentData().toString(), QStringLiteral("imap"));
        QCOMPARE(dlg->securityBox()->currentData().toString(), QStringLiteral("tls"));
        dlg->findChildren<QSpinBox *>()[0]->setValue(TestServers::get().port("HERON_TEST_IMAPS_PORT"));
        dlg->accept();
        QTRY_VERIFY_WITH_TIMEOUT(inboxRow(w).isValid(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(w.messageModel()->rowCount() >= 30, 15000);
        store::MailStore st(p.databasePath());
        QCOMPARE(st.accounts().size(), size_t(1));
        QCOMPARE(st.accounts()[0].incoming.security, Security::Tls);
        // The default "system keyring" is unavailable in this test session: the
        // password is kept for the session only, and nothing is written in clear.
        QFile secrets(p.secretsPath());
        QVERIFY(!secrets.exists() || (secrets.open(QIODevice::ReadOnly) && !secrets.readAll().contains("secret-bob")));
    }

    void untrustedCertificateAsksTheUser()
    {
        MainWindow w(Profile(makeProfile(false, QStringLiteral("secret-bob"))), false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        CertificateDialog *dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = w.findChild<CertificateDialog *>()) != nullptr, 15000);
        QTRY_VERIFY(dlg->isVisible());
        const QList<QLabel *> labels = dlg->findChildren<QLabel *>();
        bool hasFingerprint = false;
        for (QLabel *l : labels) hasFingerprint |= l->text().count(QLatin1Char(':')) == 31;
        QVERIFY(hasFingerprint);
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR")) // for people reviewing the UI
            dlg->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/certificate-dialog.png"));
        QVERIFY(!inboxRow(w).isValid()); // nothing synced before the decision
        dlg->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(w.messageModel()->rowCount() >= 30, 15000);
    }

    void wrongPasswordAsksAgain()
    {
        MainWindow w(Profile(makeProfile(true, QStringLiteral("wrong"))), false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QInputDialog *dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = w.findChild<QInputDialog *>()) != nullptr && dlg->isVisible(), 15000);
        QVERIFY(dlg->labelText().contains(QLatin1String("rejected"), Qt::CaseInsensitive));
        dlg->setTextValue(QStringLiteral("secret-bob"));
        dlg->accept();
        QTRY_VERIFY_WITH_TIMEOUT(w.messageModel()->rowCount() >= 30, 15000);
    }
};

QTEST_MAIN(TestOnlineWindow)
#include "tst_onlinewindow.moc"
