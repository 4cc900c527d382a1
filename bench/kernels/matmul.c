/* Dense double matrix multiply, i-k-j order: streaming loads and
 * multiply-adds over rows, the loop a compiler would vectorise. */
#include "kernel.h"

#include <stdlib.h>

enum { N = 384, REPEAT = 8 };

int main(void)
{
    double *a = malloc(sizeof(double) * N * N);
    double *b = malloc(sizeof(double) * N * N);
    double *c = malloc(sizeof(double) * N * N);
    if (!a || !b || !c)
        return 1;
    /* small integers over 8: every product and sum is exact, so the order
     * of additions cannot change the result */
    for (int i = 0; i < N * N; i++) {
        a[i] = (double)(kernel_rand() % 17) / 8.0;
        b[i] = (double)(kernel_rand() % 17) / 8.0 - 1.0;
    }
    uint64_t t0 = kernel_now_ns();
    double check = 0;
    for (int r = 0; r < REPEAT; r++) {
        for (int i = 0; i < N * N; i++)
            c[i] = 0;
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double aik = a[i * N + k];
                for (int j = 0; j < N; j++)
                    c[i * N + j] += aik * b[k * N + j];
            }
        /* feed the result back in, so each repeat is new work */
        for (int i = 0; i < N * N; i++) {
            check += c[i] * (double)((i % 7) + 1);
            a[i] = (double)((int64_t)c[i] % 17) / 8.0;
        }
    }
    kernel_report(t0);
    printf("checksum %.6f\n", check);
    free(a);
    free(b);
    free(c);
    return 0;
}
