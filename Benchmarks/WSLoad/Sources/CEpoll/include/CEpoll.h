// <sys/epoll.h>, which Swift's Glibc module does not export; ws-load calls epoll directly.
#ifndef WSLOAD_CEPOLL_H
#define WSLOAD_CEPOLL_H
#include <sys/epoll.h>
#endif
