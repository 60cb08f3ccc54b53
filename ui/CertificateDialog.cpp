#include "CertificateDialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace heron::ui {

CertificateDialog::CertificateDialog(const QString &accountName, const net::CertificateInfo &info, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Untrusted certificate"));
    setMinimumWidth(560);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("<b>Heron could not verify the identity of %1:%2</b> (account %3).<br>"
                                "Someone may be impersonating the server. Only continue if you know this "
                                "certificate is the right one.")
                                 .arg(info.host.toHtmlEscaped()).arg(info.port).arg(accountName.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    auto add = [&](const QString &label, const QString &value) {
        auto *l = new QLabel(value, this);
        // Subject, issuer and reason come from the server: shown as they are,
        // never interpreted as markup (a subject with <b> or <a> must not restyle this).
        l->setTextFormat(Qt::PlainText);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        l->setWordWrap(true);
        form->addRow(label, l);
    };
    add(tr("Reason:"), info.reason);
    add(tr("Subject:"), info.subject);
    add(tr("Issuer:"), info.issuer);
    add(tr("Valid from:"), info.notBefore);
    add(tr("Valid until:"), info.notAfter);
    add(info.pinnedSha256.isEmpty() ? tr("SHA-256:") : tr("SHA-256 now:"), info.sha256);
    if (auto *fp = qobject_cast<QLabel *>(form->itemAt(form->rowCount() - 1, QFormLayout::FieldRole)->widget()))
        fp->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    if (!info.pinnedSha256.isEmpty()) {
        add(tr("SHA-256 you trusted:"), info.pinnedSha256);
        if (auto *fp = qobject_cast<QLabel *>(form->itemAt(form->rowCount() - 1, QFormLayout::FieldRole)->widget()))
            fp->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    }
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(this);
    QPushButton *trust = buttons->addButton(tr("Trust this certificate for this server"), QDialogButtonBox::AcceptRole);
    trust->setObjectName(QStringLiteral("trustButton"));
    buttons->addButton(QDialogButtonBox::Cancel)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

} // namespace heron::ui
