/* Sorting a PRNG array: quicksort (median of three, insertion sort for
 * short ranges) and a top-down merge sort. Compares, swaps, unpredictable
 * branches and recursion. */
#include "kernel.h"

#include <stdlib.h>
#include <string.h>

enum { N = 2000000, SMALL = 16 };

static void insertion(uint32_t *a, int lo, int hi)
{
    for (int i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void swap(uint32_t *a, int i, int j)
{
    uint32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void quicksort(uint32_t *a, int lo, int hi)
{
    while (hi - lo > SMALL) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo]) swap(a, mid, lo);
        if (a[hi] < a[lo]) swap(a, hi, lo);
        if (a[hi] < a[mid]) swap(a, hi, mid);
        uint32_t pivot = a[mid];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j)
                swap(a, i++, j--);
        }
        /* recurse into the smaller side, loop on the larger */
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    insertion(a, lo, hi);
}

static void merge_sort(uint32_t *a, uint32_t *tmp, int lo, int hi)
{
    if (hi - lo <= SMALL) {
        insertion(a, lo, hi);
        return;
    }
    int mid = lo + (hi - lo) / 2;
    merge_sort(a, tmp, lo, mid);
    merge_sort(a, tmp, mid + 1, hi);
    int i = lo, j = mid + 1, k = lo;
    while (i <= mid && j <= hi)
        tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    while (i <= mid)
        tmp[k++] = a[i++];
    while (j <= hi)
        tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, sizeof(uint32_t) * (size_t)(hi - lo + 1));
}

static uint64_t check(const uint32_t *a, int n, int *sorted)
{
    uint64_t h = 0;
    *sorted = 1;
    for (int i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i])
            *sorted = 0;
        h = h * 1000003u + a[i];
    }
    return h;
}

int main(void)
{
    uint32_t *orig = malloc(sizeof(uint32_t) * N);
    uint32_t *a = malloc(sizeof(uint32_t) * N);
    uint32_t *tmp = malloc(sizeof(uint32_t) * N);
    if (!orig || !a || !tmp)
        return 1;
    for (int i = 0; i < N; i++)
        orig[i] = kernel_rand() % 1000000; /* with duplicates */
    uint64_t t0 = kernel_now_ns();
    memcpy(a, orig, sizeof(uint32_t) * N);
    quicksort(a, 0, N - 1);
    int qs_sorted;
    uint64_t qs = check(a, N, &qs_sorted);
    memcpy(a, orig, sizeof(uint32_t) * N);
    merge_sort(a, tmp, 0, N - 1);
    int ms_sorted;
    uint64_t ms = check(a, N, &ms_sorted);
    kernel_report(t0);
    printf("quicksort %s %llu\nmergesort %s %llu\nmedian %u\n",
           qs_sorted ? "sorted" : "UNSORTED", (unsigned long long)qs,
           ms_sorted ? "sorted" : "UNSORTED", (unsigned long long)ms,
           a[N / 2]);
    free(orig);
    free(a);
    free(tmp);
    return 0;
}
