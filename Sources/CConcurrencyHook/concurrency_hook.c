#include "concurrency_hook.h"
#include <stddef.h>

extern const void *swift_task_enqueueGlobal_hook;

bool dryad_install_enqueue_global_hook(const void *_Nonnull hook) {
    const void *expected = NULL;
    return __atomic_compare_exchange_n(&swift_task_enqueueGlobal_hook, &expected, hook, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
