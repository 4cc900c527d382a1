/* Calls and returns: naive Fibonacci, Takeuchi and Ackermann, deep and
 * narrow recursion with almost no work per call. noinline keeps the
 * compilers from turning the recursion into loops. */
#include "kernel.h"

#define NOINLINE __attribute__((noinline))

static NOINLINE uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static NOINLINE int32_t tak(int32_t x, int32_t y, int32_t z)
{
    if (y >= x)
        return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

static NOINLINE uint32_t ack(uint32_t m, uint32_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

/* volatile arguments: nothing can be computed at compile time */
static volatile uint32_t fib_n = 37;
static volatile int32_t tak_x = 30, tak_y = 20, tak_z = 10;
static volatile uint32_t ack_m = 3, ack_n = 10;

int main(void)
{
    uint64_t t0 = kernel_now_ns();
    uint32_t f = fib(fib_n);
    int32_t t = tak(tak_x, tak_y, tak_z);
    uint32_t a = ack(ack_m, ack_n);
    kernel_report(t0);
    printf("fib %u\ntak %d\nack %u\n", f, t, a);
    return 0;
}
