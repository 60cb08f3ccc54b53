#pragma once
// Writing a message: identity, To/Cc/Bcc with completion from addresses seen
// in the cache and validation before sending, subject, plain-text body,
// attachments (file dialog or drag and drop, with sizes), a warning when the
// text mentions an attachment and there is none. Send (Ctrl+Return) stores the
// message in the durable outbox first; the account worker sends it.
// Thread: GUI.
#include "compose/MessageComposer.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;

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
    QPlainTextEdit *bodyEdit() const { return m_body; }
    QLabel *problemLabel() const { return m_problem; }
    int attachmentCount() const { return int(m_message.attachments.size()); }
    void addAttachmentFile(const QString &path);
    // When false, the "mentions an attachment" question is answered "send anyway" (tests).
    void setAskAboutMissingAttachment(bool ask) { m_askAttachment = ask; }

public Q_SLOTS:
    // Validates, stores in the outbox, emits queued and closes. False if refused.
    bool send();

Q_SIGNALS:
    void queued(qint64 accountId, qint64 outboxId);

protected:
    void closeEvent(QCloseEvent *e) override;
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dropEvent(QDropEvent *e) override;

private:
    bool validateField(QLineEdit *edit, QStringList *out, QString *why);
    void refreshAttachments();
    void showProblem(const QString &text);

    store::MailStore *m_store;
    QComboBox *m_from;
    QLineEdit *m_to;
    QLineEdit *m_cc;
    QLineEdit *m_bcc;
    QLineEdit *m_subject;
    QPlainTextEdit *m_body;
    QListWidget *m_attachmentList;
    QLabel *m_problem;
    compose::OutgoingMessage m_message;
    bool m_sent = false;
    bool m_askAttachment = true;
};

} // namespace heron::ui
