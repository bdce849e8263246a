// Makes Swift's `Synchronization.Mutex` visible to ThreadSanitizer. Compiled only into
// `--sanitize=thread` builds (`scripts/test --sanitize thread`); in every other build this
// file is empty.
//
// Why: on Linux, `Mutex.withLock` inlines its uncontended path (a compare-exchange with
// acquire / release ordering, which TSan instruments) into our code, but a contended lock or
// unlock goes through `_MutexHandle._lockSlow` / `_unlockSlow` / `_tryLockSlow` in
// libswiftSynchronization.so: a spin loop and a PI futex, neither instrumented. TSan then
// sees no happens-before edge between two threads that took the lock one after the other,
// and reports every contended critical section as a race (49 reports in ModelLoadingTests
// alone, all inside `withLock` closures; a 20-line program with two threads appending to
// one `Mutex<[Int]>` reproduces it). There is no narrow suppression for that: the racing
// frames are our closures, and suppressing them would also hide a real race on the same data.
//
// So the TSan build defines those three exported functions itself: the executable's
// definition wins over the shared library's, each calls the library's own (found with
// `dlsym(RTLD_NEXT)`), and tells TSan what the lock did: `__tsan_acquire` after a slow
// lock, `__tsan_release` before a slow unlock, on the mutex's address (the same address the
// inlined fast path's atomics synchronise on). Races on data used outside the lock are still
// reported. The functions take the handle in the Swift `self` register (`swiftcall` with a
// `swift_context` parameter, which clang passes in the same register).

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void __tsan_acquire(void *addr);
void __tsan_release(void *addr);

#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"
#define TRY_LOCK_SLOW "$s15Synchronization12_MutexHandleV12_tryLockSlowSbyF"

typedef __attribute__((swiftcall)) void (*lock_slow_fn)(uint32_t, __attribute__((swift_context)) void *);
typedef __attribute__((swiftcall)) void (*unlock_slow_fn)(__attribute__((swift_context)) void *);
typedef __attribute__((swiftcall)) _Bool (*try_lock_slow_fn)(__attribute__((swift_context)) void *);

static lock_slow_fn library_lock_slow;
static unlock_slow_fn library_unlock_slow;
static try_lock_slow_fn library_try_lock_slow;

static void *library_function(const char *name) {
    void *function = dlsym(RTLD_NEXT, name);
    if (function == NULL) {
        fprintf(stderr, "TSanMutexAnnotations: %s not found in libswiftSynchronization (%s)\n", name, dlerror());
        abort();
    }
    return function;
}

// Resolved before main (and before any thread), so the pointers are never written concurrently.
__attribute__((constructor)) static void tsan_mutex_annotations_resolve(void) {
    library_lock_slow = (lock_slow_fn)library_function(LOCK_SLOW);
    library_unlock_slow = (unlock_slow_fn)library_function(UNLOCK_SLOW);
    library_try_lock_slow = (try_lock_slow_fn)library_function(TRY_LOCK_SLOW);
}

__attribute__((swiftcall)) void tsan_mutex_lock_slow(uint32_t self_id, __attribute__((swift_context)) void *handle)
    __asm__(LOCK_SLOW);
__attribute__((swiftcall)) void tsan_mutex_unlock_slow(__attribute__((swift_context)) void *handle)
    __asm__(UNLOCK_SLOW);
__attribute__((swiftcall)) _Bool tsan_mutex_try_lock_slow(__attribute__((swift_context)) void *handle)
    __asm__(TRY_LOCK_SLOW);

__attribute__((swiftcall)) void tsan_mutex_lock_slow(uint32_t self_id, __attribute__((swift_context)) void *handle) {
    library_lock_slow(self_id, handle);
    __tsan_acquire(handle);
}

__attribute__((swiftcall)) void tsan_mutex_unlock_slow(__attribute__((swift_context)) void *handle) {
    __tsan_release(handle);
    library_unlock_slow(handle);
}

__attribute__((swiftcall)) _Bool tsan_mutex_try_lock_slow(__attribute__((swift_context)) void *handle) {
    _Bool locked = library_try_lock_slow(handle);
    if (locked) __tsan_acquire(handle);
    return locked;
}
#endif
#endif
