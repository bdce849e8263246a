// floor_server: a reference row for `scripts/bench ws`, not a server anyone should run. It
// does the least a WebSocket room fan-out can do on Linux TCP, so its figures show how much
// of a fan-out's latency is the kernel's and the generator's, whatever the server.
//
//   floor-server PORT [--uring] [--threads N]
//
// N threads (default: one per online CPU), each with its own SO_REUSEPORT listener and epoll
// set. `GET /ws...` with a Sec-WebSocket-Key is answered 101 and the socket joins that
// thread's member list (members never read again: ws-load's subscribers send nothing).
// `POST ...` with a Content-Length body is answered 200 `{}`; the body is framed once as a
// text frame and every thread writes it to each of its members: one send(2) per member, or
// with --uring one IORING_OP_SEND per member submitted 256 at a time through one
// io_uring_enter. Anything else is answered 200 `{"status":"ok"}` (the readiness check).
// No checks, no limits, no coalescing, no backpressure: a member whose buffer is full
// misses the message (ws-load would count it missing).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { MAX_THREADS = 64, MAX_FD = 1 << 17, INPUT_BYTES = 4096, URING_BATCH = 256 };

/// One published message: the frame every member gets, freed by the last thread done with it.
struct message {
    unsigned char *frame;
    size_t length;
    atomic_int pending_threads;
    struct message *next;
};

/// One loop: its listener, epoll set, members, the messages other threads handed it, and
/// (with --uring) its submission and completion rings.
struct loop {
    int epoll, wake, listener;
    int *members, member_count, member_capacity;
    pthread_mutex_t inbox_lock;
    struct message *inbox_head, *inbox_tail;
    int ring;
    unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail;
    struct io_uring_sqe *sqes;
};

static struct loop loops[MAX_THREADS];
static int thread_count, use_uring;
static char *input[MAX_FD];
static int input_length[MAX_FD];

static void die(const char *what) { perror(what); exit(1); }

static void ring_setup(struct loop *loop) {
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    loop->ring = (int)syscall(__NR_io_uring_setup, URING_BATCH, &params);
    if (loop->ring < 0) die("io_uring_setup");
    size_t sq_bytes = params.sq_off.array + params.sq_entries * sizeof(unsigned);
    size_t cq_bytes = params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
    char *sq = mmap(0, sq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, loop->ring, IORING_OFF_SQ_RING);
    char *cq = mmap(0, cq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, loop->ring, IORING_OFF_CQ_RING);
    loop->sqes = mmap(0, params.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, loop->ring, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || loop->sqes == MAP_FAILED) die("mmap io_uring");
    loop->sq_tail = (unsigned *)(sq + params.sq_off.tail);
    loop->sq_mask = (unsigned *)(sq + params.sq_off.ring_mask);
    loop->sq_array = (unsigned *)(sq + params.sq_off.array);
    loop->cq_head = (unsigned *)(cq + params.cq_off.head);
    loop->cq_tail = (unsigned *)(cq + params.cq_off.tail);
}

/// Writes `message` to every member of `loop`, then drops this thread's reference.
static void fan_out(struct loop *loop, struct message *message) {
    if (!use_uring) {
        for (int i = 0; i < loop->member_count; i++)
            send(loop->members[i], message->frame, message->length, MSG_DONTWAIT | MSG_NOSIGNAL);
    } else {
        for (int first = 0; first < loop->member_count; first += URING_BATCH) {
            int count = loop->member_count - first < URING_BATCH ? loop->member_count - first : URING_BATCH;
            unsigned tail = *loop->sq_tail;
            for (int k = 0; k < count; k++) {
                unsigned slot = (tail + k) & *loop->sq_mask;
                struct io_uring_sqe *sqe = &loop->sqes[slot];
                memset(sqe, 0, sizeof *sqe);
                sqe->opcode = IORING_OP_SEND;
                sqe->fd = loop->members[first + k];
                sqe->addr = (uint64_t)(uintptr_t)message->frame;
                sqe->len = (unsigned)message->length;
                sqe->msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
                loop->sq_array[slot] = slot;
            }
            atomic_store_explicit((_Atomic unsigned *)loop->sq_tail, tail + count, memory_order_release);
            // Waiting for `count` completions: non-blocking sends complete inline anyway.
            syscall(__NR_io_uring_enter, loop->ring, count, count, IORING_ENTER_GETEVENTS, NULL, 0);
            unsigned done = atomic_load_explicit((_Atomic unsigned *)loop->cq_tail, memory_order_acquire);
            atomic_store_explicit((_Atomic unsigned *)loop->cq_head, done, memory_order_release);
        }
    }
    if (atomic_fetch_sub(&message->pending_threads, 1) == 1) {
        free(message->frame);
        free(message);
    }
}

static void reply(int fd, const char *text) { send(fd, text, strlen(text), MSG_NOSIGNAL); }

static void accept_key(const char *key, size_t key_length, char out[29]) {
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char joined[128];
    int joined_length = snprintf(joined, sizeof joined, "%.*s%s", (int)key_length, key, guid);
    unsigned char digest[21] = {0};
    SHA1((unsigned char *)joined, (size_t)joined_length, digest);
    for (int i = 0, o = 0; i < 21; i += 3, o += 4) {
        unsigned v = (unsigned)digest[i] << 16 | (unsigned)digest[i + 1] << 8 | digest[i + 2];
        out[o] = alphabet[v >> 18 & 63];
        out[o + 1] = alphabet[v >> 12 & 63];
        out[o + 2] = alphabet[v >> 6 & 63];
        out[o + 3] = alphabet[v & 63];
    }
    out[27] = '=';  // 20 bytes: 27 characters and one pad
    out[28] = 0;
}

static void publish(struct loop *self, const char *body, int body_length) {
    struct message *message = calloc(1, sizeof *message);
    message->frame = malloc((size_t)body_length + 4);
    size_t head = 2;
    message->frame[0] = 0x81;
    if (body_length < 126) {
        message->frame[1] = (unsigned char)body_length;
    } else {
        message->frame[1] = 126;
        message->frame[2] = (unsigned char)(body_length >> 8);
        message->frame[3] = (unsigned char)body_length;
        head = 4;
    }
    memcpy(message->frame + head, body, (size_t)body_length);
    message->length = head + (size_t)body_length;
    atomic_init(&message->pending_threads, thread_count);
    for (int i = 0; i < thread_count; i++) {
        struct loop *other = &loops[i];
        if (other == self) continue;
        pthread_mutex_lock(&other->inbox_lock);
        if (other->inbox_tail) other->inbox_tail->next = message; else other->inbox_head = message;
        other->inbox_tail = message;
        pthread_mutex_unlock(&other->inbox_lock);
        uint64_t one = 1;
        if (write(other->wake, &one, sizeof one) < 0) die("eventfd write");
    }
    fan_out(self, message);
}

static void close_connection(struct loop *loop, int fd) {
    epoll_ctl(loop->epoll, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    if (fd < MAX_FD) input_length[fd] = 0;
}

/// Reads what `fd` sent and answers every complete request in it.
static void serve(struct loop *loop, int fd) {
    if (fd >= MAX_FD) return close_connection(loop, fd);
    if (!input[fd]) input[fd] = malloc(INPUT_BYTES + 1);
    char *buffer = input[fd];
    for (;;) {
        if (input_length[fd] == INPUT_BYTES) return close_connection(loop, fd);
        ssize_t n = recv(fd, buffer + input_length[fd], (size_t)(INPUT_BYTES - input_length[fd]), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN)) return close_connection(loop, fd);
        if (n < 0) break;
        input_length[fd] += (int)n;
    }
    for (;;) {
        buffer[input_length[fd]] = 0;
        char *end = strstr(buffer, "\r\n\r\n");
        if (!end) return;
        *end = 0;  // header searches stop at the head
        int head_length = (int)(end + 4 - buffer), body_length = 0;
        char *length_field = strcasestr(buffer, "\r\ncontent-length:");
        if (length_field) body_length = atoi(length_field + 17);
        if (body_length < 0 || head_length + body_length > INPUT_BYTES) return close_connection(loop, fd);
        if (input_length[fd] < head_length + body_length) { *end = '\r'; return; }
        char *key = strcasestr(buffer, "\r\nsec-websocket-key:");
        if (!strncmp(buffer, "GET /ws", 7) && key) {
            key += 20;
            while (*key == ' ') key++;
            char accept[29], response[192];
            accept_key(key, strcspn(key, "\r\n "), accept);
            snprintf(response, sizeof response, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
            epoll_ctl(loop->epoll, EPOLL_CTL_DEL, fd, NULL);
            reply(fd, response);
            if (loop->member_count == loop->member_capacity) {
                loop->member_capacity = loop->member_capacity ? 2 * loop->member_capacity : 1024;
                loop->members = realloc(loop->members, (size_t)loop->member_capacity * sizeof(int));
            }
            loop->members[loop->member_count++] = fd;
            input_length[fd] = 0;
            return;
        }
        if (!strncmp(buffer, "POST ", 5)) {
            reply(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            publish(loop, buffer + head_length, body_length);
        } else {
            reply(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}");
        }
        int used = head_length + body_length;
        memmove(buffer, buffer + used, (size_t)(input_length[fd] - used));
        input_length[fd] -= used;
    }
}

static void take_inbox(struct loop *loop) {
    uint64_t count;
    if (read(loop->wake, &count, sizeof count) < 0 && errno != EAGAIN) die("eventfd read");
    pthread_mutex_lock(&loop->inbox_lock);
    struct message *message = loop->inbox_head;
    loop->inbox_head = loop->inbox_tail = NULL;
    pthread_mutex_unlock(&loop->inbox_lock);
    while (message) {
        struct message *next = message->next;
        fan_out(loop, message);
        message = next;
    }
}

static void *run(void *argument) {
    struct loop *loop = argument;
    if (use_uring) ring_setup(loop);
    struct epoll_event events[256];
    for (;;) {
        int ready = epoll_wait(loop->epoll, events, 256, -1);
        if (ready < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (fd == loop->listener) {
                int client;
                while ((client = accept4(loop->listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int one = 1;
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct epoll_event event = {.events = EPOLLIN, .data.fd = client};
                    epoll_ctl(loop->epoll, EPOLL_CTL_ADD, client, &event);
                }
            } else if (fd == loop->wake) {
                take_inbox(loop);
            } else {
                serve(loop, fd);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: floor-server PORT [--uring] [--threads N]\n"); return 2; }
    int port = atoi(argv[1]);
    thread_count = (int)sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--uring")) use_uring = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) thread_count = atoi(argv[++i]);
    }
    if (thread_count < 1 || thread_count > MAX_THREADS) thread_count = 2;
    pthread_t threads[MAX_THREADS];
    for (int i = 0; i < thread_count; i++) {
        struct loop *loop = &loops[i];
        pthread_mutex_init(&loop->inbox_lock, NULL);
        loop->epoll = epoll_create1(0);
        loop->wake = eventfd(0, EFD_NONBLOCK);
        loop->listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        int one = 1;
        setsockopt(loop->listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
        struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (bind(loop->listener, (struct sockaddr *)&address, sizeof address) || listen(loop->listener, 4096)) die("listen");
        struct epoll_event event = {.events = EPOLLIN, .data.fd = loop->listener};
        epoll_ctl(loop->epoll, EPOLL_CTL_ADD, loop->listener, &event);
        event.data.fd = loop->wake;
        epoll_ctl(loop->epoll, EPOLL_CTL_ADD, loop->wake, &event);
    }
    for (int i = 0; i < thread_count; i++) pthread_create(&threads[i], NULL, run, &loops[i]);
    pthread_join(threads[0], NULL);
    return 0;
}
