/* Pages of virtual memory: reserve, commit, give back, release. */
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

size_t os_page_size(void)
{
    /* Atomic: threads may ask first at the same time (all store the same
     * value, but a plain variable would still be a data race). */
    static _Atomic size_t page;
    size_t v = atomic_load_explicit(&page, memory_order_relaxed);
    if (!v) {
        long p = sysconf(_SC_PAGESIZE);
        v = p > 0 ? (size_t)p : 4096;
        atomic_store_explicit(&page, v, memory_order_relaxed);
    }
    return v;
}

size_t os_page_round(size_t n)
{
    size_t p = os_page_size();
    if (n > SIZE_MAX - (p - 1))
        return 0;
    return (n + p - 1) & ~(p - 1);
}

void *os_reserve(size_t len, bool dense)
{
    /* MAP_NORESERVE: a 4 GiB reservation must not count against the
     * overcommit limit; committed pages are paid for when touched. */
    void *p = mmap(NULL, len, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_NOHUGEPAGE
    if (!dense)
        (void)madvise(p, len, MADV_NOHUGEPAGE); /* advice: may fail */
#endif
    return p;
}

bool os_commit(void *p, size_t len)
{
    return len == 0 || mprotect(p, len, PROT_READ | PROT_WRITE) == 0;
}

bool os_decommit(void *p, size_t len)
{
    if (len == 0)
        return true;
    /* Drop the contents first, so the pages leave RSS even if the
     * protection change were to fail. */
    bool ok = madvise(p, len, MADV_DONTNEED) == 0;
    return mprotect(p, len, PROT_NONE) == 0 && ok;
}

bool os_discard(void *p, size_t len)
{
    return len == 0 || madvise(p, len, MADV_DONTNEED) == 0;
}

void os_release(void *p, size_t len)
{
    if (p && len)
        munmap(p, len);
}

void *os_map(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void *os_remap(void *p, size_t old_len, size_t new_len)
{
    void *q = mremap(p, old_len, new_len, MREMAP_MAYMOVE);
    return q == MAP_FAILED ? NULL : q;
}

bool os_populate(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
    if (len == 0)
        return true;
    uintptr_t page = os_page_size();
    uintptr_t a = (uintptr_t)p & ~(page - 1);
    uintptr_t b = ((uintptr_t)p + len + page - 1) & ~(page - 1);
    return madvise((void *)a, b - a, MADV_POPULATE_WRITE) == 0;
#else
    (void)p;
    (void)len;
    return false;
#endif
}

void *os_map_huge(size_t len)
{
#ifdef MADV_HUGEPAGE
    /* Map a huge page more than asked, keep the aligned part. */
    size_t span = len + OS_HUGE_PAGE;
    if (span < len)
        return NULL;
    char *raw = os_map(span);
    if (!raw)
        return NULL;
    char *p = (char *)(((uintptr_t)raw + OS_HUGE_PAGE - 1) &
                       ~(uintptr_t)(OS_HUGE_PAGE - 1));
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    char *end = raw + span;
    if (p + len < end)
        munmap(p + len, (size_t)(end - (p + len)));
    (void)madvise(p, len, MADV_HUGEPAGE); /* advice: may fail */
    return p;
#else
    return os_map(len);
#endif
}

const void *os_map_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    void *p = MAP_FAILED;
    if (fstat(fd, &st) != 0)
        goto out;
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uintmax_t)st.st_size > SIZE_MAX) {
        errno = ENODEV;
        goto out;
    }
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED)
        *len = (size_t)st.st_size;
out:;
    int saved = errno;
    close(fd); /* the mapping keeps the file */
    errno = saved;
    return p == MAP_FAILED ? NULL : p;
}
