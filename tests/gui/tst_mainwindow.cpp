// The real main window, offscreen, on a profile whose cache is filled the way
// sync fills it: what a user sees and what their clicks do.
#include "AccountDialog.h"
#include "ComposerWindow.h"
#include "FolderModel.h"
#include "compose/Outbox.h"
#include "compose/ReplyBuilder.h"
#include "FolderTreeView.h"
#include "ItemRoles.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"
#include "OutboxPane.h"
#include "SettingsDialog.h"

#include "account/SecretStore.h"
#include "ops/LocalOps.h"
#include "store/MailStore.h"
#include "threads/Threads.h"
#include "sync/AccountManager.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QMenu>
#include <QSpinBox>
#include <QPushButton>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QSettings>
#include <QTimer>
#include <QMessageBox>
#include <QToolButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QDateTime>
#include <QTreeView>
#include <QTreeWidget>

using namespace heron;
using namespace heron::ui;

namespace {
const QByteArray kHtmlMessage =
    "From: News <news@example.org>\r\nSubject: Newsletter\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/related; boundary=b\r\n\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><body><p>Hello reader</p><img src=\"http://tracker.example.invalid/pixel.png\"><img src=\"cid:logo\">"
    "<script>document.write('pwned')</script></body></html>\r\n"
    "--b\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==\r\n--b--\r\n";
}

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int64_t m_inbox = 0;
    int64_t m_trash = 0;
    int64_t m_account = 0;
    QString m_profileDir;

    void fillProfile(int messages)
    {
        m_profileDir = m_tmp.filePath(QStringLiteral("profile"));
        Profile p(m_profileDir);
        p.ensureExists(nullptr);
        QSettings s(p.settingsPath(), QSettings::IniFormat);
        s.setValue(QStringLiteral("general/markReadDelayMs"), 50);
        s.sync();
        store::MailStore st(p.databasePath());
        AccountConfig a;
        a.name = QStringLiteral("Demo");
        a.email = QStringLiteral("alice@example.org");
        a.protocol = QStringLiteral("imap");
        a.incoming = {QStringLiteral("127.0.0.1"), 1, Security::Tls}; // never reached: we start offline
        a.username = QStringLiteral("alice");
        a.smtp = {QStringLiteral("127.0.0.1"), 1, Security::Tls}; // unreachable: messages wait in the outbox
        m_account = st.addAccount(a);
        SecretStore(p.secretsPath()).storeInProfile(a.name, QStringLiteral("pw"), nullptr);
        std::vector<store::FolderUpdate> folders;
        auto folder = [&](const char *raw, const char *use, bool selectable = true) {
            store::FolderUpdate f;
            f.rawName = raw;
            f.delimiter = QStringLiteral("/");
            f.specialUse = QString::fromLatin1(use);
            f.selectable = selectable;
            folders.push_back(f);
        };
        folder("Projects", "", true);
        folder("Projects/Heron", "");
        folder("Trash", "\\Trash");
        folder("INBOX", "\\Inbox");
        folder("Sent", "\\Sent");
        folder("Drafts", "\\Drafts");
        st.updateFolders(m_account, folders);
        m_inbox = st.mailboxByName(m_account, QStringLiteral("INBOX"))->id;
        m_trash = st.mailboxByName(m_account, QStringLiteral("Trash"))->id;
        std::vector<MessageRecord> msgs;
        for (int i = 1; i <= messages; ++i) {
            MessageRecord m;
            m.uid = uint32_t(i);
            m.date = 1700000000 + i * 60;
            m.fromName = QStringLiteral("Sender %1").arg(i);
            m.fromAddr = QStringLiteral("s%1@example.org").arg(i);
            m.subject = i == 7 ? QStringLiteral("the needle in the haystack") : QStringLiteral("Message number %1").arg(i);
            m.flags = i % 3 == 0 ? 0 : Flag::Seen;
            m.size = 1000 + i;
            msgs.push_back(m);
        }
        store::Transaction tx(st.db());
        st.insertMessages(m_inbox, 1, msgs);
        st.setMailboxSyncState(m_inbox, 1, uint32_t(messages + 1), 0);
        st.recount(m_inbox);
        tx.commit();
        auto newest = st.messages(m_inbox, 2);
        st.storeBody(newest[0].id, kHtmlMessage);
        st.storeBody(newest[1].id, "From: x@example.org\r\nSubject: plain\r\n\r\nPlain body with https://example.org/link\r\n> quoted\r\n");
    }

private Q_SLOTS:
    void initTestCase() { fillProfile(3000); }

    void showsCachedMailOfflineAtOnce()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        FolderModel *folders = w.folderModel();
        // Account row, then Inbox first (special folders before the rest), with its unread count.
        QModelIndex account = folders->index(0, 0);
        QCOMPARE(account.data().toString(), QStringLiteral("Demo"));
        QModelIndex first = folders->index(0, 0, account);
        QCOMPARE(first.data(SpecialUseRole).toString(), QStringLiteral("\\Inbox"));
        QCOMPARE(first.data().toString(), QStringLiteral("Inbox (1000)"));
        QVERIFY(first.data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(folders->index(1, 0, account).data().toString(), QStringLiteral("Drafts"));
        QCOMPARE(folders->index(2, 0, account).data().toString(), QStringLiteral("Sent"));
        QCOMPARE(folders->index(3, 0, account).data().toString(), QStringLiteral("Trash"));
        QModelIndex projects = folders->index(4, 0, account);
        QCOMPARE(projects.data().toString(), QStringLiteral("Projects"));
        QCOMPARE(folders->index(0, 0, projects).data().toString(), QStringLiteral("Heron"));

        // Inbox is selected and listed, newest first, unread in bold.
        MessageListModel *list = w.messageModel();
        QTRY_COMPARE(list->rowCount(), 3000);
        QCOMPARE(list->index(0, MessageListModel::SubjectColumn).data().toString(), QStringLiteral("Message number 3000"));
        QVERIFY(list->index(0, MessageListModel::SubjectColumn).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!list->index(1, MessageListModel::SubjectColumn).data(Qt::FontRole).isValid());
        QVERIFY(w.statusText().contains(QLatin1String("offline"), Qt::CaseInsensitive));
    }

    void unreachableServerMeansOfflineWithoutDialogs()
    {
        // The account points at a closed port: online start, but the network is "unplugged".
        MainWindow w(Profile(m_profileDir), false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_COMPARE(w.messageModel()->rowCount(), 3000); // the cache opens at once
        QTRY_VERIFY_WITH_TIMEOUT(w.statusText().contains(QLatin1String("offline"), Qt::CaseInsensitive), 10000);
        QVERIFY(w.statusText().contains(QLatin1String("retrying")));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QVERIFY(w.findChildren<QDialog *>().isEmpty());
    }

    void openingAMessageShowsItAndMarksItRead()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        MessageListModel *list = w.messageModel();
        QTRY_COMPARE(list->rowCount(), 3000);
        w.messageListView()->setCurrentIndex(list->index(1, MessageListModel::SubjectColumn));
        QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Plain body")));
        QVERIFY(!w.messageView()->remoteContentBlocked());

        w.messageListView()->setCurrentIndex(list->index(0, MessageListModel::SubjectColumn));
        QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Hello reader")));
        QVERIFY(!w.messageView()->bodyText().contains(QLatin1String("pwned")));
        QVERIFY(w.messageView()->remoteContentBlocked());
        QVERIFY(w.messageView()->content().findContentId(QStringLiteral("logo")));
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR")) // for people reviewing the UI
            w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/html-message.png"));
        // Marked read after the configured delay, shown at once, queued for the server.
        QTRY_VERIFY(!list->index(0, MessageListModel::SubjectColumn).data(Qt::FontRole).isValid());
        store::MailStore st(Profile(m_profileDir).databasePath());
        auto ops = st.pendingOps(m_account);
        QVERIFY(!ops.empty());
        QCOMPARE(ops.back().kind, QStringLiteral("flags+"));
        QCOMPARE(ops.back().arg.toInt(), int(Flag::Seen));
        QTRY_COMPARE(w.folderModel()->firstInbox().data().toString(), QStringLiteral("Inbox (999)"));
    }

    void quickFilterFindsBySubjectAndSender()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_COMPARE(w.messageModel()->rowCount(), 3000);
        QTest::keyClicks(w.filterEdit(), QStringLiteral("needle"));
        QTRY_COMPARE(w.messageModel()->rowCount(), 1);
        w.filterEdit()->clear();
        QTest::keyClicks(w.filterEdit(), QStringLiteral("s2999@"));
        QTRY_COMPARE(w.messageModel()->rowCount(), 1);
        // Esc in the search line clears it: the whole folder again.
        QTest::keyClick(w.filterEdit(), Qt::Key_Escape);
        QCOMPARE(w.filterEdit()->text(), QString());
        QTRY_COMPARE(w.messageModel()->rowCount(), 3000);
    }

    void deleteMovesToTrashAndQueues()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        MessageListModel *list = w.messageModel();
        QTRY_VERIFY(list->rowCount() > 0);
        const int before = list->rowCount();
        const qint64 id = list->messageId(5);
        w.messageListView()->setCurrentIndex(list->index(5, MessageListModel::SubjectColumn));
        w.messageListView()->setFocus();
        QTest::keyClick(w.messageListView(), Qt::Key_Delete);
        QTRY_COMPARE(list->rowCount(), before - 1);
        QCOMPARE(list->rowOf(id), -1);
        store::MailStore st(Profile(m_profileDir).databasePath());
        auto ops = st.pendingOps(m_account);
        QCOMPARE(ops.back().kind, QStringLiteral("move"));
        QCOMPARE(ops.back().arg, QStringLiteral("Trash"));
    }

    void dragAndDropMovesOrCopies()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        MessageListModel *list = w.messageModel();
        QTRY_VERIFY(list->rowCount() > 10);
        store::MailStore st(Profile(m_profileDir).databasePath());
        const int64_t heron = st.mailboxByName(m_account, QStringLiteral("Projects/Heron"))->id;
        const int before = list->rowCount();
        // Dropping on a folder (what FolderTreeView emits after a drop): move, or copy with Ctrl.
        Q_EMIT w.folderView()->messagesDropped(heron, {int64_t(list->messageId(3))}, true);
        QCOMPARE(list->rowCount(), before);
        QCOMPARE(st.pendingOps(m_account).back().kind, QStringLiteral("copy"));
        const qint64 moved = list->messageId(4);
        const qint64 next = list->messageId(5);
        w.messageListView()->setCurrentIndex(list->index(4, MessageListModel::SubjectColumn)); // being read
        QTRY_COMPARE(w.messageView()->currentMessageId(), moved);
        Q_EMIT w.folderView()->messagesDropped(heron, {int64_t(moved)}, false);
        QTRY_COMPARE(list->rowCount(), before - 1);
        QCOMPARE(list->rowOf(moved), -1);
        // The moved message leaves the reading pane; the next one is shown.
        QTRY_COMPARE(w.messageView()->currentMessageId(), next);
        QCOMPARE(w.messageListView()->currentIndex().row(), 4);
        auto op = st.pendingOps(m_account).back();
        QCOMPARE(op.kind, QStringLiteral("move"));
        QCOMPARE(op.arg, QStringLiteral("Projects/Heron"));
    }

    void replyComposerQuotesValidatesAndQueues()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        MessageListModel *list = w.messageModel();
        QTRY_VERIFY(list->rowCount() > 2);
        int plainRow = -1;
        for (int r = 0; r < 3; ++r)
            if (list->index(r, MessageListModel::SubjectColumn).data().toString() == QLatin1String("Message number 2999")) plainRow = r;
        QVERIFY(plainRow >= 0);
        w.messageListView()->setCurrentIndex(list->index(plainRow, MessageListModel::SubjectColumn));
        QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Plain body")));
        ComposerWindow *c = w.openComposer(int(compose::ReplyKind::Reply));
        QVERIFY(c);
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QCOMPARE(c->subjectEdit()->text(), QStringLiteral("Re: Message number 2999"));
        QCOMPARE(c->toEdit()->text(), QStringLiteral("Sender 2999 <s2999@example.org>"));
        QVERIFY(c->bodyEdit()->toPlainText().contains(QLatin1String("> Plain body with https://example.org/link")));
        QVERIFY(c->bodyEdit()->toPlainText().contains(QLatin1String(">> quoted")));
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            c->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/composer.png"));

        store::MailStore st(Profile(m_profileDir).databasePath());
        c->toEdit()->setText(QStringLiteral("Sender 2999 <s2999@example.org>, not an address"));
        QVERIFY(!c->send());
        QVERIFY(c->problemLabel()->isVisible());
        QVERIFY(c->problemLabel()->text().contains(QLatin1String("not an address")));
        QVERIFY(!c->toEdit()->styleSheet().isEmpty()); // the field is marked
        QVERIFY(compose::Outbox(st).entries(m_account).empty());

        QPointer<ComposerWindow> guard(c);
        c->toEdit()->setText(QStringLiteral("Sender 2999 <s2999@example.org>"));
        c->setAskAboutMissingAttachment(false);
        QVERIFY(c->send());
        auto out = compose::Outbox(st).entries(m_account);
        QCOMPARE(out.size(), size_t(1));
        QCOMPARE(out[0].state, QStringLiteral("queued"));
        QCOMPARE(out[0].subject, QStringLiteral("Re: Message number 2999"));
        QTRY_VERIFY(guard.isNull()); // closed after sending
    }

    void signatureGoesInNewMessagesAndAboveQuotes()
    {
        {
            QSettings s(Profile(m_profileDir).settingsPath(), QSettings::IniFormat);
            s.setValue(QStringLiteral("signatures/%1").arg(m_account), QStringLiteral("Alice\nHeron team"));
        }
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY(w.messageModel()->rowCount() > 2);
        ComposerWindow *fresh = w.openComposer(-1);
        QCOMPARE(fresh->bodyEdit()->toPlainText(), QStringLiteral("\n\n-- \nAlice\nHeron team"));
        QVERIFY(!fresh->isDirty()); // closing it asks nothing
        fresh->close();
        w.messageListView()->setCurrentIndex(w.messageModel()->index(1, MessageListModel::SubjectColumn));
        QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Plain body")));
        ComposerWindow *reply = w.openComposer(int(compose::ReplyKind::Reply));
        const QString body = reply->bodyEdit()->toPlainText();
        QVERIFY(body.indexOf(QLatin1String("-- \nAlice")) < body.indexOf(QLatin1String("> Plain body")));
        QVERIFY(body.indexOf(QLatin1String("-- \nAlice")) >= 0);
        reply->close();
        QSettings s(Profile(m_profileDir).settingsPath(), QSettings::IniFormat);
        s.remove(QStringLiteral("signatures"));
    }

    void draftsSaveLocallyAndReopen()
    {
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        store::MailStore st(Profile(m_profileDir).databasePath());
        ComposerWindow *c = w.openComposer(-1);
        c->toEdit()->setText(QStringLiteral("bob@example.org, half-typed"));
        c->subjectEdit()->setText(QStringLiteral("unfinished"));
        c->bodyEdit()->setPlainText(QStringLiteral("to be continued"));
        QVERIFY(c->isDirty());
        QVERIFY(c->saveDraft(true)); // what Ctrl+S does
        QVERIFY(c->draftId() > 0);
        QVERIFY(!c->isDirty());
        {
            store::Statement q = st.db().prepare("SELECT state, draft_dirty FROM outbox WHERE id=?");
            q.bind(1, c->draftId());
            QVERIFY(q.step());
            QCOMPARE(q.text(0), QStringLiteral("draft"));
            QCOMPARE(q.integer(1), 1); // waits for the server (we are offline)
        }
        for (const compose::OutboxEntry &e : compose::Outbox(st).entries(m_account))
            QVERIFY(e.subject != QLatin1String("unfinished")); // a draft is never sent by itself
        c->close();

        // A draft on the server (in Drafts) continues in the composer, flowed text rejoined.
        auto drafts = st.mailboxByRole(m_account, QStringLiteral("\\Drafts"));
        compose::OutgoingMessage d;
        d.fromAddress = QStringLiteral("alice@example.org");
        d.to = {QStringLiteral("Carol <carol@example.org>")};
        d.bcc = {QStringLiteral("dave@example.org")};
        d.subject = QStringLiteral("draft on the server");
        QString longLine;
        for (int i = 0; i < 40; ++i) longLine += QStringLiteral("word%1 ").arg(i);
        d.body = longLine.trimmed();
        compose::BuiltMessage built = compose::buildMessage(d, QString(), true);
        MessageRecord rec;
        rec.uid = 42;
        rec.subject = d.subject;
        store::Transaction tx(st.db());
        st.insertMessages(drafts->id, 1, {rec});
        const int64_t id = st.db().lastInsertId();
        st.storeBody(id, built.raw);
        tx.commit();
        ComposerWindow *again = w.openDraft(id);
        QVERIFY(again);
        QCOMPARE(again->toEdit()->text(), QStringLiteral("Carol <carol@example.org>"));
        QCOMPARE(again->bccEdit()->text(), QStringLiteral("dave@example.org"));
        QCOMPARE(again->subjectEdit()->text(), QStringLiteral("draft on the server"));
        QCOMPARE(again->bodyEdit()->toPlainText().trimmed(), longLine.trimmed());
        again->close();
    }

    void outboxFolderShowsWaitingAndFailedMessages()
    {
        // The previous test left one message queued (the SMTP server is unreachable).
        store::MailStore st(Profile(m_profileDir).databasePath());
        auto entries = compose::Outbox(st).entries(m_account);
        QCOMPARE(entries.size(), size_t(1));
        store::Statement q = st.db().prepare("UPDATE outbox SET state='failed', error='550 no such user' WHERE id=?");
        q.bind(1, entries[0].id).exec();

        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QModelIndex outbox = w.folderModel()->outboxFor(m_account);
        QVERIFY(outbox.isValid());
        QCOMPARE(outbox.data().toString(), QStringLiteral("Outbox (1)"));
        w.folderView()->setCurrentIndex(outbox);
        QTRY_VERIFY(w.outboxPane()->isVisible());
        QTreeWidget *rows = w.outboxPane()->list();
        QCOMPARE(rows->topLevelItemCount(), 1);
        QCOMPARE(rows->topLevelItem(0)->text(0), QStringLiteral("Refused by the server"));
        QCOMPARE(rows->topLevelItem(0)->text(3), QStringLiteral("550 no such user"));
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/outbox.png"));
        rows->topLevelItem(0)->setSelected(true);
        w.outboxPane()->retrySelected();
        QCOMPARE(compose::Outbox(st).entries(m_account)[0].state, QStringLiteral("queued"));
        QCOMPARE(rows->topLevelItem(0)->text(0), QStringLiteral("Waiting to be sent"));
    }

    void allInboxesListsEveryAccount()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("two-accounts"));
        Profile p(dir);
        p.ensureExists(nullptr);
        {
            store::MailStore st(p.databasePath());
            for (int n = 0; n < 2; ++n) {
                AccountConfig a;
                a.name = n ? QStringLiteral("Home") : QStringLiteral("Work");
                a.email = a.name.toLower() + QStringLiteral("@example.org");
                a.protocol = n ? QStringLiteral("pop3") : QStringLiteral("imap");
                a.incoming = {QStringLiteral("127.0.0.1"), 1, Security::Tls};
                a.username = a.name;
                const int64_t id = st.addAccount(a);
                if (!n) {
                    store::FolderUpdate in;
                    in.rawName = "INBOX";
                    in.specialUse = QStringLiteral("\\Inbox");
                    st.updateFolders(id, {in});
                }
                const int64_t inbox = st.mailboxByRole(id, QStringLiteral("\\Inbox"))->id;
                std::vector<MessageRecord> msgs;
                for (int i = 1; i <= 3; ++i) {
                    MessageRecord m;
                    m.uid = uint32_t(i);
                    m.date = 1700000000 + i * 100 + n * 10;
                    m.subject = QStringLiteral("%1 mail %2").arg(a.name).arg(i);
                    m.flags = i == 1 ? 0 : Flag::Seen;
                    msgs.push_back(m);
                }
                st.insertMessages(inbox, 1, msgs);
                st.recount(inbox);
            }
        }
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QModelIndex all = w.folderModel()->index(0, 0);
        QCOMPARE(all.data(SpecialUseRole).toString(), QStringLiteral("\\AllInboxes"));
        QCOMPARE(all.data().toString(), QStringLiteral("All Inboxes (2)")); // one unread in each
        w.folderView()->setCurrentIndex(all);
        MessageListModel *list = w.messageModel();
        QTRY_COMPARE(list->rowCount(), 6);
        QCOMPARE(list->index(0, MessageListModel::SubjectColumn).data().toString(), QStringLiteral("Home mail 3")); // newest first, merged
        QCOMPARE(list->index(1, MessageListModel::SubjectColumn).data().toString(), QStringLiteral("Work mail 3"));
        // Marking read from the unified list updates the right account and the unified count.
        int row = -1;
        for (int r = 0; r < 6; ++r)
            if (list->index(r, MessageListModel::SubjectColumn).data().toString() == QLatin1String("Work mail 1")) row = r;
        w.messageListView()->setCurrentIndex(list->index(row, MessageListModel::SubjectColumn));
        QTest::keyClick(w.messageListView(), Qt::Key_R);
        QTRY_COMPARE(w.folderModel()->index(0, 0).data().toString(), QStringLiteral("All Inboxes (1)"));
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/all-inboxes.png"));
        store::MailStore st(p.databasePath());
        QCOMPARE(st.pendingOps(st.accountByName(QStringLiteral("Work"))->id).size(), size_t(1));
    }

    void sortingAndModelConsistency()
    {
        MainWindow w(Profile(m_profileDir), true);
        MessageListModel *list = w.messageModel();
        QTRY_VERIFY(list->rowCount() > 0);
        QAbstractItemModelTester tester(list, QAbstractItemModelTester::FailureReportingMode::QtTest);
        list->sort(MessageListModel::SubjectColumn, Qt::AscendingOrder);
        QCOMPARE(list->index(0, MessageListModel::SubjectColumn).data().toString(), QStringLiteral("Message number 1"));
        list->sort(MessageListModel::DateColumn, Qt::DescendingOrder);
        QCOMPARE(list->index(0, MessageListModel::SubjectColumn).data().toString(), QStringLiteral("Message number 3000"));
        list->sort(MessageListModel::SizeColumn, Qt::AscendingOrder);
        QCOMPARE(list->index(0, MessageListModel::SizeColumn).data().toString(), QStringLiteral("1001 B"));
    }

    // File → Settings…: never mark read, remote images from known senders, start offline.
    void settingsChangeReadingAndRemoteContent()
    {
        Profile p(m_profileDir);
        {
            store::MailStore st(p.databasePath());
            ops::setFlags(st, {st.messages(m_inbox, 1)[0].id}, Flag::Seen, false);
        }
        {
            MainWindow w(p, true);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            SettingsDialog *dlg = w.editSettings();
            QVERIFY(dlg->markReadBox()->isChecked()); // 50 ms in this profile
            QCOMPARE(dlg->remoteContentBox()->currentData().toString(), QStringLiteral("ask"));
            dlg->markReadBox()->setChecked(false);
            dlg->remoteContentBox()->setCurrentIndex(dlg->remoteContentBox()->findData(QStringLiteral("known")));
            dlg->startOfflineBox()->setChecked(true);
            dlg->richTextBox()->setChecked(true);
            if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
                dlg->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/settings.png"));
            dlg->accept();

            // Unknown sender: blocked, with "Always from" offered.
            MessageListModel *list = w.messageModel();
            QTRY_VERIFY(list->rowCount() > 2900);
            w.messageListView()->setCurrentIndex(list->index(0, MessageListModel::SubjectColumn));
            QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Hello reader")));
            QVERIFY(w.messageView()->remoteContentBlocked());
            QVERIFY(w.messageView()->allowSenderButton()->isVisibleTo(w.messageView()));
            QVERIFY(w.messageView()->allowSenderButton()->text().contains(QLatin1String("s3000@example.org")));
            // Never marked read now.
            QTest::qWait(300);
            QVERIFY(list->index(0, 0).data(IsUnreadRole).toBool());

            // Someone the user wrote to: loaded at once.
            {
                store::MailStore st(p.databasePath());
                MessageRecord sent;
                sent.uid = 1;
                sent.fromAddr = QStringLiteral("alice@example.org");
                sent.to = QStringLiteral("Jacob <jacob3000@example.org>, S <s3000@example.org>");
                sent.subject = QStringLiteral("hello");
                st.insertMessages(st.mailboxByRole(m_account, QStringLiteral("\\Sent"))->id, 1, {sent});
                QVERIFY(st.hasWrittenTo(QStringLiteral("S3000@example.org")));
                QVERIFY(!st.hasWrittenTo(QStringLiteral("3000@example.org")));
                QVERIFY(!st.hasWrittenTo(QStringLiteral("%@example.org")));
            }
            w.messageListView()->setCurrentIndex(list->index(1, MessageListModel::SubjectColumn));
            QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Plain body")));
            w.messageListView()->setCurrentIndex(list->index(0, MessageListModel::SubjectColumn));
            QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Hello reader")));
            QVERIFY(!w.messageView()->remoteContentBlocked());
            QVERIFY(list->index(0, 0).data(IsUnreadRole).toBool());
        }
        QSettings s(p.settingsPath(), QSettings::IniFormat);
        QCOMPARE(s.value(QStringLiteral("general/markReadDelayMs")).toInt(), -1);
        QCOMPARE(s.value(QStringLiteral("privacy/remoteContent")).toString(), QStringLiteral("known"));
        QCOMPARE(s.value(QStringLiteral("compose/richText")).toBool(), true);
        {
            // Starts offline by itself now, even when not asked on the command line.
            MainWindow w(p, false);
            QVERIFY(w.statusText().contains(QLatin1String("offline"), Qt::CaseInsensitive));
            QTest::qWait(50);
            QVERIFY(w.accounts()->workOffline());
        }
        // "Never": blocked without a button.
        s.setValue(QStringLiteral("privacy/remoteContent"), QStringLiteral("never"));
        s.sync();
        {
            MainWindow w(p, true);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QTRY_VERIFY(w.messageModel()->rowCount() > 2900);
            w.messageListView()->setCurrentIndex(w.messageModel()->index(0, MessageListModel::SubjectColumn));
            QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Hello reader")));
            QVERIFY(w.messageView()->remoteContentBlocked());
            QVERIFY(!w.messageView()->remoteButton()->isVisibleTo(w.messageView()));
            QVERIFY(!w.messageView()->allowSenderButton()->isVisibleTo(w.messageView()));
        }
        s.setValue(QStringLiteral("general/markReadDelayMs"), 50);
        s.setValue(QStringLiteral("privacy/remoteContent"), QStringLiteral("ask"));
        s.setValue(QStringLiteral("general/startOffline"), false);
        s.setValue(QStringLiteral("compose/richText"), false);
    }

    // Account Settings: another folder chosen for deleted messages is used
    // (and shown with the Trash role); back to automatic, the server's is.
    void chosenTrashFolderIsUsed()
    {
        Profile p(m_profileDir);
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        AccountDialog *dlg = w.editAccount(m_account);
        QVERIFY(dlg);
        QComboBox *trash = dlg->folderBox(QStringLiteral("\\Trash"));
        QVERIFY(trash);
        QCOMPARE(trash->currentText(), QStringLiteral("Automatic (Trash)"));
        trash->setCurrentIndex(trash->findData(QStringLiteral("Projects/Heron")));
        // The account's identities are edited from here too.
        dlg->findChild<QPushButton *>(QStringLiteral("identitiesButton"))->click();
        QDialog *identities = nullptr;
        QTRY_VERIFY((identities = w.findChild<QDialog *>(QStringLiteral("identitiesDialog"))) != nullptr && identities->isVisible());
        identities->close();
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            dlg->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/account-folders.png"));
        dlg->accept();
        store::MailStore st(p.databasePath());
        const int64_t heron = st.mailboxByName(m_account, QStringLiteral("Projects/Heron"))->id;
        QCOMPARE(st.mailboxByRole(m_account, QStringLiteral("\\Trash"))->id, heron);
        QTRY_COMPARE(w.folderModel()->indexForMailbox(heron).data(SpecialUseRole).toString(), QStringLiteral("\\Trash"));
        QVERIFY(w.folderModel()->indexForMailbox(m_trash).data(SpecialUseRole).toString().isEmpty());

        QVERIFY(w.selectMailbox(m_inbox));
        QTRY_VERIFY(w.messageModel()->rowCount() > 100);
        w.messageListView()->setCurrentIndex(w.messageModel()->index(50, MessageListModel::SubjectColumn));
        w.messageListView()->setFocus();
        const int before = w.messageModel()->rowCount();
        QTest::keyClick(w.messageListView(), Qt::Key_Delete);
        QTRY_COMPARE(w.messageModel()->rowCount(), before - 1);
        // Queued for the server as a move into the chosen folder.
        QCOMPARE(st.pendingOps(m_account).back().kind, QStringLiteral("move"));
        QCOMPARE(st.pendingOps(m_account).back().arg, QStringLiteral("Projects/Heron"));

        // The chosen folder disappears (or the user picks automatic): the server's Trash again.
        st.setFolderRoleChoice(m_account, QStringLiteral("\\Trash"), QString());
        QCOMPARE(st.mailboxByRole(m_account, QStringLiteral("\\Trash"))->id, m_trash);
        st.setFolderRoleChoice(m_account, QStringLiteral("\\Trash"), QStringLiteral("Gone"));
        QCOMPARE(st.mailboxByRole(m_account, QStringLiteral("\\Trash"))->id, m_trash);
        st.setFolderRoleChoice(m_account, QStringLiteral("\\Trash"), QString());
    }

    // Account Settings: what is kept offline (with the disk it takes now),
    // and the largest message; saving other settings keeps both as they were.
    void offlineSettings()
    {
        Profile p(m_profileDir);
        int64_t kept = 0;
        {
            store::MailStore st(p.databasePath());
            AccountConfig a = *st.account(m_account);
            a.maxMessageMB = 250;
            st.updateAccount(a);
            kept = st.offlineUsage(m_account).first;
            int stored = 0;
            for (const MessageRecord &m : st.messages(m_inbox, 50, 100)) {
                if (st.hasBody(m.id) || stored == 2) continue;
                st.storeBody(m.id, "From: x@example.org\r\nSubject: s\r\n\r\n" + QByteArray(1000, 'a') + "\r\n");
                ++stored;
            }
            kept += stored;
        }
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        AccountDialog *dlg = w.editAccount(m_account);
        QVERIFY(dlg);
        QCOMPARE(dlg->offlineBox()->currentData().toInt(), 1); // "the last…"
        QCOMPARE(dlg->offlineDaysBox()->value(), 90);
        QVERIFY(dlg->offlineDaysBox()->isVisibleTo(dlg));
        QCOMPARE(dlg->findChild<QSpinBox *>(QStringLiteral("maxMessageSize"))->value(), 250);
        // Counted on a pool thread: the label appears once it is known.
        QTRY_VERIFY(dlg->offlineUsageLabel()->isVisibleTo(dlg));
        QVERIFY2(dlg->offlineUsageLabel()->text().startsWith(QStringLiteral("%1 messages kept").arg(kept)),
                 qPrintable(dlg->offlineUsageLabel()->text()));
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            dlg->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/account-offline.png"));
        dlg->accept(); // nothing changed
        {
            store::MailStore st(p.databasePath());
            QCOMPARE(st.account(m_account)->maxMessageMB, 250);
            QCOMPARE(st.account(m_account)->offlineDays, 90);
        }
        dlg = w.editAccount(m_account);
        dlg->offlineBox()->setCurrentIndex(dlg->offlineBox()->findData(0)); // headers only
        QVERIFY(!dlg->offlineDaysBox()->isVisibleTo(dlg));
        dlg->accept();
        store::MailStore st(p.databasePath());
        QCOMPARE(st.account(m_account)->offlineDays, 0);
        AccountConfig a = *st.account(m_account);
        a.offlineDays = 90;
        a.maxMessageMB = 100;
        st.updateAccount(a);
    }

    // A folder keeps its own offline choice over its account's.
    void folderOfflineChoice()
    {
        Profile p(m_profileDir);
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.selectMailbox(m_inbox));
        QMenu menu;
        w.populateFolderOfflineMenu(&menu);
        QStringList texts;
        QAction *headers = nullptr, *inherit = nullptr;
        for (QAction *a : menu.actions()) {
            texts << a->text();
            if (a->text() == QLatin1String("Headers Only")) headers = a;
            if (a->text().startsWith(QLatin1String("As the Account"))) inherit = a;
        }
        QVERIFY2(inherit && inherit->isChecked(), qPrintable(texts.join(QLatin1Char('|'))));
        QCOMPARE(inherit->text(), QStringLiteral("As the Account (The Last 90 Days)"));
        QVERIFY(headers && !headers->isChecked());
        headers->trigger();
        store::MailStore st(p.databasePath());
        QCOMPARE(st.mailboxOfflineDays(m_inbox), 0);
        QCOMPARE(st.effectiveOfflineDays(m_inbox), 0);
        QVERIFY(w.statusText().contains(QLatin1String("headers only")));
        w.populateFolderOfflineMenu(&menu);
        for (QAction *a : menu.actions())
            if (a->text() == QLatin1String("Headers Only")) QVERIFY(a->isChecked());
        st.setMailboxOfflineDays(m_inbox, store::MailStore::kInheritOffline);
    }

    // A (Archive) and J (Junk): to the account's folder for the role, created
    // once when the server has none; Shift+J in Junk sends it back to the Inbox.
    void archiveAndJunkKeys()
    {
        Profile p(m_profileDir);
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.selectMailbox(m_inbox));
        MessageListModel *list = w.messageModel();
        QTRY_VERIFY(list->rowCount() > 100);
        store::MailStore st(p.databasePath());
        QVERIFY(!st.mailboxByRole(m_account, QStringLiteral("\\Archive")));
        auto press = [&](int row, QKeySequence key) {
            w.messageListView()->setCurrentIndex(list->index(row, MessageListModel::SubjectColumn));
            w.messageListView()->setFocus();
            const int before = list->rowCount();
            QTest::keySequence(w.messageListView(), key);
            QTRY_COMPARE(list->rowCount(), before - 1);
        };
        press(10, QKeySequence(Qt::Key_A));
        press(10, QKeySequence(Qt::Key_A));
        auto archive = st.mailboxByRole(m_account, QStringLiteral("\\Archive"));
        QVERIFY(archive);
        QCOMPARE(archive->name, QStringLiteral("Archive"));
        QCOMPARE(w.folderModel()->indexForMailbox(archive->id).data(SpecialUseRole).toString(), QStringLiteral("\\Archive"));
        auto ops = st.pendingOps(m_account);
        QCOMPARE(std::count_if(ops.begin(), ops.end(), [](const store::PendingOp &o) { return o.kind == QLatin1String("create"); }), 1);
        QCOMPARE(ops.back().kind, QStringLiteral("move"));
        QCOMPARE(ops.back().arg, QStringLiteral("Archive"));
        QVERIFY(w.statusText().contains(QLatin1String("moved to Archive")));

        press(10, QKeySequence(Qt::Key_J));
        auto junk = st.mailboxByRole(m_account, QStringLiteral("\\Junk"));
        QVERIFY(junk);
        QCOMPARE(st.pendingOps(m_account).back().arg, QStringLiteral("Junk"));
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/archive-junk.png"));

        // In Junk (a message synced there): "Not Junk" goes back to the Inbox.
        MessageRecord spam;
        spam.uid = 1;
        spam.fromAddr = QStringLiteral("friend@example.org");
        spam.subject = QStringLiteral("not spam at all");
        st.insertMessages(junk->id, 1, {spam});
        QVERIFY(w.selectMailbox(junk->id));
        QTRY_COMPARE(list->rowCount(), 1);
        press(0, QKeySequence(QStringLiteral("Shift+J")));
        QCOMPARE(st.pendingOps(m_account).back().arg, QStringLiteral("INBOX"));
        QVERIFY(w.selectMailbox(m_inbox));
    }

    // The filter also finds words in the text of downloaded messages (offline
    // here), at once: the full-text index has them, nothing is decoded when searching.
    void filterSearchesTheTextOfDownloadedMessages()
    {
        {
            // A downloaded message whose text is base64: found by what it says, not by its encoding.
            store::MailStore st(Profile(m_profileDir).databasePath());
            const auto some = st.messages(m_inbox, 1, 20);
            st.storeBody(some[0].id, "From: b@example.org\r\nSubject: encoded\r\nMIME-Version: 1.0\r\n"
                                     "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                                         QStringLiteral("Das Frühstück ist fertig.").toUtf8().toBase64() + "\r\n");
        }
        MainWindow w(Profile(m_profileDir), true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.selectMailbox(m_inbox));
        QTRY_VERIFY(w.messageModel()->rowCount() > 100);
        QSignalSpy done(&w, &MainWindow::textSearchFinished);
        w.filterEdit()->setText(QStringLiteral("example.org/link")); // only in a body
        // From the index, once the window's start has brought it up to date
        // (the bodies were stored behind its back, by this test).
        QTRY_COMPARE(w.messageModel()->rowCount(), 1);
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(w.messageModel()->rowCount(), 1);
        QVERIFY(w.messageModel()->index(0, MessageListModel::SubjectColumn).data().toString().startsWith(QLatin1String("Message number")));
        QVERIFY2(w.statusText().contains(QLatin1String("downloaded messages")), qPrintable(w.statusText()));
        w.filterEdit()->setText(QStringLiteral("frühstück"));
        QCOMPARE(w.messageModel()->rowCount(), 1);
        w.filterEdit()->setText(QStringLiteral("fruhstuck")); // without the accents too
        QCOMPARE(w.messageModel()->rowCount(), 1);
        w.filterEdit()->setText(QStringLiteral("frühstück -subject:number"));
        QCOMPARE(w.messageModel()->rowCount(), 0);
        w.filterEdit()->setText(QStringLiteral("frühstück"));
        QTRY_COMPARE(done.size(), 2);
        QCOMPARE(w.messageModel()->rowCount(), 1);
        w.filterEdit()->setText(QStringLiteral("example.org/link"));
        QTRY_COMPARE(done.size(), 3);
        QCOMPARE(w.messageModel()->rowCount(), 1);

        // Its source (Ctrl+U) and Save As… give the bytes as received.
        w.messageListView()->setCurrentIndex(w.messageModel()->index(0, MessageListModel::SubjectColumn));
        QTRY_VERIFY(w.messageView()->bodyText().contains(QLatin1String("Plain body")));
        QDialog *source = w.showSource();
        QVERIFY(source);
        QVERIFY(source->findChild<QPlainTextEdit *>()->toPlainText().contains(QLatin1String("Subject: plain")));
        source->close();
        const QString file = m_tmp.filePath(QStringLiteral("saved.eml"));
        QVERIFY(w.saveMessageAs(file));
        QFile saved(file);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        store::MailStore st(Profile(m_profileDir).databasePath());
        QCOMPARE(saved.readAll(), *st.body(w.messageView()->currentMessageId()));
        w.filterEdit()->clear();
    }

    // "Unread" and "Flagged" toggles, Mark Folder as Read, Empty Trash.
    void unreadFlaggedToggleMarkAllAndEmptyTrash()
    {
        Profile p(m_profileDir);
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.selectMailbox(m_inbox));
        MessageListModel *list = w.messageModel();
        QTRY_VERIFY(list->rowCount() > 100);
        store::MailStore st(p.databasePath());
        const int unread = int(st.messageIds(m_inbox, true).size());
        QVERIFY(unread > 10);
        auto *unreadOnly = w.findChild<QToolButton *>(QStringLiteral("unreadOnlyButton"));
        unreadOnly->click();
        QCOMPARE(list->rowCount(), unread);
        // The one being read stays listed once read (no jumping); others that are read go.
        w.messageListView()->setCurrentIndex(list->index(3, MessageListModel::SubjectColumn));
        const qint64 reading = list->messageId(3), other = list->messageId(5);
        ops::setFlags(st, {reading, other}, Flag::Seen, true);
        list->refresh();
        QCOMPARE(list->rowOf(reading), 3);
        QCOMPARE(list->rowOf(other), -1);
        QCOMPARE(list->rowCount(), unread - 1);
        unreadOnly->click();
        QVERIFY(list->rowCount() > unread);

        // N: the next unread message below the current one.
        w.messageListView()->setCurrentIndex(list->index(0, MessageListModel::SubjectColumn));
        w.messageListView()->setFocus();
        QTest::keyClick(w.messageListView(), Qt::Key_N);
        const int at = w.messageListView()->currentIndex().row();
        QVERIFY(at > 0);
        QVERIFY(list->index(at, 0).data(IsUnreadRole).toBool());
        for (int r = 1; r < at; ++r) QVERIFY(!list->index(r, 0).data(IsUnreadRole).toBool());

        w.findChild<QToolButton *>(QStringLiteral("flaggedOnlyButton"))->click();
        {
            auto q = st.db().prepare("SELECT COUNT(*) FROM messages WHERE mailbox_id=? AND (flags & 4)<>0");
            q.bind(1, m_inbox);
            QVERIFY(q.step());
            QCOMPARE(list->rowCount(), int(q.int64(0)));
        } // (a statement left open would keep this connection on an old snapshot)
        w.findChild<QToolButton *>(QStringLiteral("flaggedOnlyButton"))->click();

        // Mark Folder as Read: all of them, one queued change for the server.
        const size_t opsBefore = st.pendingOps(m_account).size();
        QAction *markAll = nullptr, *empty = nullptr;
        for (QAction *a : w.folderView()->actions()) {
            if (a->text() == QStringLiteral("Mark Folder as Read")) markAll = a;
            if (a->text() == QStringLiteral("Empty Trash…")) empty = a;
        }
        QVERIFY(markAll && empty);
        QVERIFY(!empty->isEnabled()); // not the Trash
        markAll->trigger();
        QVERIFY(st.messageIds(m_inbox, true).empty());
        QTRY_COMPARE(w.folderModel()->firstInbox().data(UnreadCountRole).toInt(), 0);
        QCOMPARE(st.pendingOps(m_account).size(), opsBefore + 1);
        QCOMPARE(st.pendingOps(m_account).back().kind, QStringLiteral("flags+"));

        // Empty Trash: after a confirmation, everything there goes for good.
        MessageRecord old;
        old.uid = 77;
        old.subject = QStringLiteral("old junk");
        st.insertMessages(m_trash, 1, {old});
        QVERIFY(w.selectMailbox(m_trash));
        QTRY_VERIFY(list->rowCount() >= 1);
        QVERIFY(empty->isEnabled());
        QTimer::singleShot(0, this, [] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (box) box->button(QMessageBox::Yes)->click();
        });
        empty->trigger();
        QVERIFY(st.messageIds(m_trash).empty());
        QCOMPARE(st.pendingOps(m_account).back().kind, QStringLiteral("expunge"));
        QCOMPARE(list->rowCount(), 0);
    }

    // Shift+O: the whole conversation, your reply in Sent included; a folder click goes back.
    void conversationAcrossFolders()
    {
        Profile p(m_profileDir);
        const QString tag = QStringLiteral("conv%1").arg(QDateTime::currentMSecsSinceEpoch());
        {
            store::MailStore st(p.databasePath());
            auto make = [&](uint32_t uid, const QString &id, const QString &inReplyTo, const QString &refs, const QString &subject) {
                MessageRecord m;
                m.uid = uid;
                m.date = 1800000000 + int64_t(uid);
                m.fromAddr = QStringLiteral("x@example.org");
                m.subject = subject;
                m.messageId = id;
                m.inReplyTo = inReplyTo;
                m.references = refs;
                return m;
            };
            const QString a = QStringLiteral("<a.%1@example.org>").arg(tag), b = QStringLiteral("<b.%1@example.org>").arg(tag);
            st.insertMessages(m_inbox, 1, {make(900001, a, QString(), QString(), QStringLiteral("Plan ") + tag),
                                           make(900003, QStringLiteral("<c.%1@example.org>").arg(tag), b, a + QLatin1Char(' ') + b,
                                                QStringLiteral("Re: Re: Plan ") + tag),
                                           make(900004, QStringLiteral("<z.%1@example.org>").arg(tag), QString(), QString(),
                                                QStringLiteral("Unrelated ") + tag)});
            st.insertMessages(st.mailboxByRole(m_account, QStringLiteral("\\Sent"))->id, 1,
                              {make(900002, b, a, a, QStringLiteral("Re: Plan ") + tag)});
        }
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.selectMailbox(m_inbox));
        MessageListModel *list = w.messageModel();
        w.filterEdit()->setText(QStringLiteral("Plan ") + tag);
        QTRY_COMPARE(list->rowCount(), 2); // the Inbox has two of the three
        for (int r = 0; r < list->rowCount(); ++r)
            if (list->index(r, MessageListModel::SubjectColumn).data().toString() == QStringLiteral("Plan ") + tag)
                w.messageListView()->setCurrentIndex(list->index(r, MessageListModel::SubjectColumn));
        w.filterEdit()->clear();
        QVERIFY(w.showConversation());
        QCOMPARE(list->rowCount(), 3);
        QStringList shown;
        for (int r = 0; r < 3; ++r) shown << list->index(r, MessageListModel::SubjectColumn).data().toString();
        QVERIFY(shown.contains(QStringLiteral("Re: Plan ") + tag)); // from Sent
        QVERIFY(!shown.contains(QStringLiteral("Unrelated ") + tag));
        QVERIFY(w.statusText().contains(QLatin1String("3 messages in 2 folders")));
        if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
            w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/conversation.png"));
        // Back: the Inbox again.
        w.folderView()->setCurrentIndex(w.folderModel()->indexForMailbox(m_inbox));
        QTRY_VERIFY(list->rowCount() > 100);
        QCOMPARE(list->mailbox(), m_inbox);
    }

    // View > Threads: conversations collapsed to their first message with
    // counts, newest conversation first, opened and closed with Right and
    // Left or a click on the arrow; N goes to the next unread message across
    // conversations, opening the one it is in; your reply from Sent is part
    // of the conversation; marking a collapsed conversation read marks all
    // of it; the choice survives a restart.
    void threadsView()
    {
        Profile p(m_profileDir);
        const int64_t sentBox = [&] { store::MailStore st(p.databasePath()); return st.mailboxByRole(m_account, QStringLiteral("\\Sent"))->id; }();
        std::map<QString, int64_t> id;
        {
            store::MailStore st(p.databasePath());
            auto add = [&](int64_t box, uint32_t uid, const char *key, const char *refs, int flags) {
                MessageRecord m;
                m.uid = uid;
                m.date = 1900000000 + int64_t(uid);
                m.fromAddr = QStringLiteral("%1@example.org").arg(QLatin1String(key));
                m.subject = QStringLiteral("thread %1").arg(QLatin1String(key));
                m.messageId = QStringLiteral("<%1.t@example.org>").arg(QLatin1String(key));
                for (const QString &r : QString::fromLatin1(refs).split(QLatin1Char(' '), Qt::SkipEmptyParts))
                    m.references += QStringLiteral("<%1.t@example.org> ").arg(r);
                m.flags = flags;
                st.insertMessages(box, 1, {m});
                id[QString::fromLatin1(key)] = st.idsForUids(box, {uid}).front();
            };
            // Conversation A: a, my reply b (in Sent), c answering b (unread).
            add(m_inbox, 910001, "a", "", Flag::Seen);
            add(sentBox, 910002, "b", "a", Flag::Seen);
            add(m_inbox, 910003, "c", "a b", 0);
            add(m_inbox, 910005, "z", "", Flag::Seen); // alone
            // Conversation X, the newest: x1 <- x2 (unread) <- x3, arriving out of order.
            add(m_inbox, 910012, "x3", "x1 x2", Flag::Seen);
            add(m_inbox, 910010, "x1", "", Flag::Seen);
            add(m_inbox, 910011, "x2", "x1", 0);
            while (threads::assignPending(st, 1000) > 0) {} // as the account worker does after a sync
        }
        {
            MainWindow w(p, true);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(&w)); // its shortcuts (N, R) answer
            QVERIFY(w.selectMailbox(m_inbox));
            MessageListModel *list = w.messageModel();
            QAbstractItemModelTester tester(list, QAbstractItemModelTester::FailureReportingMode::QtTest);
            QTreeView *view = w.messageListView();
            auto *threadsAction = w.findChild<QAction *>(QStringLiteral("threadsAction"));
            QVERIFY(threadsAction);
            QVERIFY(!threadsAction->isChecked());
            QTRY_VERIFY(list->rowCount() > 3000);
            const int flat = list->rowCount();
            threadsAction->trigger();
            QVERIFY(list->threaded());
            const int collapsed = list->rowCount();
            QVERIFY(collapsed <= flat - 3);
            for (const char *k : {"x2", "x3", "c"}) QCOMPARE(list->rowOf(id[QString::fromLatin1(k)]), -1); // inside their conversations
            auto subject = [&](int r) { return list->index(r, MessageListModel::SubjectColumn).data().toString(); };
            auto state = [&](int r) { return MessageListModel::ThreadState(list->index(r, 0).data(ThreadStateRole).toInt()); };
            auto depth = [&](int r) { return list->index(r, 0).data(ThreadDepthRole).toInt(); };
            using State = MessageListModel::ThreadState;
            QCOMPARE(subject(0), QStringLiteral("thread x1")); // the newest conversation, shown by its first message
            QCOMPARE(state(0), State::Collapsed);
            QCOMPARE(list->index(0, 0).data(ThreadSizeRole).toInt(), 3);
            QCOMPARE(list->index(0, 0).data(ThreadUnreadRole).toInt(), 1);
            QVERIFY(list->index(0, MessageListModel::SubjectColumn).data(Qt::FontRole).value<QFont>().bold()); // unread inside
            QCOMPARE(list->index(0, MessageListModel::DateColumn).data(Qt::ToolTipRole).toString(),
                     QStringLiteral("Newest message: ") + QLocale().toString(QDateTime::fromSecsSinceEpoch(1900910012), QLocale::LongFormat));
            QVERIFY(list->index(0, MessageListModel::SubjectColumn).data(Qt::AccessibleTextRole).toString().contains(QLatin1String("3 messages")));
            QCOMPARE(subject(1), QStringLiteral("thread z"));
            QCOMPARE(state(1), State::None);
            QCOMPARE(subject(2), QStringLiteral("thread a"));
            QCOMPARE(list->index(2, 0).data(ThreadSizeRole).toInt(), 3); // with my reply from Sent
            if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
                w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/threads-collapsed.png"));

            // Right opens, Left (from any of its messages) closes.
            view->setFocus();
            view->setCurrentIndex(list->index(0, MessageListModel::SubjectColumn));
            QTest::keyClick(view, Qt::Key_Right);
            QCOMPARE(list->rowCount(), collapsed + 2);
            QCOMPARE(subject(1), QStringLiteral("thread x2"));
            QCOMPARE(subject(2), QStringLiteral("thread x3"));
            QCOMPARE(depth(1), 1);
            QCOMPARE(depth(2), 2);
            QCOMPARE(state(0), State::Expanded);
            QCOMPARE(state(2), State::Member);
            view->setCurrentIndex(list->index(2, MessageListModel::SubjectColumn));
            QTest::keyClick(view, Qt::Key_Left);
            QCOMPARE(list->rowCount(), collapsed);
            QCOMPARE(view->currentIndex().row(), 0);
            QCOMPARE(state(0), State::Collapsed);

            // A click on the arrow opens it too.
            const QRect cell = view->visualRect(list->index(0, MessageListModel::SubjectColumn));
            QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(cell.left() + 7, cell.center().y()));
            QTRY_COMPARE(state(0), State::Expanded);
            QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(cell.left() + 7, cell.center().y()));
            QTRY_COMPARE(state(0), State::Collapsed);

            // N: into the collapsed conversation, then on to the next one.
            view->setCurrentIndex(list->index(0, MessageListModel::SubjectColumn));
            QTest::keyClick(view, Qt::Key_N);
            QCOMPARE(subject(view->currentIndex().row()), QStringLiteral("thread x2"));
            QTest::keyClick(view, Qt::Key_N);
            const int c = view->currentIndex().row();
            QCOMPARE(subject(c), QStringLiteral("thread c"));
            QCOMPARE(subject(c - 1), QStringLiteral("thread b")); // my reply, from Sent, in its place
            QCOMPARE(subject(c - 2), QStringLiteral("thread a"));
            QCOMPARE(depth(c), 2);
            QTRY_VERIFY(w.messageView()->currentMessageId() == id["c"]);
            if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
                w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/threads-expanded.png"));

            // Marking a collapsed conversation read marks all its messages
            // in this folder (x2 was read by opening it; mark x3 unread first).
            view->setCurrentIndex(list->index(0, MessageListModel::SubjectColumn));
            QTest::keyClick(view, Qt::Key_Left);
            store::MailStore st(p.databasePath());
            st.db().exec(("UPDATE messages SET flags=0 WHERE id IN (" + QByteArray::number(qlonglong(id["x2"])) + "," +
                          QByteArray::number(qlonglong(id["x3"])) + ")").constData());
            list->refresh();
            QTRY_COMPARE(list->index(0, 0).data(ThreadUnreadRole).toInt(), 2);
            view->setCurrentIndex(list->index(0, MessageListModel::SubjectColumn));
            QTest::keySequence(view, QKeySequence(Qt::Key_R));
            QTRY_COMPARE(list->index(0, 0).data(ThreadUnreadRole).toInt(), 0);
            for (const char *k : {"x1", "x2", "x3"}) QVERIFY(st.message(id[QString::fromLatin1(k)])->flags & Flag::Seen);

            // An open conversation stays open across a refresh (a sync).
            int a = list->rowOf(id["a"]);
            list->setExpanded(a, true);
            QCOMPARE(state(a), State::Expanded);
            list->refresh();
            a = list->rowOf(id["a"]);
            QCOMPARE(state(a), State::Expanded);
            // Selecting a range that includes my reply from Sent acts on
            // this folder's messages only; the reply alone is itself.
            const int b = list->rowOf(id["b"]);
            QCOMPARE(b, a + 1);
            QVERIFY(list->idsForRow(b, false).empty());
            QCOMPARE(list->idsForRow(b, true), std::vector<int64_t>{id["b"]});
            QCOMPARE(list->idsForRow(a, false), std::vector<int64_t>{id["a"]});
            // N with nothing unread but the current message stays put and says so.
            st.db().exec("UPDATE messages SET flags=flags|1");
            st.db().exec(("UPDATE messages SET flags=0 WHERE id=" + QByteArray::number(qlonglong(id["z"]))).constData());
            list->refresh();
            view->setCurrentIndex(list->index(list->rowOf(id["z"]), MessageListModel::SubjectColumn));
            QCOMPARE(list->nextUnreadRow(list->rowOf(id["z"])), -1);

            // Shift+O on a threaded list: the whole conversation, open, the
            // message at hand current.
            view->setCurrentIndex(list->index(list->rowOf(id["c"]), MessageListModel::SubjectColumn));
            QVERIFY(w.showConversation());
            QCOMPARE(list->rowCount(), 3);
            QCOMPARE(view->currentIndex().row(), list->rowOf(id["c"]));
            QCOMPARE(state(0), State::Expanded);

            // Drafts lists its drafts, not the conversations' messages from Sent.
            store::MailStore st2(p.databasePath());
            const int64_t drafts = st2.mailboxByRole(m_account, QStringLiteral("\\Drafts"))->id;
            MessageRecord d;
            d.uid = 910100;
            d.date = 1900910100;
            d.subject = QStringLiteral("thread draft");
            d.messageId = QStringLiteral("<draft.t@example.org>");
            d.references = QStringLiteral("<a.t@example.org> <b.t@example.org>");
            st2.insertMessages(drafts, 1, {d});
            while (threads::assignPending(st2, 1000) > 0) {}
            QVERIFY(w.selectMailbox(drafts));
            QTRY_VERIFY(list->rowOf(st2.idsForUids(drafts, {910100}).front()) >= 0);
            QCOMPARE(list->rowOf(id["b"]), -1);
            QCOMPARE(list->rowOf(id["a"]), -1);
        }
        {
            // Still threaded after a restart; then back to the plain list.
            MainWindow w(p, true);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QVERIFY(w.selectMailbox(m_inbox));
            QVERIFY(w.messageModel()->threaded());
            auto *threadsAction = w.findChild<QAction *>(QStringLiteral("threadsAction"));
            QVERIFY(threadsAction->isChecked());
            threadsAction->trigger();
            QVERIFY(!w.messageModel()->threaded());
        }
    }

    // "All Mail" searches every folder (with a Folder column saying where);
    // a search saved from the filter becomes a folder under Saved Searches,
    // kept across restarts, narrowed by the filter, deleted from its menu.
    void searchAllMailAndSavedSearches()
    {
        Profile p(m_profileDir);
        int64_t other = 0;
        {
            store::MailStore st(p.databasePath());
            const int64_t heron = st.mailboxByName(m_account, QStringLiteral("Projects/Heron"))->id;
            MessageRecord m;
            m.uid = 9001;
            m.date = 2000000000;
            m.fromAddr = QStringLiteral("pm@example.org");
            m.subject = QStringLiteral("another needle, in Projects");
            st.insertMessages(heron, 1, {m});
            other = st.idsForUids(heron, {9001}).front();
        }
        {
            MainWindow w(p, true);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QVERIFY(w.selectMailbox(m_inbox));
            QTRY_VERIFY(w.messageModel()->rowCount() > 100);
            w.filterEdit()->setText(QStringLiteral("needle"));
            QTRY_COMPARE(w.messageModel()->rowCount(), 1); // this folder
            QVERIFY(w.messageListView()->isColumnHidden(MessageListModel::FolderColumn));
            w.searchScopeBox()->setCurrentIndex(1);    // All Mail
            QTRY_COMPARE(w.messageModel()->rowCount(), 2); // the new one is indexed at the window's start
            QVERIFY(!w.messageListView()->isColumnHidden(MessageListModel::FolderColumn));
            QStringList where;
            for (int r = 0; r < 2; ++r) where << w.messageModel()->index(r, MessageListModel::FolderColumn).data().toString();
            where.sort();
            QCOMPARE(where, (QStringList{QStringLiteral("Demo › Inbox"), QStringLiteral("Demo › Projects/Heron")}));
            if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
                w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/search-all-mail.png"));
            // Back to "This Folder": the folder's hits only.
            w.searchScopeBox()->setCurrentIndex(0);
            QCOMPARE(w.messageModel()->rowCount(), 1);
            w.searchScopeBox()->setCurrentIndex(1);
            QVERIFY(w.saveCurrentSearch(QStringLiteral("Needles")));
            QVERIFY(w.filterEdit()->text().isEmpty());
            QCOMPARE(w.searchScopeBox()->currentIndex(), 0);
            QCOMPARE(w.folderView()->currentIndex().data(SpecialUseRole).toString(), QStringLiteral("\\SavedSearch"));
            QCOMPARE(w.messageModel()->rowCount(), 2);
            QVERIFY(!w.messageListView()->isColumnHidden(MessageListModel::FolderColumn));
            w.filterEdit()->setText(QStringLiteral("projects")); // narrows the saved search
            QCOMPARE(w.messageModel()->rowCount(), 1);
            w.filterEdit()->clear();
            QCOMPARE(w.messageModel()->rowCount(), 2);
            if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR"))
                w.grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QStringLiteral("/saved-search.png"));
            QVERIFY(w.selectMailbox(m_inbox));
            QTRY_VERIFY(w.messageModel()->rowCount() > 100);
            QVERIFY(w.messageListView()->isColumnHidden(MessageListModel::FolderColumn));
        }
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QModelIndex saved;
        for (int r = 0; r < w.folderModel()->rowCount(); ++r) {
            const QModelIndex top = w.folderModel()->index(r, 0);
            if (top.data(SpecialUseRole).toString() == QLatin1String("\\SavedSearches")) saved = w.folderModel()->index(0, 0, top);
        }
        QVERIFY(saved.isValid());
        QCOMPARE(saved.data().toString(), QStringLiteral("Needles"));
        w.folderView()->setCurrentIndex(saved);
        QCOMPARE(w.messageModel()->rowCount(), 2);
        QAction *del = nullptr;
        for (QAction *a : w.folderView()->actions())
            if (a->text() == QLatin1String("Delete Saved Search")) del = a;
        QVERIFY(del && del->isVisible());
        del->trigger();
        for (int r = 0; r < w.folderModel()->rowCount(); ++r)
            QVERIFY(w.folderModel()->index(r, 0).data(SpecialUseRole).toString() != QLatin1String("\\SavedSearches"));
        store::MailStore st(p.databasePath());
        QVERIFY(st.savedSearches().empty());
        st.deleteMessage(other);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
