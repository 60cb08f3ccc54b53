// Accounts in the real window against the real servers: the setup wizard
// (settings found through DNS SRV, a wrong password named, then added), several
// accounts side by side where a dead or refused one never stops the others,
// the unified inbox, editing an account's settings and reordering accounts.
#include "ProviderServers.h"
#include "TestServers.h"

#include "AccountDialog.h"
#include "AccountWizard.h"
#include "CertificateDialog.h"
#include "FolderModel.h"
#include "FolderTreeView.h"
#include "ItemRoles.h"
#include "MainWindow.h"
#include "MessageListModel.h"

#include "account/SecretStore.h"
#include "net/ImapSession.h"
#include "store/MailStore.h"
#include "sync/AccountManager.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QComboBox>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QScopeGuard>
#include <QFileInfo>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace heron;
using namespace heron::ui;
using heron::test::TestServers;

class TestAccounts : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    heron::test::TestDnsServer m_dns;
    heron::test::TestHttpsProxy m_proxy;
    QString m_marker;
    int m_n = 0;

    int port(const char *name) const { return TestServers::get().port(name); }

    void put(const QString &user, const QString &subject, const QByteArray &body = QByteArray())
    {
        net::TrustPolicy trust;
        trust.extraAnchorsFile = TestServers::get().caFile();
        net::ImapSession s(TestServers::get().imapAccount(user), TestServers::get().password(user), trust);
        s.connect();
        s.append("INBOX", "From: Tester <t@example.org>\r\nTo: " + user.toUtf8() + "@example.org\r\nSubject: " + subject.toUtf8() +
                              "\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n\r\nHello " + user.toUtf8() + "\r\n" + body, 0);
        s.logout();
    }

    Profile newProfile()
    {
        Profile p(m_tmp.filePath(QStringLiteral("p%1").arg(++m_n)));
        p.ensureExists(nullptr);
        QFile::copy(TestServers::get().caFile(), p.extraAnchorsPath());
        return p;
    }

    // The provider's DNS and web server are the loopback stand-ins.
    DiscoveryOptions discoveryOptions(const Profile &p) const
    {
        DiscoveryOptions o;
        o.nameserver = m_dns.address();
        o.proxy = QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), m_proxy.serverPort());
        o.askIspdb = false;
        o.extraAnchorsFile = p.extraAnchorsPath();
        o.stepTimeoutMs = 4000;
        return o;
    }

    static void shot(QWidget *w, const QString &name)
    {
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            w->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QLatin1Char('/') + name);
    }

    QModelIndex accountRow(MainWindow &w, const QString &name)
    {
        const auto hits = w.folderModel()->match(w.folderModel()->index(0, 0), Qt::DisplayRole, name, 1, Qt::MatchStartsWith);
        return hits.value(0);
    }
    int accountPosition(MainWindow &w, const QString &name)
    {
        for (int r = 0; r < w.folderModel()->rowCount(); ++r)
            if (w.folderModel()->index(r, 0).data().toString().startsWith(name)) return r;
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        HERON_REQUIRE_SERVERS();
        QString error;
        QVERIFY2(m_dns.start(&error), qPrintable(QStringLiteral("test DNS server on port 53: ") + error));
        QVERIFY(m_proxy.start());
        m_dns.addSrv(QStringLiteral("_imaps._tcp.wizard.test"), {0, 1, quint16(port("HERON_TEST_IMAPS_PORT")), QStringLiteral("localhost")});
        m_dns.addSrv(QStringLiteral("_submissions._tcp.wizard.test"), {0, 1, quint16(port("HERON_TEST_SUBMISSIONS_PORT")), QStringLiteral("localhost")});
        m_marker = QStringLiteral("acc-%1").arg(QRandomGenerator::global()->generate());
    }

    void wizardFindsSettingsChecksLoginAndAdds()
    {
        put(QStringLiteral("heidi"), m_marker + QStringLiteral(" wizard"));
        Profile p = newProfile();
        MainWindow w(p, false);
        w.resize(1100, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        AccountWizard *wiz = nullptr;
        QTRY_VERIFY((wiz = w.findChild<AccountWizard *>()) != nullptr && wiz->isVisible());
        wiz->setDiscoveryOptions(discoveryOptions(p));

        // Nothing starts without a valid address.
        wiz->nameEdit()->setText(QStringLiteral("Heidi Example"));
        wiz->emailEdit()->setText(QStringLiteral("heidi at wizard"));
        wiz->passwordEdit()->setText(QStringLiteral("wrong password"));
        wiz->nextButton()->click();
        QVERIFY(wiz->problemLabel()->isVisible());
        QVERIFY(wiz->problemLabel()->text().contains(QLatin1String("not a valid e-mail address")));
        shot(wiz, QStringLiteral("wizard-start.png"));

        // Found through SRV, outside wizard.test (localhost): shown, and no
        // login is tried until the user accepts the servers.
        QSignalSpy checked(wiz, &AccountWizard::checkFinished);
        wiz->emailEdit()->setText(QStringLiteral("heidi@wizard.test"));
        wiz->nextButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(wiz->nextButton()->text(), QStringLiteral("Use These Servers"), 30000);
        QVERIFY2(wiz->problemLabel()->text().contains(QLatin1String("not part of wizard.test")), qPrintable(wiz->problemLabel()->text()));
        QVERIFY(wiz->incomingLabel()->text().contains(QLatin1String("outside wizard.test")));
        QCOMPARE(checked.size(), 0);
        QVERIFY(!wiz->incomingLabel()->text().contains(QLatin1String("checking")));
        shot(wiz, QStringLiteral("wizard-confirm-dns.png"));
        // Yes: the wrong password is named as such and nothing is added.
        wiz->nextButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(checked.size(), 1, 30000);
        QCOMPARE(checked.first().first().toBool(), false);
        QVERIFY2(wiz->incomingLabel()->text().contains(QLatin1String("DNS SRV record _imaps._tcp.wizard.test")),
                 qPrintable(wiz->incomingLabel()->text()));
        QVERIFY2(wiz->incomingLabel()->text().contains(QLatin1String("Failed (password)")), qPrintable(wiz->incomingLabel()->text()));
        QVERIFY(wiz->outgoingLabel()->text().contains(QLatin1String("Failed (password)")));
        QVERIFY(wiz->stepList()->count() > 3);
        QCOMPARE(wiz->nextButton()->text(), QStringLiteral("Check Again"));
        shot(wiz, QStringLiteral("wizard-wrong-password.png"));
        QVERIFY(store::MailStore(p.databasePath()).accounts().empty());

        // Back, right password: both logins work, then the account is added and syncs.
        QPushButton *back = nullptr;
        for (QPushButton *b : wiz->findChildren<QPushButton *>())
            if (b->text() == QLatin1String("Back")) back = b;
        QVERIFY(back);
        back->click();
        wiz->passwordEdit()->setText(TestServers::get().password(QStringLiteral("heidi")));
        wiz->nextButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(checked.size(), 2, 30000);
        QVERIFY2(checked.last().first().toBool(), qPrintable(wiz->incomingLabel()->text() + wiz->outgoingLabel()->text()));
        QVERIFY(wiz->incomingLabel()->text().contains(QLatin1String("Login works")));
        QCOMPARE(wiz->nextButton()->text(), QStringLiteral("Add Account"));
        shot(wiz, QStringLiteral("wizard-found.png"));
        wiz->nextButton()->click();

        QTRY_VERIFY_WITH_TIMEOUT(w.folderModel()->firstInbox().isValid(), 15000);
        store::MailStore st(p.databasePath());
        QCOMPARE(st.accounts().size(), size_t(1));
        const AccountConfig a = st.accounts()[0];
        QCOMPARE(a.name, QStringLiteral("Heidi Example (heidi@wizard.test)"));
        QCOMPARE(a.incoming.port, port("HERON_TEST_IMAPS_PORT"));
        QCOMPARE(a.smtp.port, port("HERON_TEST_SUBMISSIONS_PORT"));
        QCOMPARE(a.smtp.security, Security::Tls);
        // No keyring in this session: kept for the session only, never written in clear.
        const QByteArray pw = TestServers::get().password(QStringLiteral("heidi")).toUtf8();
        for (const QString &file : {p.secretsPath(), p.settingsPath(), p.databasePath(), p.databasePath() + QStringLiteral("-wal")}) {
            QFile f(file);
            QVERIFY(!f.exists() || (f.open(QIODevice::ReadOnly) && !f.readAll().contains(pw)));
        }
        QVERIFY(w.selectMailbox(w.folderModel()->firstInbox().data(MailboxIdRole).toLongLong()));
        w.filterEdit()->setText(m_marker + QStringLiteral(" wizard"));
        QTRY_COMPARE_WITH_TIMEOUT(w.messageModel()->rowCount(), 1, 15000);
    }

    // A server whose certificate nobody vouches for: the wizard names it, the
    // user looks at it and trusts it, and the check passes with the pin.
    void wizardCertificateDecision()
    {
        Profile p(m_tmp.filePath(QStringLiteral("p%1").arg(++m_n)));
        p.ensureExists(nullptr); // no test CA in this profile
        AccountWizard wiz(p);
        wiz.setDiscoveryOptions(discoveryOptions(p));
        wiz.show();
        wiz.nameEdit()->setText(QStringLiteral("Heidi"));
        wiz.emailEdit()->setText(QStringLiteral("heidi@wizard.test"));
        wiz.passwordEdit()->setText(TestServers::get().password(QStringLiteral("heidi")));
        QSignalSpy checked(&wiz, &AccountWizard::checkFinished);
        wiz.nextButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(wiz.nextButton()->text(), QStringLiteral("Use These Servers"), 30000); // DNS, outside the domain
        wiz.nextButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(checked.size(), 1, 30000);
        QCOMPARE(checked.first().first().toBool(), false);
        QVERIFY2(wiz.incomingLabel()->text().contains(QLatin1String("Failed (certificate)")), qPrintable(wiz.incomingLabel()->text()));
        QVERIFY(wiz.trustButton()->isVisible());
        shot(&wiz, QStringLiteral("wizard-certificate.png"));
        wiz.trustButton()->click();
        CertificateDialog *dlg = nullptr;
        QTRY_VERIFY((dlg = wiz.findChild<CertificateDialog *>()) != nullptr && dlg->isVisible());
        dlg->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
        // Incoming trusted; the SMTP server has its own port, so its certificate is asked about next.
        QTRY_COMPARE_WITH_TIMEOUT(checked.size(), 2, 30000);
        QVERIFY2(wiz.incomingLabel()->text().contains(QLatin1String("Login works")), qPrintable(wiz.incomingLabel()->text()));
        QVERIFY(wiz.outgoingLabel()->text().contains(QLatin1String("Failed (certificate)")));
        wiz.trustButton()->click();
        QTRY_VERIFY((dlg = wiz.findChild<CertificateDialog *>()) != nullptr && dlg->isVisible());
        dlg->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(checked.size(), 3, 30000);
        QVERIFY(checked.last().first().toBool());
        QCOMPARE(wiz.nextButton()->text(), QStringLiteral("Add Account"));
    }

    void wizardHandsOverToTheManualForm()
    {
        Profile p = newProfile();
        MainWindow w(p, false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        AccountWizard *wiz = nullptr;
        QTRY_VERIFY((wiz = w.findChild<AccountWizard *>()) != nullptr && wiz->isVisible());
        wiz->nameEdit()->setText(QStringLiteral("Judy"));
        wiz->emailEdit()->setText(QStringLiteral("judy@example.org"));
        wiz->passwordEdit()->setText(QStringLiteral("pw"));
        wiz->manualButton()->click();
        AccountDialog *dlg = nullptr;
        QTRY_VERIFY((dlg = w.findChild<AccountDialog *>(QStringLiteral("accountDialog"))) != nullptr && dlg->isVisible());
        QCOMPARE(dlg->emailEdit()->text(), QStringLiteral("judy@example.org"));
        QCOMPARE(dlg->nameEdit()->text(), QStringLiteral("Judy (judy@example.org)"));
        QCOMPARE(dlg->passwordEdit()->text(), QStringLiteral("pw"));
    }

    // Three working accounts and a dead one: each shows its own mail, All
    // Inboxes shows all, and the dead one does not hold anything up. Then
    // its port is fixed in Account Settings, and the accounts are reordered.
    void severalAccountsSideBySide()
    {
        put(QStringLiteral("ivan"), m_marker + QStringLiteral(" ivan"));
        put(QStringLiteral("judy"), m_marker + QStringLiteral(" judy"));
        Profile p = newProfile();
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const int deadPort = closed.serverPort();
        closed.close();
        QTcpServer silent; // accepts, never greets: a server that hangs
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        qint64 deadId = 0, ivanId = 0, judyId = 0, slowId = 0;
        {
            store::MailStore st(p.databasePath());
            SecretStore secrets(p.secretsPath());
            AccountConfig dead = TestServers::get().imapAccount(QStringLiteral("ivan"));
            dead.name = QStringLiteral("Dead server");
            dead.incoming.port = deadPort;
            deadId = st.addAccount(dead);
            secrets.storeInProfile(dead.name, TestServers::get().password(QStringLiteral("ivan")), nullptr);
            AccountConfig ivan = TestServers::get().imapAccount(QStringLiteral("ivan"));
            ivan.name = QStringLiteral("Ivan");
            ivanId = st.addAccount(ivan);
            secrets.storeInProfile(ivan.name, TestServers::get().password(QStringLiteral("ivan")), nullptr);
            AccountConfig judy = TestServers::get().imapAccount(QStringLiteral("judy"));
            judy.name = QStringLiteral("Judy POP");
            judy.protocol = QStringLiteral("pop3");
            judy.incoming.port = port("HERON_TEST_POP3S_PORT");
            judyId = st.addAccount(judy);
            secrets.storeInProfile(judy.name, TestServers::get().password(QStringLiteral("judy")), nullptr);
            AccountConfig slow = TestServers::get().imapAccount(QStringLiteral("ivan"));
            slow.name = QStringLiteral("Hanging server");
            slow.incoming.port = silent.serverPort();
            slowId = st.addAccount(slow);
            secrets.storeInProfile(slow.name, TestServers::get().password(QStringLiteral("ivan")), nullptr);
            AccountConfig wrong = TestServers::get().imapAccount(QStringLiteral("judy"));
            wrong.name = QStringLiteral("Wrong password");
            st.addAccount(wrong);
            secrets.storeInProfile(wrong.name, QStringLiteral("not-the-password"), nullptr);
        }
        MainWindow w(p, false);
        w.resize(1100, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        sync::AccountManager *m = w.accounts();
        QTRY_VERIFY_WITH_TIMEOUT(m->state(ivanId) == sync::AccountManager::State::Online, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(m->state(judyId) == sync::AccountManager::State::Online, 20000);
        QVERIFY(m->state(deadId) != sync::AccountManager::State::Online);
        // The hanging server is still being waited for, on its own threads.
        QCOMPARE(m->state(slowId), sync::AccountManager::State::Connecting);
        QVERIFY2(m->lastError(deadId).contains(QString::number(deadPort)), qPrintable(m->lastError(deadId)));
        // The failing account says so on its row; the working ones do not.
        QTRY_VERIFY(w.folderModel()->accountProblem(deadId).contains(QString::number(deadPort)));
        QVERIFY(accountRow(w, QStringLiteral("Dead server")).data(Qt::ToolTipRole).toString().contains(QString::number(deadPort)));
        QVERIFY(w.folderModel()->accountProblem(ivanId).isEmpty());
        // The wrong password is asked for; the others went on meanwhile.
        QTRY_VERIFY_WITH_TIMEOUT(w.findChild<QInputDialog *>() != nullptr, 15000);
        w.findChild<QInputDialog *>()->reject();

        // All Inboxes: both accounts' mail in one list.
        const auto all = w.folderModel()->match(w.folderModel()->index(0, 0), SpecialUseRole, QStringLiteral("\\AllInboxes"), 1, Qt::MatchExactly);
        QCOMPARE(all.size(), 1);
        w.folderView()->setCurrentIndex(all.first());
        w.filterEdit()->setText(m_marker);
        QTRY_COMPARE_WITH_TIMEOUT(w.messageModel()->rowCount(), 2, 15000);
        shot(&w, QStringLiteral("several-accounts.png"));

        // Fix the dead account's port in its settings: it comes online.
        AccountDialog *dlg = w.editAccount(deadId);
        QVERIFY(dlg);
        QVERIFY(dlg->nameEdit()->isReadOnly());
        QVERIFY(!dlg->protocolBox()->isEnabled());
        QCOMPARE(dlg->findChildren<QSpinBox *>()[0]->value(), deadPort);
        dlg->findChildren<QSpinBox *>()[0]->setValue(port("HERON_TEST_IMAPS_PORT"));
        shot(dlg, QStringLiteral("account-settings.png"));
        dlg->accept();
        QTRY_VERIFY_WITH_TIMEOUT(m->state(deadId) == sync::AccountManager::State::Online, 20000);
        QVERIFY(w.folderModel()->accountProblem(deadId).isEmpty());
        QCOMPARE(store::MailStore(p.databasePath()).account(deadId)->incoming.port, port("HERON_TEST_IMAPS_PORT"));

        // Reordering: Judy moves above Ivan, in the tree and for the next start.
        const int ivanPos = accountPosition(w, QStringLiteral("Ivan")), judyPos = accountPosition(w, QStringLiteral("Judy POP"));
        QVERIFY(ivanPos >= 0 && judyPos == ivanPos + 1);
        w.moveAccount(judyId, -1);
        QCOMPARE(accountPosition(w, QStringLiteral("Judy POP")), ivanPos);
        QCOMPARE(accountPosition(w, QStringLiteral("Ivan")), ivanPos + 1);
        const auto order = store::MailStore(p.databasePath()).accounts();
        QCOMPARE(order[1].id, judyId);
        QCOMPARE(order[2].id, ivanId);
        QCOMPARE(order[3].id, slowId);
    }

    // IDLE: a new message, and a flag set by another device, show up at once,
    // with the periodic check an hour away. The IDLE connection outlives the
    // read timeout (2 s here) many times over without logging in again.
    void newMailAndOtherDevicesChangesArriveAtOnce()
    {
        qputenv("HERON_NET_TIMEOUT", "2");
        auto restoreTimeout = qScopeGuard([] { qunsetenv("HERON_NET_TIMEOUT"); });
        Profile p = newProfile();
        qint64 id = 0;
        {
            store::MailStore st(p.databasePath());
            AccountConfig a = TestServers::get().imapAccount(QStringLiteral("ivan"));
            a.name = QStringLiteral("Ivan idle");
            a.checkIntervalSeconds = 3600;
            id = st.addAccount(a);
            SecretStore(p.secretsPath()).storeInProfile(a.name, TestServers::get().password(QStringLiteral("ivan")), nullptr);
        }
        MainWindow w(p, false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(w.accounts()->state(id) == sync::AccountManager::State::Online, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(w.accounts()->isWatching(id), 10000); // the server accepted the IDLE
        const qint64 logAt = dovecotLogSize();
        // The subject of this check is a duration: 8 s of silence, four read
        // timeouts. The IDLE must hold through it (Dovecot logs no new login).
        QTest::qWait(8000);
        QCOMPARE(loginsSince(logAt, "ivan"), 0);
        QVERIFY(w.accounts()->isWatching(id));
        QVERIFY(w.selectMailbox(w.folderModel()->firstInbox().data(MailboxIdRole).toLongLong()));
        const QString subject = m_marker + QStringLiteral(" pushed");
        w.filterEdit()->setText(subject);
        QCOMPARE(w.messageModel()->rowCount(), 0);
        QSignalSpy notified(&w, &MainWindow::newMailNotified);
        QElapsedTimer t;
        t.start();
        put(QStringLiteral("ivan"), subject);
        QTRY_COMPARE_WITH_TIMEOUT(w.messageModel()->rowCount(), 1, 10000);
        qInfo("new message shown %lld ms after it reached the server (IMAP APPEND)", t.elapsed());
        // Announced (a desktop notification where there is a tray), and counted in the title.
        QTRY_COMPARE(notified.size(), 1);
        QCOMPARE(notified.first().at(1).toInt(), 1);
        QVERIFY2(notified.first().at(2).toString().contains(subject), qPrintable(notified.first().at(2).toString()));
        QVERIFY2(w.windowTitle().contains(QLatin1String("unread")), qPrintable(w.windowTitle()));
        QVERIFY(w.messageModel()->index(0, 0).data(IsUnreadRole).toBool());

        // Read on another device: shown read here too.
        net::TrustPolicy trust;
        trust.extraAnchorsFile = TestServers::get().caFile();
        net::ImapSession other(TestServers::get().imapAccount(QStringLiteral("ivan")), TestServers::get().password(QStringLiteral("ivan")), trust);
        other.connect();
        other.select("INBOX");
        std::vector<uint32_t> uids;
        other.command("UID SEARCH SUBJECT " + net::quoteImapString(subject.toUtf8()), [&](const net::ImapResponse &r) {
            for (size_t i = 1; i < r.items.size(); ++i) uids.push_back(uint32_t(r.items[i].number()));
        });
        QCOMPARE(int(uids.size()), 1);
        other.storeFlags(uids, Flag::Seen, true);
        other.logout();
        QTRY_VERIFY_WITH_TIMEOUT(!w.messageModel()->index(0, 0).data(IsUnreadRole).toBool(), 10000);
        QCOMPARE(notified.size(), 1); // read elsewhere is not new mail

        // A word only in the text of a message not downloaded yet: the server finds it.
        const QString word = QStringLiteral("zq%1").arg(QRandomGenerator::global()->generate());
        put(QStringLiteral("ivan"), m_marker + QStringLiteral(" text search"), "The secret word is " + word.toUtf8() + ".\r\n");
        w.filterEdit()->setText(m_marker + QStringLiteral(" text search"));
        QTRY_COMPARE_WITH_TIMEOUT(w.messageModel()->rowCount(), 1, 10000); // it arrived (IDLE)
        QSignalSpy searched(&w, &MainWindow::textSearchFinished);
        w.filterEdit()->setText(word);
        searched.clear(); // an answer for the previous filter text does not count
        QTRY_COMPARE_WITH_TIMEOUT(searched.size(), 1, 10000);
        QCOMPARE(w.messageModel()->rowCount(), 1);
        QCOMPARE(w.messageModel()->index(0, MessageListModel::SubjectColumn).data().toString(), m_marker + QStringLiteral(" text search"));
        QVERIFY2(w.statusText().contains(QLatin1String("on the server")), qPrintable(w.statusText()));
        // The way mail really arrives: LMTP delivery into the INBOX.
        const QString lmtpSubject = m_marker + QStringLiteral(" delivered");
        w.filterEdit()->setText(lmtpSubject);
        QCOMPARE(w.messageModel()->rowCount(), 0);
        t.restart();
        QVERIFY(deliverByLmtp(QStringLiteral("ivan"), lmtpSubject));
        const qint64 delivered = t.elapsed();
        QTRY_COMPARE_WITH_TIMEOUT(w.messageModel()->rowCount(), 1, 10000);
        qInfo("push latency: LMTP delivery done after %lld ms, row in the window after %lld ms", delivered, t.elapsed());
        // No IDLE of this account was cut since it began (Dovecot logs
        // "Disconnected: ... (IDLE running for ...)" when one is).
        QCOMPARE(idlesDroppedSince(logAt, "ivan"), 0);
    }

private:
    // One message through Dovecot's LMTP listener (as Postfix hands mail over).
    static bool deliverByLmtp(const QString &user, const QString &subject)
    {
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), quint16(TestServers::get().port("HERON_TEST_LMTP_PORT")));
        if (!s.waitForConnected(10000)) return false;
        auto reply = [&s]() -> QByteArray {
            QByteArray all;
            for (;;) {
                while (!s.canReadLine())
                    if (!s.waitForReadyRead(10000)) return all;
                const QByteArray line = s.readLine();
                all += line;
                if (line.size() < 4 || line[3] != '-') return all; // last line of a multi-line reply
            }
        };
        auto say = [&](const QByteArray &cmd) {
            s.write(cmd + "\r\n");
            return reply();
        };
        const QByteArray to = user.toUtf8() + "@example.org";
        if (!reply().startsWith("220")) return false;
        if (!say("LHLO heron.test").startsWith("250")) return false;
        if (!say("MAIL FROM:<t@example.org>").startsWith("250")) return false;
        if (!say("RCPT TO:<" + to + ">").startsWith("250")) return false;
        if (!say("DATA").startsWith("354")) return false;
        const QByteArray msg = "From: Tester <t@example.org>\r\nTo: " + to +
                               "\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\nSubject: " + subject.toUtf8() +
                               "\r\n\r\nDelivered by LMTP.\r\n.";
        const bool ok = say(msg).startsWith("250");
        say("QUIT");
        return ok;
    }
    static QString dovecotLog() { return TestServers::get().var("HERON_TEST_DIR") + QStringLiteral("/dovecot.log"); }
    static qint64 dovecotLogSize() { return QFileInfo(dovecotLog()).size(); }
    // IMAP logins of user in Dovecot's log after byte offset `from`.
    static int loginsSince(qint64 from, const char *user)
    {
        QFile f(dovecotLog());
        if (!f.open(QIODevice::ReadOnly) || !f.seek(from)) return -1;
        const QByteArray needle = QByteArray("imap-login: Info: Login: user=<") + user + '>';
        return int(f.readAll().count(needle));
    }
    static int idlesDroppedSince(qint64 from, const char *user)
    {
        QFile f(dovecotLog());
        if (!f.open(QIODevice::ReadOnly) || !f.seek(from)) return -1;
        int n = 0;
        for (const QByteArray &line : f.readAll().split('\n'))
            if (line.contains(QByteArray("imap(") + user + ')') && line.contains("Disconnected") && line.contains("IDLE running"))
                ++n;
        return n;
    }
};

QTEST_MAIN(TestAccounts)
#include "tst_accounts.moc"
