#pragma once
// Shows one message: header block, body (plain text or sanitised HTML with
// cid: images; remote content blocked until "Show remote content"), and the
// attachments with save and open.
// Thread: GUI. Parsing happens here; bodies are bounded (see mime::parseMessage).
#include "mime/MessageContent.h"
#include "store/MessageRecord.h"

#include <QTextBrowser>
#include <QWidget>

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
    void setContent(const mime::MessageContent *content, bool allowRemote);
    QVariant loadResource(int type, const QUrl &name) override;
    int blockedRequests() const { return m_blocked; }
private:
    const mime::MessageContent *m_content = nullptr;
    bool m_allowRemote = false;
    int m_blocked = 0;
};

class MessageView : public QWidget {
    Q_OBJECT
public:
    explicit MessageView(QWidget *parent = nullptr);
    void showMessage(const MessageRecord &header, const QByteArray &raw);
    void showLoading(const MessageRecord &header);
    void showError(const MessageRecord &header, const QString &message);
    void clear();
    qint64 currentMessageId() const { return m_messageId; }
    bool remoteContentBlocked() const;
    QString bodyText() const;
    const mime::MessageContent &content() const { return m_content; }
    MessageBrowser *browser() const { return m_browser; }

public Q_SLOTS:
    void showRemoteContent();

private:
    void setHeader(const MessageRecord &header);
    void render();
    void saveAttachment(int index);
    void openAttachment(int index);

    QLabel *m_header;
    QFrame *m_remoteBar;
    QLabel *m_remoteLabel;
    QPushButton *m_remoteButton;
    MessageBrowser *m_browser;
    QListWidget *m_attachments;
    QNetworkAccessManager *m_network = nullptr;
    mime::MessageContent m_content;
    QStringList m_remoteUrls;
    qint64 m_messageId = 0;
    bool m_allowRemote = false;
};

} // namespace heron::ui
