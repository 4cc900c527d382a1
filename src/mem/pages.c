/* The page layer for linear memories: reservations whose committed part
 * is counted on an owner. */
#include "mem_internal.h"

#include "../os/os.h"

void *mem_pages_reserve(size_t len, bool dense)
{
    if (mem_fail_now())
        return NULL;
    return os_reserve(len, dense);
}

bool mem_pages_commit(mem_owner *o, mem_cat c, void *p, size_t len)
{
    if (mem_fail_now() || !os_commit(p, len))
        return false;
    mem_count_add(o, c, len);
    mem_mapped_add(len);
    return true;
}

void mem_pages_decommit(mem_owner *o, mem_cat c, void *p, size_t len)
{
    os_decommit(p, len);
    mem_pages_uncount(o, c, len);
}

void mem_pages_uncount(mem_owner *o, mem_cat c, size_t len)
{
    mem_count_sub(o, c, len);
    mem_mapped_sub(len);
}

void mem_pages_release(void *p, size_t len)
{
    os_release(p, len);
}
