// Passwords in the system keyring, and the path without one. Run twice by
// CTest: inside a private D-Bus session with an unlocked gnome-keyring
// (HERON_EXPECT_KEYRING=1), and with no session bus at all (=0).
#include "account/Profile.h"
#include "account/SecretStore.h"
#include "store/MailStore.h"

#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace heron;

class TestKeyring : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    bool expectKeyring() const { return qEnvironmentVariable("HERON_EXPECT_KEYRING") == QLatin1String("1"); }

    // No file of the profile contains the secret.
    bool profileContains(const QString &dir, const QByteArray &secret)
    {
        QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (f.open(QIODevice::ReadOnly) && f.readAll().contains(secret)) return true;
        }
        return false;
    }

private Q_SLOTS:
    void rememberedPasswordComesBackFromTheKeyringOnly()
    {
        Profile p(m_tmp.filePath(QStringLiteral("p")));
        p.ensureExists(nullptr);
        store::MailStore st(p.databasePath()); // the database exists too, and must stay clean
        const QString secret = QStringLiteral("kr-secret-%1").arg(quintptr(this));
        QString error;
        const bool stored = SecretStore(p.secretsPath()).storeInKeyring(QStringLiteral("Work"), secret, &error);
        if (expectKeyring()) {
            QVERIFY2(stored, qPrintable(error));
            // A later session (new SecretStore) finds it.
            auto again = SecretStore(p.secretsPath()).password(QStringLiteral("Work"));
            QVERIFY(again);
            QCOMPARE(*again, secret);
            QVERIFY(!profileContains(p.dir(), secret.toUtf8()));
            SecretStore(p.secretsPath()).forget(QStringLiteral("Work"));
            QVERIFY(!SecretStore(p.secretsPath()).password(QStringLiteral("Work")));
        } else {
            QVERIFY(!stored);
            QVERIFY(!error.isEmpty()); // the user is told why
            QVERIFY(!SecretStore(p.secretsPath()).password(QStringLiteral("Work")));
            QVERIFY(!profileContains(p.dir(), secret.toUtf8())); // no silent plaintext fallback
        }
    }

    void profileStorageIsExplicitAndPrivate()
    {
        Profile p(m_tmp.filePath(QStringLiteral("q")));
        p.ensureExists(nullptr);
        QVERIFY(SecretStore(p.secretsPath()).storeInProfile(QStringLiteral("Home"), QStringLiteral("pw-home"), nullptr));
        QCOMPARE(QFile::permissions(p.secretsPath()) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        QCOMPARE(*SecretStore(p.secretsPath()).password(QStringLiteral("Home")), QStringLiteral("pw-home"));
    }
};

QTEST_GUILESS_MAIN(TestKeyring)
#include "tst_keyring.moc"
