#pragma once
// Called first thing in main() of heron and heron-cli.
namespace heron::util {

// No core dump, ever: a crash must not write the process memory (passwords,
// OAuth tokens, mail) to disk. Also keeps other processes of the same user
// from attaching a debugger (PR_SET_DUMPABLE).
void disableCoreDumps();

} // namespace heron::util
