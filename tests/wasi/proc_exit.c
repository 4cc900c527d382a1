/* proc_exit: the process ends at once with the guest's code (the runner
 * checks 42), after what was written before it; nothing after it runs. */
#include "guest.h"

int main(void)
{
    CHECK_OK(guest_write(1, "before exit\n"));
    __wasi_proc_exit(42);
    CHECK_OK(guest_write(1, "after exit\n"));
    return guest_finish();
}
