/* The unit tests' assertions: count, report FILE:LINE on failure, and end
 * with the runner's closing line "N passed, N failed". */
#ifndef EBB_TESTS_CHECK_H
#define EBB_TESTS_CHECK_H

#include <stdio.h>

static unsigned passed, failed;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (cond) {                                        \
            passed++;                                      \
        } else {                                           \
            failed++;                                      \
            printf("%s:%d: ", __FILE__, __LINE__);         \
            printf(__VA_ARGS__);                           \
            putchar('\n');                                 \
        }                                                  \
    } while (0)

/* An assertion whose message is its own source text. */
#define EXPECT(cond) CHECK(cond, "%s", #cond)

/* Prints the closing line; the exit status of the test. */
static inline int check_summary(void)
{
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}

#endif
