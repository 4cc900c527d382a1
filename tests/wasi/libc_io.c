/* A program as wasi-libc users write them: stdio, dirent, unistd and
 * sys/stat on files under the preopened directory "sandbox", with the
 * call patterns of the C library rather than raw WASI calls. Its stdout is
 * compared with libc_io.expected. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints a directory's entries, sorted, "." and ".." left out. */
static void list(const char *path)
{
    DIR *d = opendir(path);
    CHECK(d != NULL);
    if (!d)
        return;
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    printf("%s:", path);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void files(void)
{
    FILE *f = fopen("sandbox/notes.txt", "w");
    CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 1; i <= 3; i++)
        fprintf(f, "line %d\n", i);
    CHECK(fclose(f) == 0);
    f = fopen("sandbox/notes.txt", "a+");
    CHECK(f != NULL);
    fputs("line 4\n", f);
    rewind(f);
    char buf[64];
    int lines = 0;
    while (fgets(buf, sizeof buf, f))
        lines++;
    fclose(f);
    printf("lines: %d\n", lines);
    struct stat st;
    CHECK(stat("sandbox/notes.txt", &st) == 0);
    printf("size: %lld, regular: %d\n", (long long)st.st_size,
           S_ISREG(st.st_mode));
    /* Missing files and escapes fail with errno set. */
    errno = 0;
    CHECK(fopen("sandbox/missing.txt", "r") == NULL && errno == ENOENT);
    CHECK(fopen("sandbox/../outside.txt", "w") == NULL && errno != 0);
    CHECK(fopen("/etc/passwd", "r") == NULL);
}

static void directories(void)
{
    CHECK(mkdir("sandbox/dir", 0755) == 0);
    CHECK(mkdir("sandbox/dir", 0755) == -1 && errno == EEXIST);
    CHECK(mkdir("sandbox/dir/sub", 0755) == 0);
    int fd = open("sandbox/dir/b.txt", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    CHECK(write(fd, "bee", 3) == 3);
    CHECK(close(fd) == 0);
    CHECK(rename("sandbox/notes.txt", "sandbox/dir/a.txt") == 0);
    list("sandbox");
    list("sandbox/dir");
    CHECK(rmdir("sandbox/dir") == -1 && errno == ENOTEMPTY);
    CHECK(symlink("a.txt", "sandbox/dir/link") == 0);
    char target[32];
    ssize_t n = readlink("sandbox/dir/link", target, sizeof target - 1);
    CHECK(n == 5);
    target[n > 0 ? n : 0] = 0;
    printf("link -> %s\n", target);
    struct stat st;
    CHECK(lstat("sandbox/dir/link", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat("sandbox/dir/link", &st) == 0 && S_ISREG(st.st_mode));
    /* Relative paths after chdir, which wasi-libc emulates. */
    CHECK(chdir("sandbox/dir") == 0);
    CHECK(access("b.txt", R_OK) == 0);
    CHECK(unlink("b.txt") == 0);
    CHECK(unlink("link") == 0);
    CHECK(unlink("a.txt") == 0);
    CHECK(rmdir("sub") == 0);
    CHECK(chdir("..") == 0);
    list("dir");
}

int main(int argc, char **argv)
{
    printf("argc: %d, first: %s\n", argc, argc > 1 ? argv[1] : "-");
    printf("GREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "-");
    CHECK(time(NULL) > 1577836800);
    files();
    directories();
    return guest_finish();
}
