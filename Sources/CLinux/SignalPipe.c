// Process signals as bytes on a pipe (the self-pipe technique).
//
// Why not Dispatch signal sources: on Linux, libdispatch reads signals from a signalfd that
// only sees a signal while it is blocked, and blocks it lazily: the first delivery runs its
// handler on whichever thread the kernel picked, which blocks the signal there and re-sends
// it with pthread_kill to the thread that registered the source. When the thread that later
// drains libdispatch's epoll set is not that thread, the signalfd never becomes readable
// for it, and the signal stays pending forever: modeld then ignored a SIGTERM (seen once in
// twenty end-to-end runs under CPU contention). A handler that writes one byte works on
// whatever thread the kernel picks, and needs no signal mask anywhere.
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include "CLinux.h"

/// The write end the handler writes to; -1 when no pipe is open.
static _Atomic int signal_pipe_write_end = -1;

static void signal_pipe_handler(int number) {
    int saved = errno;
    int fd = atomic_load(&signal_pipe_write_end);
    if (fd >= 0) {
        unsigned char byte = (unsigned char)number;
        // Non-blocking: with 64 KiB of signals unread, more of them are dropped.
        (void)!write(fd, &byte, 1);
    }
    errno = saved;
}

int clinux_signal_pipe_open(const int *signals, int count) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return -1;
    int flags = fcntl(ends[1], F_GETFL);
    if (flags < 0 || fcntl(ends[1], F_SETFL, flags | O_NONBLOCK) != 0) goto fail;
    int expected = -1;
    if (!atomic_compare_exchange_strong(&signal_pipe_write_end, &expected, ends[1])) {
        errno = EBUSY;
        goto fail;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = signal_pipe_handler;
    action.sa_flags = SA_RESTART;
    sigfillset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) {
            int saved = errno;
            clinux_signal_pipe_close(signals, i);
            close(ends[0]);
            errno = saved;
            return -1;
        }
    }
    return ends[0];
fail:
    {
        int saved = errno;
        close(ends[0]);
        close(ends[1]);
        errno = saved;
    }
    return -1;
}

void clinux_signal_pipe_close(const int *signals, int count) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    for (int i = 0; i < count; i++) sigaction(signals[i], &action, NULL);
    int fd = atomic_exchange(&signal_pipe_write_end, -1);
    if (fd >= 0) close(fd);
}
