#include "store/Lease.h"

#include <QFile>
#include <QThread>
#include <QUuid>

#include <chrono>

#include <unistd.h>

namespace heron::store {

namespace {
QByteArray bootId()
{
    QFile f(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray("noboot");
}

// Field 22 of /proc/PID/stat: start time in clock ticks after boot. The
// command name (field 2) may contain spaces and parentheses: count from the last ')'.
QByteArray startTime(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray stat = f.readAll();
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0) return {};
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    // After ")": field 3 is state, so starttime (22) is index 22 - 3 = 19.
    return fields.size() > 19 ? fields[19] : QByteArray();
}
} // namespace

const QString &processOwner()
{
    static const QString owner = QString::fromLatin1(bootId() + ':' + QByteArray::number(qint64(::getpid())) + ':' +
                                                     startTime(::getpid()));
    return owner;
}

bool ownerAlive(const QString &owner)
{
    if (owner.isEmpty()) return false;
    if (owner == processOwner()) return true;
    const QStringList parts = owner.split(QLatin1Char(':'));
    if (parts.size() != 3) return false;
    if (parts[0].toLatin1() != bootId()) return false; // rebooted since
    bool ok = false;
    const qint64 pid = parts[1].toLongLong(&ok);
    if (!ok || pid <= 0) return false;
    const QByteArray start = startTime(pid);
    return !start.isEmpty() && start == parts[2].toLatin1();
}

Lease::Lease(Database &db, QString name) : m_db(db), m_name(std::move(name))
{
    m_held = tryAcquire();
}

Lease::Lease(Database &db, QString name, int waitMs, const std::shared_ptr<std::atomic_bool> &cancel)
    : m_db(db), m_name(std::move(name))
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
    while (!(m_held = tryAcquire())) {
        if ((cancel && *cancel) || std::chrono::steady_clock::now() >= until) return;
        QThread::msleep(50);
    }
}

Lease::~Lease()
{
    if (!m_held) return;
    try {
        Statement q = m_db.prepare("DELETE FROM leases WHERE name=? AND token=?");
        q.bind(1, m_name).bind(2, m_token).exec();
    } catch (...) {
        // A lease left behind by this live process is taken over after it ends.
    }
}

bool Lease::tryAcquire()
{
    Transaction tx(m_db);
    Statement q = m_db.prepare("SELECT owner FROM leases WHERE name=?");
    q.bind(1, m_name);
    if (q.step() && ownerAlive(q.text(0))) return false;
    q.reset();
    m_token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    Statement up = m_db.prepare("INSERT OR REPLACE INTO leases(name, owner, token) VALUES(?, ?, ?)");
    up.bind(1, m_name).bind(2, processOwner()).bind(3, m_token).exec();
    tx.commit();
    return true;
}

} // namespace heron::store
