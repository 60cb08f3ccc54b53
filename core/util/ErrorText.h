#pragma once
// Every entry point (a Qt slot, an event handler, a thread's body, main()) ends
// in `catch (...) { ... describeCurrentException() ... }`: vmime, the standard
// library and the store all throw, and an exception that leaves an entry point
// terminates the process. This turns whatever is being handled into one
// sentence a user can read, sorted like a NetError so callers can react.
#include "net/NetError.h"

#include <QString>

namespace heron::util {

struct ErrorText {
    net::NetError::Kind kind = net::NetError::Protocol;
    QString message;
    net::CertificateInfo info;
};

// Only valid inside a catch block (it rethrows std::current_exception()).
ErrorText describeCurrentException();

} // namespace heron::util
