/* Nothing accumulates: 1000 cycles of engine -> compile -> instantiate ->
 * run -> destroy leave RssAnon after cycle 1000 within 16 KiB of where it
 * was after cycle 10, and ebb's counters at 0 after every cycle. Runs in a
 * fresh process of its own. */
#include "../unit/check.h"
#include "memtest.h"
#include "guests.h"

static char outbuf[4096];

enum { CYCLES = 1000, REF = 10, GROWTH_KIB = 16 };

/* Serial: a guest with one object of every kind. Parallel: a module big
 * enough for the compile pool, so that every cycle starts workers (and
 * their stacks) and ends them again. */
static int case_cycles(bool serial)
{
    size_t len, wlen = 0;
    char *wat = serial ? NULL : guest_many_funcs(64, &wlen);
    uint8_t *bytes = mt_wat(serial ? guest_mixed : wat, &len);
    if (wat)
        munmap(wat, wlen);
    if (!bytes)
        return 1;
    const char *invoke = serial ? "run" : "f63";
    uint64_t want = serial ? 3628800 : 40 * 63 + 780;
    long at_ref = 0, first = mt_rss_anon();
    unsigned bad_runs = 0, nonzero = 0;
    for (int c = 1; c <= CYCLES; c++) {
        uint64_t r = 0;
        if (!mt_one_pass(bytes, len, serial, invoke, &r) || r != want)
            bad_runs++;
        if (!rt_stats_all_zero(NULL, 0))
            nonzero++;
        if (c == REF)
            at_ref = mt_rss_anon();
    }
    long last = mt_rss_anon();
    printf("  %d cycles (%s): RssAnon before %ld, after cycle %d %ld, after "
           "cycle %d %ld KiB (%+ld); failed runs %u, cycles with counters "
           "not 0: %u\n", CYCLES, serial ? "serial" : "parallel", first,
           REF, at_ref, CYCLES, last, last - at_ref, bad_runs, nonzero);
    mt_unload(bytes, len);
    return bad_runs == 0 && nonzero == 0 && last - at_ref <= GROWTH_KIB
               ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
    if (argc >= 3 && !strcmp(argv[1], "--case"))
        return case_cycles(!strcmp(argv[2], "serial"));
    static const char *const modes[] = {"serial", "parallel"};
    for (int i = 0; i < 2; i++) {
        const char *a[] = {"--case", modes[i], NULL};
        CHECK(mt_spawn(a), "%d cycles (%s): growth <= %d KiB, counters 0",
              CYCLES, modes[i], GROWTH_KIB);
    }
    return check_summary();
}
