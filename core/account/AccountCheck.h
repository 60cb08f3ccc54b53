#pragma once
// Logs in for real to a server of an account being set up and says exactly
// what failed, in the order a connection fails: the host name, the TCP
// connection, the certificate, TLS, the password. The first user name the
// server accepts is reported so the account is saved with it.
//
// Thread: blocking (DNS, sockets, vmime); run it on a worker thread, never on
// the GUI thread. The password is only handed to the session; nothing here
// logs or keeps it.
#include "account/AccountConfig.h"
#include "net/CertificateVerifier.h"
#include "net/VmimeSupport.h"

#include <QStringList>

namespace heron {

struct CheckOutcome {
    enum Stage { Ok, HostNotFound, Refused, NoAnswer, Certificate, Tls, Password, Protocol, Other };
    Stage stage = Ok;
    QString message;  // for the user; names the server
    QString username; // the user name the server accepted (when Ok)
    net::CertificateInfo certificate; // when stage == Certificate
    bool ok() const { return stage == Ok; }
};

QString stageName(CheckOutcome::Stage stage);

// outgoing false: the incoming server (account.protocol), true: SMTP.
// usernames are tried in order while the server answers "wrong password";
// empty means account.username.
CheckOutcome checkServer(const AccountConfig &account, bool outgoing, const QStringList &usernames,
                         const QString &password, const net::TrustPolicy &trust, net::CancelFlag cancel = {},
                         int connectTimeoutMs = 10000);

} // namespace heron

Q_DECLARE_METATYPE(heron::CheckOutcome)
