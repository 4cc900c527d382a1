/* args_* and environ_*: the runner passes the arguments "one", "two words"
 * and "" and the environment FOO=bar, EMPTY= and EBB_WASI_INHERIT (its
 * value taken from the host's environment, "inherited"). Nothing else of
 * the host's environment may be visible. */
#include <stdlib.h>

#include "guest.h"

static void test_args(void)
{
    __wasi_size_t argc = 0, size = 0;
    CHECK_OK(__wasi_args_sizes_get(&argc, &size));
    CHECK(argc == 4);
    if (argc != 4 || size > 4096)
        return;
    char *argv[4];
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    CHECK_OK(__wasi_args_get((uint8_t **)argv, (uint8_t *)buf));
    CHECK(strstr(argv[0], "args_env") != NULL);
    CHECK(!strcmp(argv[1], "one"));
    CHECK(!strcmp(argv[2], "two words"));
    CHECK(!strcmp(argv[3], ""));
    /* The strings are packed, NUL-terminated, and fill exactly `size`. */
    CHECK(argv[0] == buf);
    CHECK(argv[3] + 1 == buf + size);
    CHECK(buf[size] == 'x');
    /* Pointers outside linear memory fail with EFAULT, not a crash. */
    CHECK_ERRNO(raw_args_get(FAR_ADDR, ADDR(buf)), __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_args_get(ADDR(argv), FAR_ADDR), __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_args_sizes_get(FAR_ADDR, ADDR(&size)),
                __WASI_ERRNO_FAULT);
}

static const char *find_env(char **env, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (!strncmp(env[i], name, len) && env[i][len] == '=')
            return env[i] + len + 1;
    return NULL;
}

static void test_environ(void)
{
    __wasi_size_t count = 0, size = 0;
    CHECK_OK(__wasi_environ_sizes_get(&count, &size));
    CHECK(count == 3);
    if (count != 3 || size > 4096)
        return;
    char *env[3];
    char buf[4096];
    CHECK_OK(__wasi_environ_get((uint8_t **)env, (uint8_t *)buf));
    const char *v = find_env(env, 3, "FOO");
    CHECK(v && !strcmp(v, "bar"));
    v = find_env(env, 3, "EMPTY");
    CHECK(v && !strcmp(v, ""));
    v = find_env(env, 3, "EBB_WASI_INHERIT");
    CHECK(v && !strcmp(v, "inherited"));
    CHECK(find_env(env, 3, "PATH") == NULL);
    CHECK(env[2] + strlen(env[2]) + 1 == buf + size);
    CHECK_ERRNO(raw_environ_get(FAR_ADDR, ADDR(buf)), __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_environ_get(ADDR(env), FAR_ADDR), __WASI_ERRNO_FAULT);
    CHECK_ERRNO(raw_environ_sizes_get(ADDR(&count), FAR_ADDR),
                __WASI_ERRNO_FAULT);
    /* wasi-libc's getenv reads the same data. */
    CHECK(getenv("FOO") && !strcmp(getenv("FOO"), "bar"));
    CHECK(getenv("HOME") == NULL);
}

int main(void)
{
    test_args();
    test_environ();
    return guest_finish();
}
