#pragma once
// Shows one message: header block, body (plain text or sanitised HTML with
// cid: images; remote content blocked until "Show remote content"), and the
// attachments with save and open.
// Thread: GUI. Received mail is parsed and sanitised on a worker thread
// (mime::prepareForDisplay, linear and bounded); the view shows "Opening
// message…" meanwhile and gives up waiting after a time budget, pointing to the
// message source, which stays available (rawSource) whatever the parse said.
#include "SettingsDialog.h"
#include "mime/MessageContent.h"
#include "store/MessageRecord.h"

#include <QTextBrowser>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class QLabel;
class QListWidget;
class QPushButton;
class QFrame;
class QNetworkAccessManager;

namespace heron::ui {

class MessageBrowser : public QTextBrowser {
    Q_OBJECT
public:
    explicit MessageBrowser(QWidget *parent = nullptr);
    // Links are never opened by the browser itself: MessageView decides.
    void setContent(const mime::MessageContent *content, bool allowRemote);
    QVariant loadResource(int type, const QUrl &name) override;
    int blockedRequests() const { return m_blocked; }
private:
    static QVariant refused(int type);
    const mime::MessageContent *m_content = nullptr;
    bool m_allowRemote = false;
    int m_blocked = 0;
};

class MessageView : public QWidget {
    Q_OBJECT
public:
    explicit MessageView(QWidget *parent = nullptr);
    // Shows the header at once and the body when the worker has prepared it.
    // inJunk: remote content is never loaded for it.
    void showMessage(const MessageRecord &header, const QByteArray &raw, bool inJunk = false);
    // True once the body of the current message is shown (content() is valid).
    bool isReady() const { return m_ready; }
    const QByteArray &rawSource() const { return m_raw; }
    // How long the worker may take before the view stops waiting (ms).
    void setParseBudget(int ms) { m_parseBudgetMs = ms; }
    void showLoading(const MessageRecord &header);
    void showError(const MessageRecord &header, const QString &message);
    void clear();
    qint64 currentMessageId() const { return m_messageId; }
    bool remoteContentBlocked() const;
    QString bodyText() const;
    const mime::MessageContent &content() const { return m_content; }
    MessageBrowser *browser() const { return m_browser; }
    // Never: blocked, no button. Ask: a button per message. KnownSenders: loads
    // at once when isKnown(sender address) says so, else a button and "Always
    // for this sender" (allowSender is emitted).
    void setRemotePolicy(RemoteContentPolicy policy, std::function<bool(const QString &)> isKnown = {});
    QPushButton *allowSenderButton() const { return m_allowSenderButton; }
    QPushButton *remoteButton() const { return m_remoteButton; }

public Q_SLOTS:
    void showRemoteContent();

Q_SIGNALS:
    void allowSender(const QString &address);
    void composeTo(const QUrl &mailto);   // a mailto: link was clicked
    void viewSourceRequested();
    void ready();                          // the body of the current message is shown

private:
    void setHeader(const MessageRecord &header);
    void render(const QString &html);
    void finish(quint64 generation, mime::DisplayMessage message);
    void openLink(const QUrl &url);
    void saveAttachment(int index);
    void openAttachment(int index);

    QLabel *m_header;
    QFrame *m_remoteBar;
    QLabel *m_remoteLabel;
    QPushButton *m_remoteButton;
    QPushButton *m_allowSenderButton;
    RemoteContentPolicy m_policy = RemoteContentPolicy::Ask;
    std::function<bool(const QString &)> m_isKnown;
    QString m_fromAddr;
    MessageBrowser *m_browser;
    QListWidget *m_attachments;
    QNetworkAccessManager *m_network = nullptr;
    mime::MessageContent m_content;
    QStringList m_remoteUrls;
    QList<mime::HtmlLink> m_links;
    QLabel *m_linkTarget;
    QByteArray m_raw;
    quint64 m_generation = 0;
    std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0); // read by the parse workers
    bool m_ready = false;
    bool m_inJunk = false;
    int m_parseBudgetMs = 8000;
    qint64 m_messageId = 0;
    bool m_allowRemote = false;
};

} // namespace heron::ui
