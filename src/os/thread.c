/* Threads with small explicit stacks, processor count, clock. */
#include "os.h"

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

unsigned os_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

typedef struct start {
    void (*fn)(void *);
    void *arg;
} start;

/* The start record sits on the creator's stack, which waits until the
 * new thread has copied it: starting a thread allocates nothing. */
static void *trampoline(void *p)
{
    start st = *(start *)p;
    /* Copied: clearing fn releases the creator. */
    __atomic_store_n(&((start *)p)->fn, (void (*)(void *))0,
                     __ATOMIC_RELEASE);
    st.fn(st.arg);
    return NULL;
}

bool os_thread_start(void (*fn)(void *), void *arg, size_t stack_size)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return false;
    size_t sz = os_page_round(stack_size);
    if (sz < (size_t)PTHREAD_STACK_MIN)
        sz = (size_t)PTHREAD_STACK_MIN;
    bool ok = pthread_attr_setstacksize(&attr, sz) == 0 &&
              pthread_attr_setdetachstate(&attr,
                                          PTHREAD_CREATE_DETACHED) == 0;
    start st = {fn, arg};
    pthread_t th;
    ok = ok && pthread_create(&th, &attr, trampoline, &st) == 0;
    pthread_attr_destroy(&attr);
    if (!ok)
        return false;
    /* Wait until the thread has copied its start record off our stack. */
    while (__atomic_load_n(&st.fn, __ATOMIC_ACQUIRE))
        sched_yield();
    return true;
}

/* (opendir takes a small block from the C library for the listing and
 * gives it back before returning.) */
int os_thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

uint64_t os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t os_stack_room(void)
{
    pthread_attr_t attr;
    void *lo;
    size_t size;
    char here;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return SIZE_MAX;
    int rc = pthread_attr_getstack(&attr, &lo, &size);
    pthread_attr_destroy(&attr);
    if (rc != 0 || (uintptr_t)&here < (uintptr_t)lo)
        return SIZE_MAX;
    return (size_t)((uintptr_t)&here - (uintptr_t)lo);
}
