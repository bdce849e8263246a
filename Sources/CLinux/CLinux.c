#define _GNU_SOURCE 1
#include <sys/socket.h>
#include "CLinux.h"

int clinux_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

#include <pthread.h>

int clinux_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
