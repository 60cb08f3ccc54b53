#pragma once
// One window per profile. The first `heron` on a profile becomes its owner:
// it holds a lock file in the profile (QLockFile: a lock whose process died is
// taken over) and listens on a local socket named after the profile. A second
// `heron` on the same profile does not start another window: it hands its
// request (raise the window; later a mailto: URL) to the owner and exits.
//
// heron-cli does not need the owner: it works beside a running window safely
// (outbox rows and the replay of queued changes are claimed in the database,
// see store/Lease.h and compose/Outbox.h).
// Thread: the GUI thread (the local server's signals arrive there).
#include <QObject>
#include <QStringList>

#include <memory>

class QLocalServer;
class QLockFile;

namespace heron {

class ProfileOwner : public QObject {
    Q_OBJECT
public:
    explicit ProfileOwner(const QString &profileDir, QObject *parent = nullptr);
    ~ProfileOwner() override;

    // Becomes the owner if nobody is; false when a live process owns the profile.
    bool acquire();
    // Hands a request to the owner; true when the owner confirmed it within waitMs.
    bool sendToOwner(const QStringList &request, int waitMs = 5000) const;
    QString serverName() const { return m_serverName; }

Q_SIGNALS:
    // Another start on this profile asked for something (["raise"], ...).
    void requestReceived(const QStringList &request);

private:
    void onConnection();
    QString m_profileDir;
    QString m_serverName;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer *m_server = nullptr;
};

} // namespace heron
