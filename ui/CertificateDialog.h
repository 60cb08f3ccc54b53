#pragma once
#include "net/NetError.h"

#include <QDialog>

namespace heron::ui {

// Shows why a server's certificate is not trusted (subject, issuer, validity,
// SHA-256, reason) and lets the user trust exactly this certificate for this
// host and port, or cancel.
class CertificateDialog : public QDialog {
    Q_OBJECT
public:
    CertificateDialog(const QString &accountName, const net::CertificateInfo &info, QWidget *parent = nullptr);
};

} // namespace heron::ui
