/* fannkuch-redux: permutations and prefix reversals of a small array;
 * short data-dependent loops, no memory traffic to speak of. */
#include "kernel.h"

enum { N = 10 };

static void fannkuch(int n, int *checksum, int *max_flips)
{
    int perm[16], perm1[16], count[16];
    int flips_max = 0, sum = 0, perm_count = 0;
    for (int i = 0; i < n; i++)
        perm1[i] = i;
    int r = n;
    for (;;) {
        while (r != 1) {
            count[r - 1] = r;
            r--;
        }
        for (int i = 0; i < n; i++)
            perm[i] = perm1[i];
        int flips = 0;
        for (int k = perm[0]; k != 0; k = perm[0]) {
            for (int i = 0, j = k; i < j; i++, j--) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            flips++;
        }
        if (flips > flips_max)
            flips_max = flips;
        sum += perm_count % 2 == 0 ? flips : -flips;
        /* next permutation in the counting order */
        for (;;) {
            if (r == n) {
                *checksum = sum;
                *max_flips = flips_max;
                return;
            }
            int p0 = perm1[0];
            for (int i = 0; i < r; i++)
                perm1[i] = perm1[i + 1];
            perm1[r] = p0;
            count[r]--;
            if (count[r] > 0)
                break;
            r++;
        }
        perm_count++;
    }
}

int main(void)
{
    uint64_t t0 = kernel_now_ns();
    int checksum = 0, max_flips = 0;
    fannkuch(N, &checksum, &max_flips);
    kernel_report(t0);
    printf("%d\nPfannkuchen(%d) = %d\n", checksum, N, max_flips);
    return 0;
}
