// malloc_count.c - an LD_PRELOAD shim that counts heap allocations for `scripts/bench http`.
//
// Every malloc/calloc/realloc/memalign family call adds one allocation and its size to three
// 64-bit counters (allocs, bytes, frees) kept in a file mapped MAP_SHARED: $MALLOC_COUNT_FILE.
// The benchmark reads that file while the server is still running, so neither the exit path
// nor a signal handler is involved. realloc counts as an allocation, as valgrind counts it.
// We call glibc's __libc_* entry points instead of dlsym(RTLD_NEXT), which itself allocates.
//
// Build: cc -O2 -shared -fPIC -o malloc_count.so malloc_count.c
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

struct counters {
    uint64_t allocs;
    uint64_t bytes;
    uint64_t frees;
};

// Counts made before the constructor maps the file (dynamic-loader start-up) land here.
static struct counters early;
static struct counters *counters = &early;

__attribute__((constructor)) static void map_counter_file(void) {
    const char *path = getenv("MALLOC_COUNT_FILE");
    if (path == NULL) return;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    if (ftruncate(fd, sizeof(struct counters)) == 0) {
        void *mapped = mmap(NULL, sizeof(struct counters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (mapped != MAP_FAILED) {
            struct counters *shared = mapped;
            *shared = early;
            counters = shared;
        }
    }
    close(fd);
}

static void count_allocation(size_t size) {
    __atomic_add_fetch(&counters->allocs, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&counters->bytes, size, __ATOMIC_RELAXED);
}

void *malloc(size_t size) {
    count_allocation(size);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_allocation(count * size);
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    count_allocation(size);
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    if (pointer != NULL) __atomic_add_fetch(&counters->frees, 1, __ATOMIC_RELAXED);
    __libc_free(pointer);
}

void *memalign(size_t alignment, size_t size) {
    count_allocation(size);
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    return memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *pointer = memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}
