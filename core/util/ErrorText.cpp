#include "util/ErrorText.h"

#include "store/Database.h"

#include <vmime/exception.hpp>

#include <exception>
#include <new>

namespace heron::util {

ErrorText describeCurrentException()
{
    ErrorText t;
    try {
        throw;
    } catch (const net::NetError &e) {
        t.kind = e.kind();
        t.message = e.message();
        t.info = e.info();
    } catch (const store::StoreError &e) {
        t.message = QStringLiteral("Local cache error: %1%2")
                        .arg(QString::fromUtf8(e.what()), e.isDiskFull() ? QStringLiteral(" (is the disk full?)") : QString());
    } catch (const vmime::exceptions::operation_timed_out &) {
        t.kind = net::NetError::Timeout;
        t.message = QStringLiteral("The server did not answer in time.");
    } catch (const vmime::exceptions::socket_exception &e) {
        t.kind = net::NetError::Network;
        t.message = QStringLiteral("The connection failed: %1").arg(QString::fromUtf8(e.what()));
    } catch (const vmime::exception &e) {
        t.message = QStringLiteral("The mail library reported an error: %1").arg(QString::fromUtf8(e.what()));
    } catch (const std::bad_alloc &) {
        t.message = QStringLiteral("Not enough memory for this operation.");
    } catch (const std::exception &e) {
        t.message = QStringLiteral("Unexpected error: %1").arg(QString::fromUtf8(e.what()));
    } catch (...) {
        t.message = QStringLiteral("Unexpected error of an unknown kind.");
    }
    return t;
}

} // namespace heron::util
