#include "account/Identity.h"

namespace heron {

Identity defaultIdentity(const AccountConfig &account, const QString &signature)
{
    Identity i;
    i.accountId = account.id;
    // The wizard names accounts "Name (address)": the part before the
    // parenthesis is the name people see.
    i.name = account.name.section(QLatin1Char('('), 0, 0).trimmed();
    i.email = account.email;
    i.signature = signature;
    return i;
}

} // namespace heron
