#pragma once
// Who owns a piece of work in a profile that several processes may open at
// once (the window and heron-cli, or two heron-cli).
//
// An owner is a process, named so that a pid reused after a crash or a reboot
// is not mistaken for the one that crashed: "<boot id>:<pid>:<start time>".
// A row claimed by an owner that is no longer alive was interrupted by a crash;
// only then may anyone else recover it (the outbox's "unknown", a lease).
//
// Lease: a named, exclusive claim stored in the database (table leases), for
// work that must run in one place at a time and in order (replaying an
// account's queued changes). Acquired in one IMMEDIATE transaction: free, or
// held by a dead owner, becomes ours; held by a live owner (this process
// included: another thread) stays theirs. Released by the destructor.
#include "store/Database.h"

#include <QString>

#include <atomic>
#include <memory>

namespace heron::store {

// This process's owner name (computed once).
const QString &processOwner();
// Whether the process named by owner is still running on this machine.
bool ownerAlive(const QString &owner);

class Lease {
public:
    // Tries once; held() says whether it worked.
    Lease(Database &db, QString name);
    // Waits until the lease is free, at most waitMs, polling; gives up at
    // once when *cancel becomes true.
    Lease(Database &db, QString name, int waitMs, const std::shared_ptr<std::atomic_bool> &cancel);
    ~Lease();
    Lease(const Lease &) = delete;
    Lease &operator=(const Lease &) = delete;
    bool held() const { return m_held; }

private:
    bool tryAcquire();
    Database &m_db;
    QString m_name;
    QString m_token;
    bool m_held = false;
};

} // namespace heron::store
