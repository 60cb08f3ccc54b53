#include "account/AccountConfig.h"

namespace heron {

QString securityName(Security s)
{
    switch (s) {
    case Security::Tls: return QStringLiteral("tls");
    case Security::StartTls: return QStringLiteral("starttls");
    case Security::None: return QStringLiteral("none");
    }
    return QString();
}

bool parseSecurity(const QString &text, Security *out)
{
    if (text == QLatin1String("tls")) *out = Security::Tls;
    else if (text == QLatin1String("starttls")) *out = Security::StartTls;
    else if (text == QLatin1String("none")) *out = Security::None;
    else return false;
    return true;
}

} // namespace heron
