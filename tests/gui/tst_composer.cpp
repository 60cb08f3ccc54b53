// The composer in the real main window, offscreen: rich text as it is sent
// and saved as a draft, identities chosen by the user or for a reply.
#include "BodyEditor.h"
#include "ComposerWindow.h"
#include "IdentitiesDialog.h"
#include "MainWindow.h"
#include "MessageListModel.h"
#include "MessageView.h"

#include "account/SecretStore.h"
#include "compose/ReplyBuilder.h"
#include "mime/Envelope.h"
#include "mime/MessageContent.h"
#include "store/MailStore.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QAbstractItemView>
#include <QCompleter>
#include <QTest>
#include <QDir>
#include <QDropEvent>
#include <QTemporaryFile>
#include <QMimeData>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>

#include <memory>

using namespace heron;
using namespace heron::ui;

namespace {
// Clicks a button of the next message box (a question the composer asks);
// the returned flag says whether it was asked.
std::shared_ptr<bool> answerNextMessageBox(QMessageBox::StandardButton button)
{
    auto asked = std::make_shared<bool>(false);
    auto *timer = new QTimer;
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, button, asked] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || !box->button(button)) return;
        timer->deleteLater();
        *asked = true;
        box->button(button)->click();
    });
    timer->start();
    return asked;
}

// The newest message queued in the outbox, parsed as a receiver would.
QByteArray lastQueuedRaw(store::MailStore &st, int64_t account)
{
    store::Statement q =
        st.db().prepare("SELECT raw FROM outbox WHERE account_id=? AND state='queued' ORDER BY id DESC LIMIT 1");
    q.bind(1, account);
    return q.step() ? q.blob(0) : QByteArray();
}

void saveShot(QWidget *w, const char *name)
{
    if (qEnvironmentVariableIsSet("HERON_SCREENSHOT_DIR")) // for people reviewing the UI
        w->grab().save(qEnvironmentVariable("HERON_SCREENSHOT_DIR") + QLatin1Char('/') + QLatin1String(name));
}

// Fills the fields of the next dialog (in order) and presses OK once; again
// with the next values while the dialog stays open (a refused input).
std::shared_ptr<QStringList> fillNextDialog(const QList<QStringList> &attempts)
{
    auto problems = std::make_shared<QStringList>();
    auto *timer = new QTimer;
    timer->setInterval(10);
    auto next = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, attempts, problems, next] {
        auto *dlg = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dlg || !dlg->isVisible()) {
            if (*next > 0) timer->deleteLater(); // closed: done
            return;
        }
        if (*next > 0) {
            for (QLabel *l : dlg->findChildren<QLabel *>())
                if (l->isVisible() && l->styleSheet().contains(QLatin1String("#c53030"))) *problems << l->text();
            if (*next == 1) saveShot(dlg, "link-dialog.png");
        }
        if (*next >= attempts.size()) {
            dlg->reject();
            timer->deleteLater();
            return;
        }
        const QList<QLineEdit *> edits = dlg->findChildren<QLineEdit *>();
        for (int i = 0; i < attempts[*next].size() && i < edits.size(); ++i) edits[i]->setText(attempts[*next][i]);
        ++*next;
        dlg->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    });
    timer->start();
    return problems;
}
} // namespace

class TestComposer : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int64_t m_account = 0;
    QString m_profileDir;

    // Selects the message with this subject in the Inbox and waits for its text.
    bool showMessage(MainWindow &w, const QString &subject, const QString &text)
    {
        store::MailStore st(Profile(m_profileDir).databasePath());
        if (!w.selectMailbox(st.mailboxByRole(m_account, QStringLiteral("\\Inbox"))->id)) return false;
        MessageListModel *list = w.messageModel();
        if (!QTest::qWaitFor([&] { return list->rowCount() == 3; })) return false;
        for (int r = 0; r < list->rowCount(); ++r)
            if (list->index(r, MessageListModel::SubjectColumn).data().toString() == subject)
                w.messageListView()->setCurrentIndex(list->index(r, MessageListModel::SubjectColumn));
        return QTest::qWaitFor([&] { return w.messageView()->bodyText().contains(text); });
    }

private Q_SLOTS:
    // Every test starts from plain text, no signature and no other identity,
    // even when the one before failed half-way.
    void cleanup()
    {
        Profile p(m_profileDir);
        QSettings s(p.settingsPath(), QSettings::IniFormat);
        s.remove(QStringLiteral("signatures"));
        s.remove(QStringLiteral("compose"));
        store::MailStore st(p.databasePath());
        for (const Identity &i : st.identities(m_account)) st.removeIdentity(i.id);
    }

    void initTestCase()
    {
        m_profileDir = m_tmp.filePath(QStringLiteral("profile"));
        Profile p(m_profileDir);
        QVERIFY(p.ensureExists(nullptr));
        store::MailStore st(p.databasePath());
        AccountConfig a;
        a.name = QStringLiteral("Demo");
        a.email = QStringLiteral("alice@example.org");
        a.protocol = QStringLiteral("imap");
        a.incoming = {QStringLiteral("127.0.0.1"), 1, Security::Tls}; // never reached: we start offline
        a.username = QStringLiteral("alice");
        a.smtp = {QStringLiteral("127.0.0.1"), 1, Security::Tls}; // messages wait in the outbox
        m_account = st.addAccount(a);
        SecretStore(p.secretsPath()).storeInProfile(a.name, QStringLiteral("pw"), nullptr);
        std::vector<store::FolderUpdate> folders;
        for (const auto &[raw, use] : {std::pair<const char *, const char *>{"INBOX", "\\Inbox"},
                                       {"Drafts", "\\Drafts"},
                                       {"Sent", "\\Sent"},
                                       {"Trash", "\\Trash"}}) {
            store::FolderUpdate f;
            f.rawName = raw;
            f.delimiter = QStringLiteral("/");
            f.specialUse = QString::fromLatin1(use);
            folders.push_back(f);
        }
        st.updateFolders(m_account, folders);
        const int64_t inbox = st.mailboxByRole(m_account, QStringLiteral("\\Inbox"))->id;
        struct Mail {
            const char *subject, *to, *raw;
        };
        const Mail mails[] = {
            {"plain question", "Alice <alice@example.org>",
             "From: Sender Two <s2@example.org>\r\nTo: Alice <alice@example.org>\r\nSubject: plain question\r\n\r\n"
             "Plain body with https://example.org/link\r\n> quoted\r\n"},
            {"question for sales", "Sales <SALES@example.org>",
             "From: Carol <carol@example.org>\r\nTo: Sales <SALES@example.org>\r\nSubject: question for sales\r\n\r\n"
             "How much?\r\n"},
            {"list message", "list@example.net",
             "Delivered-To: sales@example.org\r\nFrom: Dave <dave@example.net>\r\nTo: list@example.net\r\n"
             "Subject: list message\r\n\r\nFrom the list\r\n"},
        };
        uint32_t uid = 0;
        for (const Mail &mail : mails) {
            MessageRecord m;
            m.uid = ++uid;
            m.date = 1800000000 + uid * 60;
            m.subject = QString::fromLatin1(mail.subject);
            m.to = QString::fromLatin1(mail.to);
            const QString from = mime::parseMessage(mail.raw).from;
            mime::splitAddress(from, &m.fromName, &m.fromAddr);
            m.flags = Flag::Seen;
            store::Transaction tx(st.db());
            st.insertMessages(inbox, 1, {m});
            st.storeBody(st.db().lastInsertId(), QByteArray(mail.raw));
            tx.commit();
        }
        st.setMailboxSyncState(inbox, 1, uid + 1, 0);
        st.recount(inbox);
    }

    // Rich text by default (Settings): formatting sent as HTML with a plain
    // copy that says the same; leaving rich text asks; a draft stays rich.
    void richTextComposerSendsHtmlWithAFaithfulPlainCopy()
    {
        Profile p(m_profileDir);
        {
            QSettings s(p.settingsPath(), QSettings::IniFormat);
            s.setValue(QStringLiteral("compose/richText"), true);
        }
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        store::MailStore st(p.databasePath());
        ComposerWindow *c = w.openComposer(-1);
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QVERIFY(c->isRichText());
        QVERIFY(c->richTextAction()->isChecked());
        QVERIFY(c->formatBar()->isVisible());
        QVERIFY(!c->isDirty()); // the default mode is not an edit
        BodyEditor *body = c->bodyEdit();
        QCOMPARE(body->formatAction(BodyEditor::Bold)->icon().isNull(), false);

        c->toEdit()->setText(QStringLiteral("bob@example.org"));
        c->subjectEdit()->setText(QStringLiteral("rich"));
        body->setFocus();
        QTest::keyClicks(body, QStringLiteral("Hello "));
        body->formatAction(BodyEditor::Bold)->trigger();
        QTest::keyClicks(body, QStringLiteral("team"));
        body->formatAction(BodyEditor::Bold)->trigger();
        QVERIFY(!body->formatAction(BodyEditor::Bold)->isChecked());
        QTest::keyClicks(body, QStringLiteral(", "));
        // Shortcuts work while typing. They need an active window: always so
        // offscreen (the suite), not under Xvfb without a window manager (screenshots).
        if (QGuiApplication::platformName() == QLatin1String("offscreen") || QTest::qWaitForWindowActive(c, 500)) {
            QVERIFY(QTest::qWaitForWindowActive(c));
            QTest::keyClick(body, Qt::Key_I, Qt::ControlModifier);
            QVERIFY(body->formatAction(BodyEditor::Italic)->isChecked());
            QTest::keyClick(body, Qt::Key_I, Qt::ControlModifier);
            QVERIFY(!body->formatAction(BodyEditor::Italic)->isChecked());
        }
        QTest::keyClicks(body, QStringLiteral("see "));
        QCOMPARE(body->makeLink(QStringLiteral("javascript:alert(1)"), QStringLiteral("x")),
                 QStringLiteral("Only web (http, https) and mail (mailto) links can be sent."));
        QCOMPARE(body->makeLink(QStringLiteral("example.org/docs"), QStringLiteral("the docs")), QString());
        QTest::keyClick(body, Qt::Key_Return);
        body->formatAction(BodyEditor::BulletList)->trigger();
        QVERIFY(body->formatAction(BodyEditor::BulletList)->isChecked());
        QTest::keyClicks(body, QStringLiteral("first"));
        QTest::keyClick(body, Qt::Key_Return);
        QTest::keyClicks(body, QStringLiteral("second"));
        QTest::keyClick(body, Qt::Key_Return);
        body->formatAction(BodyEditor::BulletList)->trigger(); // the list ends
        body->formatAction(BodyEditor::Italic)->trigger();
        QTest::keyClicks(body, QStringLiteral("Bye <3"));
        saveShot(c, "composer-rich.png");

        // Leaving rich text asks; "Cancel" keeps everything.
        auto asked = answerNextMessageBox(QMessageBox::Cancel);
        c->richTextAction()->trigger();
        QVERIFY(*asked);
        QVERIFY(c->isRichText());
        QVERIFY(c->richTextAction()->isChecked());
        QVERIFY(body->hasFormatting());

        // A draft keeps the rich text (as its HTML part) and reopens in rich text.
        QVERIFY(c->saveDraft(true));
        QByteArray draftRaw;
        {
            store::Statement q = st.db().prepare("SELECT raw FROM outbox WHERE id=?");
            q.bind(1, c->draftId());
            QVERIFY(q.step());
            draftRaw = q.blob(0);
        }
        QVERIFY(draftRaw.contains("multipart/alternative"));

        c->setAskAboutMissingAttachment(false);
        QPointer<ComposerWindow> guard(c);
        QVERIFY(c->send());
        mime::MessageContent sent = mime::parseMessage(lastQueuedRaw(st, m_account));
        sent.html.replace(QLatin1String("\r\n"), QLatin1String("\n"));
        const QString plain = mime::unflow(sent.plainText).trimmed();
        QCOMPARE(plain,
                 QStringLiteral("Hello team, see the docs <https://example.org/docs>\n- first\n- second\nBye <3"));
        QVERIFY2(sent.html.contains(QLatin1String(
                     "<div>Hello <b>team</b>, see <a href=\"https://example.org/docs\">the docs</a></div>")),
                 qPrintable(sent.html));
        QVERIFY(sent.html.contains(QLatin1String("<ul>\n<li>first</li>\n<li>second</li>\n</ul>")));
        QVERIFY(sent.html.contains(QLatin1String("<div><i>Bye &lt;3</i></div>")));
        for (const char *noise : {"qrichtext", "font-family", "margin-top", "-qt-", "DOCTYPE HTML PUBLIC"})
            QVERIFY2(!sent.html.contains(QLatin1String(noise)), noise);
        QTRY_VERIFY(guard.isNull());

        // The draft, once on the server, continues in rich text with its formatting.
        auto drafts = st.mailboxByRole(m_account, QStringLiteral("\\Drafts"));
        MessageRecord rec;
        rec.uid = 77;
        rec.subject = QStringLiteral("rich");
        int64_t draftMessage = 0;
        {
            store::Transaction tx(st.db());
            st.insertMessages(drafts->id, 1, {rec});
            draftMessage = st.db().lastInsertId();
            st.storeBody(draftMessage, draftRaw);
            tx.commit();
        }
        ComposerWindow *again = w.openDraft(draftMessage);
        QVERIFY(again);
        QVERIFY(again->isRichText());
        QVERIFY(again->formatBar()->isVisibleTo(again));
        QVERIFY(!again->isDirty());
        QCOMPARE(again->bodyEdit()->mailPlainText(), plain);
        QVERIFY(again->bodyEdit()->mailHtml().contains(QLatin1String("<b>team</b>")));

        // Plain text again: asked, then the text stays with its list and link written out.
        asked = answerNextMessageBox(QMessageBox::Yes);
        again->richTextAction()->trigger();
        QVERIFY(*asked);
        QVERIFY(!again->isRichText());
        QVERIFY(!again->formatBar()->isVisibleTo(again));
        QVERIFY(!again->bodyEdit()->formatAction(BodyEditor::Bold)->isEnabled());
        QCOMPARE(again->bodyEdit()->toPlainText(), plain);
        QVERIFY(again->bodyEdit()->mailHtml().isEmpty());
        again->richTextAction()->trigger(); // back to rich: nothing to lose, no question
        QVERIFY(again->isRichText());
        QCOMPARE(again->bodyEdit()->mailPlainText(), plain);
        QVERIFY(again->isDirty());
        QPointer<ComposerWindow> againGuard(again);
        asked = answerNextMessageBox(QMessageBox::Discard); // "Save draft?": it was changed
        again->close();
        QVERIFY(*asked);
        QTRY_VERIFY(againGuard.isNull());
    }

    // A reply in rich text keeps the quote as a quote (">" in the plain copy,
    // <blockquote> in the HTML) with the signature above it.
    void richReplyQuotesAndSigns()
    {
        Profile p(m_profileDir);
        {
            QSettings s(p.settingsPath(), QSettings::IniFormat);
            s.setValue(QStringLiteral("compose/richText"), true);
            s.setValue(QStringLiteral("signatures/%1").arg(m_account), QStringLiteral("Alice"));
        }
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(showMessage(w, QStringLiteral("plain question"), QStringLiteral("Plain body")));
        ComposerWindow *c = w.openComposer(int(compose::ReplyKind::Reply));
        QVERIFY(c->isRichText());
        const QString plain = c->bodyEdit()->mailPlainText();
        QVERIFY2(plain.startsWith(QLatin1String("\n\n-- \nAlice\n\nOn ")), qPrintable(plain));
        QVERIFY(plain.contains(QLatin1String("\n> Plain body with https://example.org/link\n>> quoted")));
        const QString html = c->bodyEdit()->mailHtml();
        QVERIFY2(html.contains(
                     QLatin1String("<blockquote type=\"cite\">\n<div>Plain body with https://example.org/link</div>\n"
                                   "<blockquote type=\"cite\">\n<div>quoted</div>")),
                 qPrintable(html));
        QVERIFY(!c->bodyEdit()->hasFormatting()); // quotes are not formatting
        saveShot(c, "composer-rich-reply.png");
        c->close();
    }

    // File → Identities…: a second address with its own Reply-To and signature;
    // the composer offers both; a reply comes from the address it was sent to.
    void identitiesChooseFromReplyToAndSignature()
    {
        Profile p(m_profileDir);
        {
            QSettings s(p.settingsPath(), QSettings::IniFormat);
            s.setValue(QStringLiteral("signatures/%1").arg(m_account), QStringLiteral("Alice\nHeron team"));
        }
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        store::MailStore st(p.databasePath());

        IdentitiesDialog *dlg = w.editIdentities(m_account);
        QVERIFY(dlg);
        QVERIFY(QTest::qWaitForWindowExposed(dlg));
        QCOMPARE(dlg->list()->count(), 1);
        QCOMPARE(dlg->list()->item(0)->text(), QStringLiteral("Demo <alice@example.org>\nthe account's own address"));
        QVERIFY(!dlg->emailEdit()->isEnabled()); // the account's own: edited in Account Settings
        QVERIFY(!dlg->removeButton()->isEnabled());
        saveShot(dlg, "identities-own.png");
        QTest::mouseClick(dlg->addButton(), Qt::LeftButton);
        dlg->nameEdit()->setText(QStringLiteral("Sales Team"));
        dlg->emailEdit()->setText(QStringLiteral("sales at example.org"));
        dlg->replyToEdit()->setText(QStringLiteral("Team <team@example.org>"));
        dlg->signatureEdit()->setPlainText(QStringLiteral("Sales\nExample Corp"));
        QTest::mouseClick(dlg->saveButton(), Qt::LeftButton);
        QVERIFY(dlg->problemLabel()->isVisible());
        QCOMPARE(dlg->problemLabel()->text(),
                 QStringLiteral("Address: \"sales at example.org\" is not a valid e-mail address."));
        saveShot(dlg, "identities-problem.png");
        QVERIFY(st.identities(m_account).empty());
        dlg->emailEdit()->setText(QStringLiteral("sales@example.org"));
        dlg->replyToEdit()->setText(QStringLiteral("team@example.org, boss@example.org"));
        QVERIFY(!dlg->save());
        QCOMPARE(dlg->problemLabel()->text(), QStringLiteral("Reply-To takes a single address."));
        dlg->replyToEdit()->setText(QStringLiteral("Team <team@example.org>"));
        QTest::keyClick(dlg->replyToEdit(), Qt::Key_Return); // Enter saves
        QVERIFY(!dlg->problemLabel()->isVisible());
        QCOMPARE(dlg->list()->count(), 2);
        QCOMPARE(dlg->list()->currentRow(), 1);
        QCOMPARE(st.identities(m_account).size(), size_t(1));
        saveShot(dlg, "identities.png");
        dlg->close();

        // New message: both identities offered; switching swaps signature and Reply-To.
        ComposerWindow *c = w.openComposer(-1);
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QComboBox *from = c->fromBox();
        QCOMPARE(from->count(), 2);
        QCOMPARE(from->itemText(0), QStringLiteral("Demo <alice@example.org>"));
        QCOMPARE(from->itemText(1), QStringLiteral("Sales Team <sales@example.org> (Demo)"));
        QCOMPARE(from->currentIndex(), 0);
        QVERIFY(!c->replyToLabel()->isVisible());
        QCOMPARE(c->bodyEdit()->toPlainText(), QStringLiteral("\n\n-- \nAlice\nHeron team"));
        c->bodyEdit()->moveCursor(QTextCursor::Start);
        QTest::keyClicks(c->bodyEdit(), QStringLiteral("Our offer"));
        from->setCurrentIndex(1);
        QCOMPARE(c->bodyEdit()->toPlainText(), QStringLiteral("Our offer\n\n-- \nSales\nExample Corp"));
        QVERIFY(c->replyToLabel()->isVisible());
        QCOMPARE(c->replyToLabel()->text(), QStringLiteral("Team <team@example.org>"));
        saveShot(c, "composer-identity.png");
        c->toEdit()->setText(QStringLiteral("carol@example.org"));
        c->subjectEdit()->setText(QStringLiteral("offer"));
        c->setAskAboutMissingAttachment(false);
        QVERIFY(c->send());
        const QByteArray raw = lastQueuedRaw(st, m_account);
        const mime::MessageContent sent = mime::parseMessage(raw);
        QCOMPARE(sent.from, QStringLiteral("Sales Team <sales@example.org>")); // parsed, then formatted
        QString name, addr;
        mime::splitAddress(sent.replyTo, &name, &addr);
        QCOMPARE(addr, QStringLiteral("team@example.org"));
        QVERIFY(mime::unflow(sent.plainText).contains(QLatin1String("-- \nSales\nExample Corp")));

        // A message to the sales address is answered from it.
        QVERIFY(showMessage(w, QStringLiteral("question for sales"), QStringLiteral("How much?")));
        ComposerWindow *reply = w.openComposer(int(compose::ReplyKind::Reply));
        QCOMPARE(reply->fromBox()->currentIndex(), 1);
        QCOMPARE(reply->currentIdentity().email, QStringLiteral("sales@example.org"));
        QVERIFY(reply->replyToLabel()->isVisibleTo(reply));
        const QString body = reply->bodyEdit()->toPlainText();
        QVERIFY(body.startsWith(QLatin1String("\n\n-- \nSales\nExample Corp\n")));
        QVERIFY(!body.contains(QLatin1String("Heron team")));
        QVERIFY(!reply->isDirty()); // choosing the identity for the user is not an edit
        reply->close();
        // Reply-all leaves every address of the user out.
        ComposerWindow *all = w.openComposer(int(compose::ReplyKind::ReplyAll));
        QCOMPARE(all->toEdit()->text(), QStringLiteral("Carol <carol@example.org>"));
        all->close();

        // Sent to a list, delivered to the sales address: answered from it too.
        QVERIFY(showMessage(w, QStringLiteral("list message"), QStringLiteral("From the list")));
        ComposerWindow *listReply = w.openComposer(int(compose::ReplyKind::Reply));
        QCOMPARE(listReply->currentIdentity().email, QStringLiteral("sales@example.org"));
        listReply->close();

        // Not sent to the sales address: the account's own identity.
        QVERIFY(showMessage(w, QStringLiteral("plain question"), QStringLiteral("Plain body")));
        ComposerWindow *plainReply = w.openComposer(int(compose::ReplyKind::Reply));
        QCOMPARE(plainReply->currentIdentity().email, QStringLiteral("alice@example.org"));
        QVERIFY(plainReply->bodyEdit()->toPlainText().contains(QLatin1String("-- \nAlice\nHeron team")));
        plainReply->close();

    }

    // A draft reopens as it was written: its signature is not added again,
    // its identity (From) is chosen, and switching identity swaps that signature.
    void reopenedDraftKeepsItsIdentityAndSignature()
    {
        Profile p(m_profileDir);
        {
            QSettings s(p.settingsPath(), QSettings::IniFormat);
            s.setValue(QStringLiteral("signatures/%1").arg(m_account), QStringLiteral("New sig"));
        }
        store::MailStore st(p.databasePath());
        Identity sales;
        sales.accountId = m_account;
        sales.name = QStringLiteral("Sales Team");
        sales.email = QStringLiteral("sales@example.org");
        sales.replyTo = QStringLiteral("team@example.org");
        sales.signature = QStringLiteral("Sales");
        st.addIdentity(sales);
        auto drafts = st.mailboxByRole(m_account, QStringLiteral("\\Drafts"));
        auto storeDraft = [&](uint32_t uid, const QString &from, const QString &body) {
            compose::OutgoingMessage d;
            d.fromAddress = from;
            d.to = {QStringLiteral("carol@example.org")};
            d.subject = QStringLiteral("draft %1").arg(uid);
            d.body = body;
            MessageRecord rec;
            rec.uid = uid;
            rec.subject = d.subject;
            store::Transaction tx(st.db());
            st.insertMessages(drafts->id, 1, {rec});
            const int64_t id = st.db().lastInsertId();
            st.storeBody(id, compose::buildMessage(d, QString(), true).raw);
            tx.commit();
            return id;
        };
        const int64_t own = storeDraft(201, QStringLiteral("alice@example.org"), QStringLiteral("Draft text\n\n-- \nOld sig"));
        const int64_t fromSales = storeDraft(202, QStringLiteral("sales@example.org"), QStringLiteral("Offer\n\n-- \nSales"));

        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        ComposerWindow *a = w.openDraft(own);
        QCOMPARE(a->bodyEdit()->toPlainText(), QStringLiteral("Draft text\n\n-- \nOld sig"));
        QCOMPARE(a->currentIdentity().email, QStringLiteral("alice@example.org"));
        QVERIFY(!a->isDirty());
        a->close();

        ComposerWindow *b = w.openDraft(fromSales);
        QCOMPARE(b->fromBox()->currentIndex(), 1);
        QVERIFY(b->replyToLabel()->isVisibleTo(b));
        QCOMPARE(b->bodyEdit()->toPlainText(), QStringLiteral("Offer\n\n-- \nSales"));
        QVERIFY(!b->isDirty());
        b->fromBox()->setCurrentIndex(0);
        QCOMPARE(b->bodyEdit()->toPlainText(), QStringLiteral("Offer\n\n-- \nNew sig"));
        QVERIFY(!b->replyToLabel()->isVisibleTo(b));
        QVERIFY(b->isDirty());
        answerNextMessageBox(QMessageBox::Discard);
        b->close();
    }

    // Link…: a selected word becomes a link; a bad address is refused with the reason.
    // A file dropped (or pasted) onto the text becomes an attachment, in both modes.
    void filesDroppedOnTheTextAreAttached()
    {
        Profile p(m_profileDir);
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        ComposerWindow *c = w.openComposer(-1);
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QTemporaryFile file(QDir::tempPath() + QStringLiteral("/heron-drop-XXXXXX.txt"));
        QVERIFY(file.open());
        file.write("dropped");
        file.flush();
        const QString before = c->bodyEdit()->toPlainText();
        auto *remove = c->findChild<QPushButton *>(QStringLiteral("removeAttachment"));
        QVERIFY(!remove->isEnabled()); // nothing to remove yet
        for (bool rich : {false, true}) {
            if (rich) c->richTextAction()->trigger();
            QMimeData data;
            data.setUrls({QUrl::fromLocalFile(file.fileName())});
            const QPoint at = c->bodyEdit()->viewport()->rect().center();
            QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(c->bodyEdit()->viewport(), &enter);
            QVERIFY(enter.isAccepted());
            QDragMoveEvent move(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(c->bodyEdit()->viewport(), &move);
            QDropEvent drop(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(c->bodyEdit()->viewport(), &drop);
            QCOMPARE(c->attachmentCount(), rich ? 2 : 1);
            QCOMPARE(c->bodyEdit()->toPlainText(), before); // no path typed into the text
        }
        auto *list = c->findChild<QListWidget *>();
        list->setCurrentRow(0);
        QVERIFY(remove->isEnabled());
        remove->click();
        QCOMPARE(c->attachmentCount(), 1);
    }

    // An address picked from the suggestions (keyboard or mouse) goes in once,
    // after what was typed before it.
    void pickingASuggestionInsertsItOnce()
    {
        MainWindow w(Profile(m_profileDir), true);
        ComposerWindow *c = w.openComposer(-1);
        QVERIFY(c);
        c->show();
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QLineEdit *to = c->toEdit();
        to->setFocus();
        QTest::keyClicks(to, QStringLiteral("Bob <bob@example.org>, car"));
        QCompleter *completer = to->completer();
        QVERIFY(completer);
        QTRY_VERIFY(completer->popup()->isVisible());
        QTest::keyClick(completer->popup(), Qt::Key_Down); // highlights it (the line shows it already)
        QTest::keyClick(completer->popup(), Qt::Key_Return);
        QCOMPARE(to->text(), QStringLiteral("Bob <bob@example.org>, Carol <carol@example.org>, "));
        // And the next one after it, with the mouse this time.
        QTest::keyClicks(to, QStringLiteral("dav"));
        QTRY_VERIFY(completer->popup()->isVisible());
        QAbstractItemView *popup = completer->popup();
        const QModelIndex first = popup->model()->index(0, 0);
        popup->setCurrentIndex(first);
        QTest::mouseClick(popup->viewport(), Qt::LeftButton, {}, popup->visualRect(first).center());
        QCOMPARE(to->text(), QStringLiteral("Bob <bob@example.org>, Carol <carol@example.org>, Dave <dave@example.net>, "));
        auto asked = answerNextMessageBox(QMessageBox::Discard);
        c->close();
        QTRY_VERIFY(*asked);
    }

    // Esc and Ctrl+W close the composer; with text in it, it asks first.
    void escapeAndCtrlWClose()
    {
        MainWindow w(Profile(m_profileDir), true);
        ComposerWindow *empty = w.openComposer(-1);
        QVERIFY(empty);
        QPointer<ComposerWindow> emptyGuard(empty);
        empty->show();
        QVERIFY(QTest::qWaitForWindowExposed(empty));
        QTest::keyClick(empty->subjectEdit(), Qt::Key_Escape);
        QTRY_VERIFY(!emptyGuard || !emptyGuard->isVisible()); // nothing to save: no question
        ComposerWindow *c = w.openComposer(-1);
        QVERIFY(c);
        c->show();
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QTest::keyClicks(c->subjectEdit(), QStringLiteral("half written"));
        auto asked = answerNextMessageBox(QMessageBox::Discard);
        QTest::keyClick(c->subjectEdit(), Qt::Key_W, Qt::ControlModifier);
        QTRY_VERIFY(*asked);
        QTRY_VERIFY(!c->isVisible());
    }

    void linkDialogRefusesWhatCannotBeSent()
    {
        Profile p(m_profileDir);
        MainWindow w(p, true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        ComposerWindow *c = w.openComposer(-1);
        QVERIFY(QTest::qWaitForWindowExposed(c));
        QVERIFY(!c->isRichText());
        QVERIFY(!c->formatBar()->isVisible());
        QVERIFY(!c->bodyEdit()->formatAction(BodyEditor::Link)->isEnabled());
        c->richTextAction()->trigger(); // nothing to lose: no question
        QVERIFY(c->isRichText());
        QVERIFY(c->formatBar()->isVisible());
        QVERIFY(c->isDirty()); // the user chose it
        BodyEditor *body = c->bodyEdit();
        QTest::keyClicks(body, QStringLiteral("Read the manual today"));
        QTextCursor cursor = body->textCursor();
        cursor.setPosition(9);
        cursor.setPosition(15, QTextCursor::KeepAnchor); // "manual"
        body->setTextCursor(cursor);
        auto problems = fillNextDialog({{QStringLiteral("manual"), QStringLiteral("ftp://files.example.org/m.pdf")},
                                        {QStringLiteral("manual"), QStringLiteral("not a url")},
                                        {QStringLiteral("manual"), QStringLiteral("https://example.org/manual")}});
        body->formatAction(BodyEditor::Link)->trigger();
        QCOMPARE(*problems, (QStringList{QStringLiteral("Only web (http, https) and mail (mailto) links can be sent."),
                                         QStringLiteral("A link address cannot contain spaces.")}));
        QCOMPARE(body->mailPlainText(), QStringLiteral("Read the manual <https://example.org/manual> today"));
        QVERIFY(body->mailHtml().contains(QLatin1String("Read the <a href=\"https://example.org/manual\">manual</a> today")));
        // A mail address typed as the link; what is typed next is not part of it.
        body->moveCursor(QTextCursor::End);
        QTest::keyClicks(body, QStringLiteral(" or write to "));
        QCOMPARE(body->makeLink(QStringLiteral("docs@example.org")), QString());
        QTest::keyClicks(body, QStringLiteral("!"));
        QVERIFY(body->mailHtml().contains(QLatin1String("<a href=\"mailto:docs@example.org\">docs@example.org</a>!</div>")));
        QCOMPARE(body->mailPlainText(),
                 QStringLiteral("Read the manual <https://example.org/manual> today or write to docs@example.org!"));
        saveShot(c, "composer-links.png");
        // Remove Formatting on the paragraph takes the links away, the text stays.
        body->formatAction(BodyEditor::ClearFormatting)->trigger();
        QVERIFY(!body->hasFormatting());
        QCOMPARE(body->mailPlainText(), QStringLiteral("Read the manual today or write to docs@example.org!"));
        answerNextMessageBox(QMessageBox::Discard);
        c->close();
    }
};

QTEST_MAIN(TestComposer)
#include "tst_composer.moc"
