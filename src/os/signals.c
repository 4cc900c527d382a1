/* The fault handler: a SIGSEGV or SIGBUS raised while this thread runs
 * Wasm code, at an address inside one of the running store's linear-memory
 * reservations, is an out-of-bounds access. The handler jumps back to the
 * scope's entry, which reports the trap. Every other fault belongs to
 * whoever handled signals before ebb (a sanitizer, the embedder, or the
 * default action), and goes there unchanged. */
#include "os.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

static struct sigaction old_segv, old_bus;
static bool installed;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

/* The innermost scope of this thread (NULL: not running Wasm). */
static _Thread_local os_trap_scope *current;

/* Each thread that runs Wasm gets an alternate signal stack, unless it
 * has one, so the handler has room whatever state the thread's stack is
 * in. It is unmapped when the thread exits (the key's destructor). */
#define ALT_STACK_SIZE (64 * 1024)
static _Thread_local bool alt_checked;
static pthread_key_t alt_key;
static bool alt_key_ok;

static void chain(int sig, siginfo_t *info, void *uc)
{
    const struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, info, uc);
        return;
    }
    if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    /* Default action: restore it. A hardware fault then happens again on
     * return and kills the process with the right signal; a signal sent
     * by someone is raised again. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    if (info->si_code <= 0)
        raise(sig);
}

/* The general registers of the interrupted code, then the words at its
 * stack pointer. The faulting code is the interpreter loop, stopped in
 * the middle of its own frame, with callers above it: the words read are
 * mapped stack. (Not instrumented by AddressSanitizer: they may include
 * the redzones it puts between locals.) */
#if defined(__GNUC__)
__attribute__((no_sanitize_address))
#endif
static void save_regs(os_trap_scope *s, const void *uc)
{
    memset(s->regs, 0, sizeof s->regs);
    int n = 0;
    const uintptr_t *sp = NULL;
#if defined(__x86_64__) && defined(__linux__)
    const ucontext_t *u = uc;
    for (; n < NGREG && n < OS_TRAP_NREGS - OS_TRAP_NSTACK; n++)
        s->regs[n] = (uintptr_t)u->uc_mcontext.gregs[n];
    sp = (const uintptr_t *)u->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__) && defined(__linux__)
    const ucontext_t *u = uc;
    for (; n < 31 && n < OS_TRAP_NREGS - OS_TRAP_NSTACK; n++)
        s->regs[n] = (uintptr_t)u->uc_mcontext.regs[n];
    sp = (const uintptr_t *)u->uc_mcontext.sp;
#else
    (void)uc;
#endif
    for (int i = 0; sp && i < OS_TRAP_NSTACK; i++)
        s->regs[n + i] = sp[i];
}

static void on_fault(int sig, siginfo_t *info, void *uc)
{
    os_trap_scope *s = current;
    if (s && info->si_code > 0 &&
        s->contains(s->arg, (uintptr_t)info->si_addr)) {
        save_regs(s, uc);
        /* The scope's owner resumes; faults from now on belong to the
         * scopes outside it. */
        current = s->prev;
        siglongjmp(s->jb, 1);
    }
    chain(sig, info, uc);
}

static void alt_stack_free(void *p)
{
    stack_t off;
    memset(&off, 0, sizeof off);
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, NULL);
    os_release(p, ALT_STACK_SIZE);
}

static void install(void)
{
    alt_key_ok = pthread_key_create(&alt_key, alt_stack_free) == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    /* SA_NODEFER: leaving the handler by siglongjmp must not leave the
     * signal blocked, and a jump buffer that saves no mask is cheap. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &old_segv) != 0)
        return;
    if (sigaction(SIGBUS, &sa, &old_bus) != 0) {
        sigaction(SIGSEGV, &old_segv, NULL);
        return;
    }
    installed = true;
}

bool os_trap_install(void)
{
    pthread_once(&install_once, install);
    return installed;
}

static void ensure_alt_stack(void)
{
    alt_checked = true;
    stack_t cur;
    if (!alt_key_ok || sigaltstack(NULL, &cur) != 0 ||
        !(cur.ss_flags & SS_DISABLE))
        return; /* someone (a sanitizer, the embedder) gave it one */
    void *p = os_map(ALT_STACK_SIZE);
    if (!p)
        return;
    stack_t st;
    memset(&st, 0, sizeof st);
    st.ss_sp = p;
    st.ss_size = ALT_STACK_SIZE;
    if (sigaltstack(&st, NULL) != 0 || pthread_setspecific(alt_key, p)) {
        alt_stack_free(p);
        return;
    }
}

void os_trap_enter(os_trap_scope *s)
{
    if (!alt_checked)
        ensure_alt_stack();
    s->prev = current;
    current = s;
}

void os_trap_leave(os_trap_scope *s)
{
    current = s->prev;
}

os_trap_scope *os_trap_suspend(void)
{
    os_trap_scope *s = current;
    current = NULL;
    return s;
}

void os_trap_resume(os_trap_scope *s)
{
    current = s;
}
