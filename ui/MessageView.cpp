#include "MessageView.h"
#include "PlainText.h"

#include "mime/Address.h"
#include "mime/HtmlSanitizer.h"

#include <QCoreApplication>
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
#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QVBoxLayout>

namespace heron::ui {

namespace {
// Remote content is fetched like a private window fetches it: no cookie is
// stored or sent (so no tracking across messages), no referrer.
class NoCookies : public QNetworkCookieJar {
public:
    using QNetworkCookieJar::QNetworkCookieJar;
    QList<QNetworkCookie> cookiesForUrl(const QUrl &) const override { return {}; }
    bool setCookiesFromUrl(const QList<QNetworkCookie> &, const QUrl &) override { return false; }
};
constexpr qint64 kMaxRemoteBytes = 8 << 20;
} // namespace

MessageBrowser::MessageBrowser(QWidget *parent) : QTextBrowser(parent)
{
    setOpenExternalLinks(false);
    setOpenLinks(false);
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
        return refused(type);
    }
    if (name.scheme() == QLatin1String("data") && type == QTextDocument::ImageResource) {
        // Only the plain bitmap formats (no SVG renderer on the GUI thread).
        const QString path = name.path().left(32).toLower();
        for (const char *t : {"image/png", "image/jpeg", "image/gif", "image/webp"})
            if (path.startsWith(QLatin1String(t))) return QTextBrowser::loadResource(type, name);
        return refused(type);
    }
    ++m_blocked;
    return refused(type);
}

QVariant MessageBrowser::refused(int type)
{
    // Never an invalid QVariant: QTextDocument would then open the name as a
    // local file ("url(/dev/zero)" in a style sheet, a FIFO, a share).
    if (type == QTextDocument::ImageResource) return QVariant::fromValue(QImage());
    return QVariant(QByteArray());
}

MessageView::MessageView(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("messageHeader"));
    m_header->setTextFormat(Qt::RichText); // built here, every value escaped
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
    m_remoteLabel->setTextFormat(Qt::PlainText);
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
    connect(m_browser, &QTextBrowser::anchorClicked, this, &MessageView::openLink);

    // Where a link really goes, shown while the pointer is on it.
    m_linkTarget = new QLabel(this);
    m_linkTarget->setObjectName(QStringLiteral("linkTarget"));
    m_linkTarget->setTextFormat(Qt::PlainText);
    m_linkTarget->setContentsMargins(8, 2, 8, 2);
    m_linkTarget->setStyleSheet(QStringLiteral("#linkTarget { background: palette(alternate-base); border-top: 1px solid palette(mid); }"));
    m_linkTarget->hide();
    layout->addWidget(m_linkTarget);
    connect(m_browser, qOverload<const QUrl &>(&QTextBrowser::highlighted), this, [this](const QUrl &url) {
        if (url.isEmpty() || url.scheme() == QLatin1String("heron")) {
            m_linkTarget->hide();
            return;
        }
        m_linkTarget->setText(url.toDisplayString());
        m_linkTarget->show();
    });

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
    *m_latest = ++m_generation;
    m_ready = false;
    m_raw.clear();
    m_links.clear();
    m_linkTarget->hide();
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
    // The real address always, marked when malformed (mime/Address.h).
    const QString from = mime::fullLabel(h.fromName, h.fromAddr);
    auto list = [](const QString &field) { return mime::displayMailboxList(field); };
    const QString date = h.date ? QLocale().toString(QDateTime::fromSecsSinceEpoch(h.date), QLocale::LongFormat) : QString();
    m_header->setText(QStringLiteral("<div style=\"font-size:large; font-weight:bold\">%1</div><table>%2%3%4%5</table>")
                          .arg((h.subject.isEmpty() ? tr("(no subject)") : h.subject).toHtmlEscaped(),
                               row(tr("From"), from), row(tr("To"), list(h.to)), row(tr("Cc"), list(h.cc)), row(tr("Date"), date)));
    m_header->show();
}

void MessageView::showLoading(const MessageRecord &header)
{
    setHeader(header);
    m_remoteBar->hide();
    m_attachments->hide();
    *m_latest = ++m_generation;
    m_ready = false;
    m_raw.clear();
    m_content = {};
    m_browser->setContent(nullptr, false);
    m_browser->setHtml(QStringLiteral("<p style=\"color:#718096\">%1</p>").arg(tr("Downloading message…")));
}

void MessageView::showError(const MessageRecord &header, const QString &message)
{
    setHeader(header);
    m_remoteBar->hide();
    m_attachments->hide();
    *m_latest = ++m_generation;
    m_ready = false;
    m_browser->setContent(nullptr, false);
    m_browser->setHtml(QStringLiteral("<p style=\"color:#c53030\">%1</p>").arg(message.toHtmlEscaped()));
}

void MessageView::setRemotePolicy(RemoteContentPolicy policy, std::function<bool(const QString &)> isKnown)
{
    m_policy = policy;
    m_isKnown = std::move(isKnown);
}

void MessageView::showMessage(const MessageRecord &header, const QByteArray &raw, bool inJunk)
{
    setHeader(header);
    m_fromAddr = header.fromAddr;
    m_inJunk = inJunk;
    m_raw = raw;
    m_content = {};
    m_links.clear();
    m_remoteUrls.clear();
    m_allowRemote = false;
    m_ready = false;
    m_remoteBar->hide();
    m_attachments->clear();
    m_attachments->hide();
    m_linkTarget->hide();
    m_browser->setContent(nullptr, false);
    m_browser->setHtml(QStringLiteral("<p style=\"color:#718096\">%1</p>").arg(tr("Opening message…")));
    const quint64 generation = ++m_generation;
    *m_latest = generation;
    // Received mail is untrusted: parsed and sanitised off the GUI thread, on
    // a pool of its own (slow messages never hold up other work), and a parse
    // for a message no longer shown does not start at all.
    QPointer<MessageView> self(this);
    static QThreadPool *pool = [] {
        auto *p = new QThreadPool;
        p->setMaxThreadCount(2);
        return p;
    }();
    pool->start([self, generation, raw, latest = m_latest] {
        if (*latest != generation) return;
        mime::DisplayMessage d;
        try {
            d = mime::prepareForDisplay(raw);
        } catch (...) {
            d.content.problem = tr("This message could not be decoded.");
            d.html = mime::plainTextToHtml(QString::fromUtf8(raw.left(1 << 20)));
        }
        QMetaObject::invokeMethod(qApp, [self, generation, d = std::move(d)]() mutable {
            if (self) self->finish(generation, std::move(d));
        }, Qt::QueuedConnection);
    });
    QTimer::singleShot(m_parseBudgetMs, this, [this, generation] {
        if (generation != m_generation || m_ready) return;
        m_browser->setHtml(QStringLiteral("<p style=\"color:#c53030\">%1</p><p><a href=\"heron:source\">%2</a></p>")
                               .arg(tr("This message is taking too long to open; it may be malformed.").toHtmlEscaped(),
                                    tr("View the message source").toHtmlEscaped()));
    });
}

void MessageView::finish(quint64 generation, mime::DisplayMessage d)
{
    if (generation != m_generation) return; // another message was chosen meanwhile
    m_content = std::move(d.content);
    m_remoteUrls = std::move(d.remoteUrls);
    m_links = std::move(d.links);
    m_ready = true;
    render(d.html);
    Q_EMIT ready();
    if (!m_remoteUrls.isEmpty() && !m_inJunk && m_policy == RemoteContentPolicy::KnownSenders && m_isKnown &&
        !m_fromAddr.isEmpty() && m_isKnown(m_fromAddr))
        showRemoteContent();
}

void MessageView::render(const QString &body)
{
    QString html = body;
    if (!m_content.problem.isEmpty())
        html.prepend(QStringLiteral("<p style=\"color:#c53030\">%1 <a href=\"heron:source\">%2</a></p>")
                         .arg(m_content.problem.toHtmlEscaped(), tr("View the message source").toHtmlEscaped()));
    m_browser->setContent(&m_content, m_allowRemote);
    m_browser->setHtml(html);
    if (!m_remoteUrls.isEmpty() && !m_allowRemote) {
        m_remoteLabel->setText(m_remoteUrls.size() == 1
                                   ? tr("Heron blocked a remote image in this message to protect your privacy.")
                                   : tr("Heron blocked %1 remote images in this message to protect your privacy.")
                                         .arg(m_remoteUrls.size()));
        const bool never = m_policy == RemoteContentPolicy::Never || m_inJunk;
        m_remoteButton->setVisible(!never);
        m_allowSenderButton->setVisible(!never && m_policy == RemoteContentPolicy::KnownSenders && !m_fromAddr.isEmpty());
        m_allowSenderButton->setText(tr("Always from %1").arg(m_fromAddr));
        if (m_inJunk)
            m_remoteLabel->setText(m_remoteLabel->text() + QLatin1Char(' ') + tr("(Never loaded for messages in Junk.)"));
        else if (m_policy == RemoteContentPolicy::Never)
            m_remoteLabel->setText(m_remoteLabel->text() + QLatin1Char(' ') + tr("(Settings: never load remote images.)"));
        m_remoteBar->show();
    } else {
        m_remoteBar->hide();
    }
    m_attachments->clear();
    for (const mime::Attachment &a : m_content.attachments) {
        auto *item = new QListWidgetItem(QIcon(QStringLiteral(":/icons/attachment.svg")),
                                         QStringLiteral("%1 (%2 KB)").arg(a.fileName).arg((a.data.size() + 1023) / 1024));
        item->setToolTip(plainToolTip(a.mimeType));
        m_attachments->addItem(item);
    }
    m_attachments->setVisible(!m_content.attachments.empty());
}

void MessageView::openLink(const QUrl &url)
{
    if (url.scheme() == QLatin1String("heron")) {
        if (url.path() == QLatin1String("source")) Q_EMIT viewSourceRequested();
        return;
    }
    if (url.scheme().isEmpty() && url.hasFragment()) {
        m_browser->scrollToAnchor(url.fragment());
        return;
    }
    if (!mime::isOpenableLink(url)) {
        QMessageBox box(QMessageBox::Information, tr("Open Link"),
                        tr("Heron opens only web (http, https) and mail (mailto) links from messages. This link is:\n\n%1")
                            .arg(url.toDisplayString()),
                        QMessageBox::Ok, this);
        box.setTextFormat(Qt::PlainText);
        box.exec();
        return;
    }
    // A link whose text names another address than where it goes asks first.
    QString shownAs;
    for (const mime::HtmlLink &l : std::as_const(m_links))
        if (QUrl(l.href) == url && mime::linkTextMisleads(l.text, url)) {
            shownAs = l.text.simplified();
            break;
        }
    if (!shownAs.isEmpty()) {
        QMessageBox box(QMessageBox::Warning, tr("Open Link"),
                        tr("This link says\n\n%1\n\nbut it goes to\n\n%2\n\nOpen it anyway?").arg(shownAs.left(300), url.toDisplayString()),
                        QMessageBox::Open | QMessageBox::Cancel, this);
        box.setTextFormat(Qt::PlainText);
        box.setDefaultButton(QMessageBox::Cancel);
        if (box.exec() != QMessageBox::Open) return;
    }
    if (url.scheme().compare(QLatin1String("mailto"), Qt::CaseInsensitive) == 0) {
        Q_EMIT composeTo(url);
        return;
    }
    QDesktopServices::openUrl(url);
}

bool MessageView::remoteContentBlocked() const { return m_remoteBar->isVisible(); }
QString MessageView::bodyText() const { return m_browser->toPlainText(); }

void MessageView::showRemoteContent()
{
    m_allowRemote = true;
    m_remoteBar->hide();
    if (m_inJunk) return;
    if (!m_network) {
        m_network = new QNetworkAccessManager(this);
        m_network->setCookieJar(new NoCookies(m_network));
    }
    const qint64 forMessage = m_messageId;
    int budget = 50;
    for (const QString &u : std::as_const(m_remoteUrls)) {
        if (--budget < 0) break;
        QNetworkRequest req{QUrl(u)};
        req.setTransferTimeout(15000);
        // Redirects only to https, at most 5; never a cookie; a size cap.
        req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::UserVerifiedRedirectPolicy);
        req.setMaximumRedirectsAllowed(5);
        req.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
        req.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
        QNetworkReply *reply = m_network->get(req);
        connect(reply, &QNetworkReply::redirected, reply, [reply](const QUrl &to) {
            if (to.scheme() == QLatin1String("https")) Q_EMIT reply->redirectAllowed();
            else reply->abort();
        });
        connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64 total) {
            if (received > kMaxRemoteBytes || total > kMaxRemoteBytes) reply->abort();
        });
        connect(reply, &QNetworkReply::finished, this, [this, reply, forMessage, u] {
            reply->deleteLater();
            if (forMessage != m_messageId || reply->error() != QNetworkReply::NoError) return;
            QImage img = QImage::fromData(reply->read(kMaxRemoteBytes));
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
        plainMessageBox(QMessageBox::Warning, this, tr("Save Attachment"), tr("Could not save %1: %2").arg(path, f.errorString()));
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
        plainMessageBox(QMessageBox::Information, this, tr("Open Attachment"),
                                 tr("%1 could run as a program, so Heron does not open it. Save it and check it first.")
                                     .arg(a.fileName));
        return;
    }
    static QTemporaryDir tmp; // removed when Heron exits
    const QString path = QDir(tmp.path()).filePath(a.fileName);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(a.data) != a.data.size()) {
        plainMessageBox(QMessageBox::Warning, this, tr("Open Attachment"), tr("Could not write %1.").arg(path));
        return;
    }
    f.close();
    f.setPermissions(QFile::ReadOwner);
    QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

} // namespace heron::ui
