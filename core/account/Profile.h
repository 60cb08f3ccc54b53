#pragma once
// Everything of one user lives in a profile folder: the database (cache and
// queues), settings, extra trust anchors. Default: $XDG_DATA_HOME/heron;
// `--profile DIR` picks another.
#include "net/CertificateVerifier.h"

#include <QString>

namespace heron::store { class MailStore; }

namespace heron {

class Profile {
public:
    explicit Profile(QString dir);
    static QString defaultDir();
    // Creates the folder (mode 0700) if needed; returns false with a message on failure.
    bool ensureExists(QString *error) const;

    QString dir() const { return m_dir; }
    QString databasePath() const;
    QString settingsPath() const;
    // PEM file of additional certificate authorities trusted for this profile.
    QString extraAnchorsPath() const;
    QString secretsPath() const;

    // Trust policy for connections made with this profile; pinned certificates
    // are looked up in a database opened on the calling thread.
    net::TrustPolicy trustPolicy() const;

private:
    QString m_dir;
};

} // namespace heron
