#include "MessageView.h"

#include "HtmlSanitizer.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QIcon>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QVBoxLayout>

namespace heron::ui {

MessageBrowser::MessageBrowser(QWidget *parent) : QTextBrowser(parent)
{
    setOpenExternalLinks(true);
    setOpenLinks(true);
    setFrameShape(QFrame::NoFrame);
}

void MessageBrowser::setContent(const mime::MessageContent *content, bool allowRemote)
{
    m_content = content;
    m_allowRemote = allowRemote;
    m_blocked = 0;
}

QVariant MessageBrowser::loadResource(int type, const QUrl &name)
{
    // The only way a QTextDocument gets external data: cid: parts of this
    // message are served, everything else is refused (remote content is added
    // as resources by MessageView after the user allowed it, asynchronously).
    if (name.scheme() == QLatin1String("cid") && m_content) {
        if (const mime::Attachment *a = m_content->findContentId(name.path())) {
            if (type == QTextDocument::ImageResource) {
                QImage img = QImage::fromData(a->data);
                if (!img.isNull()) return img;
            }
            return a->data;
        }
        return {};
    }
    if (name.scheme() == QLatin1String("data"))
        return QTextBrowser::loadResource(type, name);
    ++m_blocked;
    return {};
}

MessageView::MessageView(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_header = new QLabel(this);
    m_header->setTextFormat(Qt::RichText);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setWordWrap(true);
    m_header->setContentsMargins(12, 10, 12, 10);
    m_header->setAutoFillBackground(true);
    QPalette hp = m_header->palette();
    hp.setColor(QPalette::Window, hp.color(QPalette::AlternateBase));
    m_header->setPalette(hp);
    layout->addWidget(m_header);

    m_remoteBar = new QFrame(this);
    m_remoteBar->setObjectName(QStringLiteral("remoteContentBar"));
    m_remoteBar->setStyleSheet(QStringLiteral("#remoteContentBar { background: #fefcbf; border-bottom: 1px solid #ecc94b; }"));
    auto *barLayout = new QHBoxLayout(m_remoteBar);
    barLayout->setContentsMargins(12, 4, 12, 4);
    m_remoteLabel = new QLabel(m_remoteBar);
    m_remoteButton = new QPushButton(tr("Show remote content"), m_remoteBar);
    barLayout->addWidget(m_remoteLabel, 1);
    barLayout->addWidget(m_remoteButton);
    m_allowSenderButton = new QPushButton(m_remoteBar);
    barLayout->addWidget(m_allowSenderButton);
    connect(m_remoteButton, &QPushButton::clicked, this, &MessageView::showRemoteContent);
    connect(m_allowSenderButton, &QPushButton::clicked, this, [this] {
        Q_EMIT allowSender(m_fromAddr);
        showRemoteContent();
    });
    m_remoteBar->hide();
    layout->addWidget(m_remoteBar);

    m_browser = new MessageBrowser(this);
    m_browser->document()->setDocumentMargin(12);
    layout->addWidget(m_browser, 1);

    m_attachments = new QListWidget(this);
    m_attachments->setObjectName(QStringLiteral("attachments"));
    m_attachments->setFlow(QListView::LeftToRight);
    m_attachments->setWrapping(true);
    m_attachments->setMaximumHeight(64);
    m_attachments->setContextMenuPolicy(Qt::CustomContextMenu);
    m_attachments->setToolTip(tr("Double-click to open, right-click to save"));
    connect(m_attachments, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem *item) {
        openAttachment(m_attachments->row(item));
    });
    connect(m_attachments, &QListWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QListWidgetItem *item = m_attachments->itemAt(pos);
        if (!item) return;
        const int row = m_attachments->row(item);
        QMenu menu;
        menu.addAction(tr("Open"), this, [this, row] { openAttachment(row); });
        menu.addAction(tr("Save As…"), this, [this, row] { saveAttachment(row); });
        menu.exec(m_attachments->viewport()->mapToGlobal(pos));
    });
    m_attachments->hide();
    layout->addWidget(m_attachments);
    clear();
}

void MessageView::clear()
{
    m_messageId = 0;
    m_content = {};
    m_header->setText(QString());
    m_header->hide();
    m_remoteBar->hide();
    m_attachments->clear();
    m_attachments->hide();
    m_browser->setContent(nullptr, false);
    m_browser->setHtml(QStringLiteral("<p style=\"color:#718096\">%1</p>").arg(tr("No message selected.")));
}

void MessageView::setHeader(const MessageRecord &h)
{
    m_messageId = h.id;
    auto row = [](const QString &label, const QString &value) {
        return value.isEmpty() ? QString()
                               : QStringLiteral("<tr><td style=\"color:#4a5568; padding-right:8px\"><b>%1</b></td><td>%2</td></tr>")
                                     .arg(label.toHtmlEscaped(), value.toHtmlEscaped());
    };
    const QString from = h.fromName.isEmpty() ? h.fromAddr : QStringLiteral("%1 <%2>").arg(h.fromName, h.fromAddr);
    const QString date = h.date ? QLocale().toString(QDateTime::fromSecsSinceEpoch(h.date), QLocale::LongFormat) : QString();
    m_header->setText(QStringLiteral("<div style=\"font-size:large; font-weight:bold\">%1</div><table>%2%3%4%5</table>")
                          .arg((h.subject.isEmpty() ? tr("(no subject)") : h.subject).toHtmlEscaped(),
                               row(tr("From"), from), row(tr("To"), h.to), row(tr("Cc"), h.cc), row(tr("Date"), date)));
    m_header->show();
}

void MessageView::showLoading(const MessageRecord &header)
{
    setHeader(header);
    m_remoteBar->hide();
    m_attachments->hide();
    m_content = {};
    m_browser->setContent(nullptr, false);
    m_browser->setHtml(QStringLiteral("<p style=\"color:#718096\">%1</p>").arg(tr("Downloading message…")));
}

void MessageView::showError(const MessageRecord &header, const QString &message)
{
    setHeader(header);
    m_remoteBar->hide();
    m_attachments->hide();
    m_browser->setContent(nullptr, false);
    m_browser->setHtml(QStringLiteral("<p style=\"color:#c53030\">%1</p>").arg(message.toHtmlEscaped()));
}

void MessageView::setRemotePolicy(RemoteContentPolicy policy, std::function<bool(const QString &)> isKnown)
{
    m_policy = policy;
    m_isKnown = std::move(isKnown);
}

void MessageView::showMessage(const MessageRecord &header, const QByteArray &raw)
{
    setHeader(header);
    m_fromAddr = header.fromAddr;
    m_content = mime::parseMessage(raw);
    m_allowRemote = false;
    render();
    if (!m_remoteUrls.isEmpty() && m_policy == RemoteContentPolicy::KnownSenders && m_isKnown && !m_fromAddr.isEmpty() &&
        m_isKnown(m_fromAddr))
        showRemoteContent();
}

void MessageView::render()
{
    QString html;
    m_remoteUrls.clear();
    if (!m_content.html.isEmpty()) {
        SanitizedHtml s = sanitizeHtml(m_content.html);
        html = s.html;
        m_remoteUrls = s.remoteUrls;
    } else {
        html = plainTextToHtml(m_content.plainText);
    }
    if (!m_content.problem.isEmpty())
        html.prepend(QStringLiteral("<p style=\"color:#c53030\">%1</p>").arg(m_content.problem.toHtmlEscaped()));
    m_browser->setContent(&m_content, m_allowRemote);
    m_browser->setHtml(html);
    if (!m_remoteUrls.isEmpty() && !m_allowRemote) {
        m_remoteLabel->setText(m_remoteUrls.size() == 1
                                   ? tr("Heron blocked a remote image in this message to protect your privacy.")
                                   : tr("Heron blocked %1 remote images in this message to protect your privacy.")
                                         .arg(m_remoteUrls.size()));
        m_remoteButton->setVisible(m_policy != RemoteContentPolicy::Never);
        m_allowSenderButton->setVisible(m_policy == RemoteContentPolicy::KnownSenders && !m_fromAddr.isEmpty());
        m_allowSenderButton->setText(tr("Always from %1").arg(m_fromAddr));
        if (m_policy == RemoteContentPolicy::Never)
            m_remoteLabel->setText(m_remoteLabel->text() + QLatin1Char(' ') + tr("(Settings: never load remote images.)"));
        m_remoteBar->show();
    } else {
        m_remoteBar->hide();
    }
    m_attachments->clear();
    for (const mime::Attachment &a : m_content.attachments) {
        auto *item = new QListWidgetItem(QIcon(QStringLiteral(":/icons/attachment.svg")),
                                         QStringLiteral("%1 (%2 KB)").arg(a.fileName).arg((a.data.size() + 1023) / 1024));
        item->setToolTip(a.mimeType);
        m_attachments->addItem(item);
    }
    m_attachments->setVisible(!m_content.attachments.empty());
}

bool MessageView::remoteContentBlocked() const { return m_remoteBar->isVisible(); }
QString MessageView::bodyText() const { return m_browser->toPlainText(); }

void MessageView::showRemoteContent()
{
    m_allowRemote = true;
    m_remoteBar->hide();
    if (!m_network) m_network = new QNetworkAccessManager(this);
    const qint64 forMessage = m_messageId;
    int budget = 50;
    for (const QString &u : std::as_const(m_remoteUrls)) {
        if (--budget < 0) break;
        QNetworkRequest req{QUrl(u)};
        req.setTransferTimeout(15000);
        QNetworkReply *reply = m_network->get(req);
        connect(reply, &QNetworkReply::finished, this, [this, reply, forMessage, u] {
            reply->deleteLater();
            if (forMessage != m_messageId || reply->error() != QNetworkReply::NoError) return;
            QImage img = QImage::fromData(reply->read(8 << 20));
            if (img.isNull()) return;
            m_browser->document()->addResource(QTextDocument::ImageResource, QUrl(u), img);
            m_browser->document()->markContentsDirty(0, m_browser->document()->characterCount());
        });
    }
    m_browser->setContent(&m_content, true);
}

void MessageView::saveAttachment(int index)
{
    if (index < 0 || size_t(index) >= m_content.attachments.size()) return;
    const mime::Attachment &a = m_content.attachments[size_t(index)];
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Attachment"), QDir(dir).filePath(a.fileName));
    if (path.isEmpty()) return;
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(a.data) != a.data.size() || !f.commit())
        QMessageBox::warning(this, tr("Save Attachment"), tr("Could not save %1: %2").arg(path, f.errorString()));
}

void MessageView::openAttachment(int index)
{
    if (index < 0 || size_t(index) >= m_content.attachments.size()) return;
    const mime::Attachment &a = m_content.attachments[size_t(index)];
    // Opening hands the file to the desktop; never let a received file run as a program.
    static const QStringList runnable = {QStringLiteral("desktop"), QStringLiteral("sh"), QStringLiteral("bash"),
                                         QStringLiteral("exe"), QStringLiteral("bat"), QStringLiteral("cmd"),
                                         QStringLiteral("com"), QStringLiteral("jar"), QStringLiteral("appimage"),
                                         QStringLiteral("run"), QStringLiteral("bin"), QStringLiteral("py"),
                                         QStringLiteral("pl"), QStringLiteral("msi"), QStringLiteral("deb")};
    if (runnable.contains(QFileInfo(a.fileName).suffix().toLower()) ||
        a.mimeType.contains(QLatin1String("executable")) || a.mimeType.contains(QLatin1String("x-sh"))) {
        QMessageBox::information(this, tr("Open Attachment"),
                                 tr("%1 could run as a program, so Heron does not open it. Save it and check it first.")
                                     .arg(a.fileName));
        return;
    }
    static QTemporaryDir tmp; // removed when Heron exits
    const QString path = QDir(tmp.path()).filePath(a.fileName);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(a.data) != a.data.size()) {
        QMessageBox::warning(this, tr("Open Attachment"), tr("Could not write %1.").arg(path));
        return;
    }
    f.close();
    f.setPermissions(QFile::ReadOwner);
    QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

} // namespace heron::ui
