#pragma once
// Writing a message: identity (every identity of every account that can
// send; choosing one sets From and Reply-To and swaps the signature), To/Cc/Bcc
// with completion from addresses seen in the cache and validation before
// sending, subject, plain or rich text body (see BodyEditor; rich text is sent
// as multipart/alternative with a faithful plain copy), attachments (file
// dialog or drag and drop, with sizes), a warning when the text mentions an
// attachment and there is none. Send (Ctrl+Return) stores the message in the
// durable outbox first; the account worker sends it. A draft keeps the rich
// text as its HTML part and reopens in rich mode.
// Thread: GUI.
#include "BodyEditor.h"
#include "account/Identity.h"
#include "compose/MessageComposer.h"

#include <QHash>
#include <QWidget>

#include <vector>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QToolBar;

namespace heron::store { class MailStore; }

namespace heron::ui {

class ComposerWindow : public QWidget {
    Q_OBJECT
public:
    ComposerWindow(store::MailStore *store, qint64 accountId, const compose::OutgoingMessage &start,
                   QWidget *parent = nullptr);

    QLineEdit *toEdit() const { return m_to; }
    QLineEdit *ccEdit() const { return m_cc; }
    QLineEdit *bccEdit() const { return m_bcc; }
    QLineEdit *subjectEdit() const { return m_subject; }
    BodyEditor *bodyEdit() const { return m_body; }
    QLabel *problemLabel() const { return m_problem; }
    QComboBox *fromBox() const { return m_from; }
    QLabel *replyToLabel() const { return m_replyTo; }
    QAction *richTextAction() const { return m_richAction; }
    QToolBar *formatBar() const { return m_formatBar; }
    int attachmentCount() const { return int(m_message.attachments.size()); }
    void addAttachmentFile(const QString &path);
    // Signature of each account's own identity, by account id (other
    // identities carry theirs); inserted now (unless insertNow is false: a
    // reopened draft keeps the text it has) and swapped with the identity.
    void setSignatures(const QHash<qint64, QString> &signatures, bool insertNow = true);
    // The identity From, Reply-To and the signature come from.
    Identity currentIdentity() const;
    // Chooses the identity of the account with this address (case-insensitive);
    // false (nothing changed) when there is none.
    bool selectIdentity(qint64 accountId, const QString &address);
    // Rich or plain text. Leaving rich text asks first when formatting would be
    // lost; false when the user said no. With ask false the mode is chosen for
    // the user (the default from Settings): no question, and not an edit.
    bool setRichText(bool rich, bool ask = true);
    bool isRichText() const { return m_body->isRich(); }
    // Continue a draft stored on the server under this UID (in the account's Drafts).
    void setDraftSource(uint32_t uid) { m_replacesUid = uid; }
    qint64 draftId() const { return m_draftId; }
    bool isDirty() const;
    // When false, the "mentions an attachment" question is answered "send anyway" (tests).
    void setAskAboutMissingAttachment(bool ask) { m_askAttachment = ask; }

public Q_SLOTS:
    // Stores the draft locally at once; the account worker puts it on the server.
    bool saveDraft(bool explicitSave = true);
    // Validates, stores in the outbox, emits queued and closes. False if refused.
    bool send();

Q_SIGNALS:
    void queued(qint64 accountId, qint64 outboxId);
    void draftSaved(qint64 accountId);

protected:
    void closeEvent(QCloseEvent *e) override;
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dropEvent(QDropEvent *e) override;

private:
    bool validateField(QLineEdit *edit, QStringList *out, QString *why);
    QString snapshot() const;
    compose::OutgoingMessage current() const;
    void refreshAttachments();
    void showProblem(const QString &text);

    store::MailStore *m_store;
    QComboBox *m_from;
    QLabel *m_replyTo;
    QLabel *m_replyToCaption;
    QAction *m_richAction;
    QToolBar *m_formatBar;
    std::vector<Identity> m_identities; // m_from's items, in order
    QLineEdit *m_to;
    QLineEdit *m_cc;
    QLineEdit *m_bcc;
    QLineEdit *m_subject;
    BodyEditor *m_body;
    QListWidget *m_attachmentList;
    QLabel *m_problem;
    compose::OutgoingMessage m_message;
    bool m_sent = false;
    bool m_askAttachment = true;
    qint64 m_draftId = 0;
    uint32_t m_replacesUid = 0;
    bool m_explicitSave = false;
    QString m_savedSnapshot;
    QHash<qint64, QString> m_signatures;
    QString m_insertedSignature; // the block currently in the body
    void applyIdentity(bool insertSignature = true);
};

} // namespace heron::ui
