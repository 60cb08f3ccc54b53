#include "account/Keyring.h"

#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace heron {

namespace {
const QString kService = QStringLiteral("heron-mail");

KeyringResult run(QKeychain::Job &job)
{
    job.setAutoDelete(false);
    job.setInsecureFallback(false);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] { finished = true; loop.quit(); });
    QTimer::singleShot(15000, &loop, &QEventLoop::quit);
    job.start();
    if (!finished) loop.exec();
    KeyringResult r;
    if (!finished) {
        r.error = QStringLiteral("the system keyring did not answer");
        return r;
    }
    if (job.error() == QKeychain::NoError) {
        r.ok = true;
    } else if (job.error() == QKeychain::EntryNotFound) {
        r.notFound = true;
    } else {
        r.error = job.errorString().isEmpty() ? QStringLiteral("no system keyring is available") : job.errorString();
    }
    return r;
}
} // namespace

KeyringResult Keyring::read(const QString &key)
{
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(key);
    KeyringResult r = run(job);
    if (r.ok) r.value = job.textData();
    return r;
}

KeyringResult Keyring::write(const QString &key, const QString &value)
{
    QKeychain::WritePasswordJob job(kService);
    job.setKey(key);
    job.setTextData(value);
    return run(job);
}

KeyringResult Keyring::remove(const QString &key)
{
    QKeychain::DeletePasswordJob job(kService);
    job.setKey(key);
    return run(job);
}

} // namespace heron
