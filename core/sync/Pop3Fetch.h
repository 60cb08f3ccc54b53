#pragma once
// Downloads new POP3 messages into the account's local Inbox.
//
// Order, so that nothing is lost or doubled whatever is interrupted:
//   1. UIDL decides what is new (message numbers change between sessions).
//   2. Each message is committed locally (row, body, UIDL) in one transaction
//      before anything else happens to it.
//   3. Only then may it be marked for deletion (policy), and DELE takes effect
//      only at QUIT: a session that dies before QUIT deletes nothing; the
//      next run sees the UIDL as known and applies the policy again.
// Policies: "leave", "delete" (after download), "days" (after N days),
// "mirror" (deleted on the server once the user deletes it for good locally).
// A message over the size limit, or one that fails alone, is skipped with a
// note; the others continue.
#include "account/Profile.h"
#include "net/Pop3Session.h"
#include "store/MailStore.h"

#include <functional>

namespace heron::sync {

struct Pop3Report {
    int downloaded = 0;
    int deletedOnServer = 0;
    int onServer = 0;
    QStringList problems;
};

class Pop3Fetch {
public:
    using Progress = std::function<void(int64_t inboxId, int done, int total)>;
    Pop3Fetch(store::MailStore &store, const Profile &profile, AccountConfig account, QString password,
              net::CancelFlag cancel = {});
    void setProgress(Progress p) { m_progress = std::move(p); }
    // Seconds since the epoch; tests move the clock for "delete after N days".
    void setClock(std::function<int64_t()> now) { m_now = std::move(now); }
    Pop3Report run();

private:
    store::MailStore &m_store;
    Profile m_profile;
    AccountConfig m_account;
    QString m_password;
    net::CancelFlag m_cancel;
    Progress m_progress;
    std::function<int64_t()> m_now;
};

} // namespace heron::sync
