#pragma once
// The system keyring (Secret Service through QtKeychain), made synchronous for
// the engine: each call runs a local event loop until QtKeychain answers, with
// a time limit. Never falls back to plaintext by itself (insecure fallback off).
// Thread: any thread (the job lives on the calling thread).
#include <QString>

namespace heron {

struct KeyringResult {
    bool ok = false;
    bool notFound = false;   // the keyring works but has no such entry
    QString value;
    QString error;           // for the user: why the keyring could not be used
};

class Keyring {
public:
    static KeyringResult read(const QString &key);
    static KeyringResult write(const QString &key, const QString &value);
    static KeyringResult remove(const QString &key);
};

} // namespace heron
