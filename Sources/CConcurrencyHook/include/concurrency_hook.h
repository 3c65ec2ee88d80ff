#ifndef DRYAD_CONCURRENCY_HOOK_H
#define DRYAD_CONCURRENCY_HOOK_H

#include <stdbool.h>

/// Sets the Swift runtime's `swift_task_enqueueGlobal_hook` to `hook` if no hook is set yet.
///
/// SwiftNIO finds this variable with dlsym, which fails in a binary linked with
/// `--static-swift-stdlib` (the symbol is not in the dynamic table); a C reference
/// resolves it at link time in both kinds of build.
bool dryad_install_enqueue_global_hook(const void *_Nonnull hook);

#endif
