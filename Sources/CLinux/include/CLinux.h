// Linux headers that Swift's Glibc module does not expose, plus tiny shims for macros.
#ifndef MODELD_CLINUX_H
#define MODELD_CLINUX_H

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/// Reads the thread's errno (a macro in glibc).
static inline int clinux_errno(void) { return errno; }

/// Monotonic time in nanoseconds.
static inline uint64_t clinux_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/// Wall-clock seconds since the epoch (for the HTTP Date header).
static inline int64_t clinux_realtime_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

/// Accepts a connection as non-blocking and close-on-exec.
int clinux_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *len);

/// Names the calling thread (at most 15 bytes), as shown by top -H and gdb.
int clinux_set_thread_name(const char *name);

/// Installs, for each of `signals`, a handler that writes the signal's number as one byte to
/// a new pipe, and returns the pipe's (blocking, close-on-exec) read end; -1 with errno set
/// on failure, EBUSY if a signal pipe is already open (there is one per process).
int clinux_signal_pipe_open(const int *signals, int count);

/// Ignores `signals` from now on (shutdown is under way by then) and closes the pipe's write end, so a reader
/// blocked on the read end sees end of file. The reader closes the read end.
void clinux_signal_pipe_close(const int *signals, int count);

/// Creates a non-blocking, close-on-exec socket.
static inline int clinux_socket_nonblocking(int domain, int type) {
    return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/// Pins glibc's mmap threshold (which also stops its dynamic growth); returns 1 on success.
static inline int clinux_pin_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

/// Returns free heap memory to the system (glibc `malloc_trim(0)`); 1 if any was released.
static inline int clinux_malloc_trim(void) { return malloc_trim(0); }

#endif
