/* ebb run's limits: parsing --fuel and --timeout, and the timer thread
 * that ends a run by advancing the engine's epoch (the store's deadline is
 * one tick ahead, so the running code traps with "interrupt" at its next
 * function entry or loop iteration). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool cli_parse_fuel(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool cli_parse_duration(const char *s, uint64_t *ns)
{
    if ((*s < '0' || *s > '9') && *s != '.')
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s)
        return false;
    double unit = 1e9; /* a bare number is seconds */
    if (!strcmp(end, "ns"))
        unit = 1;
    else if (!strcmp(end, "us"))
        unit = 1e3;
    else if (!strcmp(end, "ms"))
        unit = 1e6;
    else if (!strcmp(end, "s") || !*end)
        unit = 1e9;
    else if (!strcmp(end, "m"))
        unit = 60e9;
    else if (!strcmp(end, "h"))
        unit = 3600e9;
    else
        return false;
    double t = v * unit;
    if (!(t >= 1) || t > 1e18)
        return false;
    *ns = (uint64_t)t;
    return true;
}

static void *timer_main(void *arg)
{
    cli_timer *t = arg;
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    uint64_t ns = (uint64_t)at.tv_nsec + t->ns % 1000000000u;
    at.tv_sec += (time_t)(t->ns / 1000000000u + ns / 1000000000u);
    at.tv_nsec = (long)(ns % 1000000000u);
    pthread_mutex_lock(&t->lock);
    int rc = 0;
    while (!t->stop && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&t->wake, &t->lock, &at);
    bool fire = !t->stop;
    pthread_mutex_unlock(&t->lock);
    if (fire)
        atomic_fetch_add_explicit(&t->engine->epoch, 1,
                                  memory_order_relaxed);
    return NULL;
}

bool cli_timer_start(cli_timer *t, rt_engine *e, uint64_t ns)
{
    memset(t, 0, sizeof *t);
    t->engine = e;
    t->ns = ns;
    if (pthread_mutex_init(&t->lock, NULL))
        return false;
    if (pthread_cond_init(&t->wake, NULL)) {
        pthread_mutex_destroy(&t->lock);
        return false;
    }
    if (pthread_create(&t->thread, NULL, timer_main, t)) {
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        return false;
    }
    t->started = true;
    return true;
}

void cli_timer_stop(cli_timer *t)
{
    if (!t->started)
        return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    t->started = false;
}
