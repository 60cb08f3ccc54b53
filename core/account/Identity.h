#pragma once
// Who a message is from: a name, an address, an optional Reply-To and a
// signature. Every account has its own identity first: the account's name
// (without the "(address)" part the wizard adds) and address, with the
// signature kept in settings.ini under signatures/<account id>. It is not a
// row of the identities table and has id 0, so older profiles need no
// conversion and File > Signature… keeps working. Further identities of the
// account (aliases, a shared role address) are rows of the identities table
// (MailStore::identities), deleted with their account.
#include "account/AccountConfig.h"

#include <QString>
#include <cstdint>

namespace heron {

struct Identity {
    int64_t id = 0; // 0: the account's own identity
    int64_t accountId = 0;
    QString name;
    QString email;
    QString replyTo;   // one address or empty
    QString signature; // plain text, without the "-- " line
    int sortOrder = 0;

    bool isAccountDefault() const { return id == 0; }
};

// The account's own identity; the signature comes from the caller (settings).
Identity defaultIdentity(const AccountConfig &account, const QString &signature = QString());

} // namespace heron
