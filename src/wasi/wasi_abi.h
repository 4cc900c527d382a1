/* The facts of WASI preview1's ABI (witx `typenames` of
 * wasi_snapshot_preview1): errno values, rights, flags, and the byte
 * layouts of the structures the guest and the host exchange. Structures
 * are read and written field by field, little-endian, never as C structs,
 * so host padding and alignment cannot leak in. */
#ifndef EBB_WASI_ABI_H
#define EBB_WASI_ABI_H

#include <stdint.h>

/* errno (u16). X(name, value); the host's E<name> maps to it. */
#define WASI_ERRNOS(X) \
    X(2BIG, 1) X(ACCES, 2) X(ADDRINUSE, 3) X(ADDRNOTAVAIL, 4)            \
    X(AFNOSUPPORT, 5) X(AGAIN, 6) X(ALREADY, 7) X(BADF, 8) X(BADMSG, 9)  \
    X(BUSY, 10) X(CANCELED, 11) X(CHILD, 12) X(CONNABORTED, 13)          \
    X(CONNREFUSED, 14) X(CONNRESET, 15) X(DEADLK, 16) X(DESTADDRREQ, 17) \
    X(DOM, 18) X(DQUOT, 19) X(EXIST, 20) X(FAULT, 21) X(FBIG, 22)        \
    X(HOSTUNREACH, 23) X(IDRM, 24) X(ILSEQ, 25) X(INPROGRESS, 26)        \
    X(INTR, 27) X(INVAL, 28) X(IO, 29) X(ISCONN, 30) X(ISDIR, 31)        \
    X(LOOP, 32) X(MFILE, 33) X(MLINK, 34) X(MSGSIZE, 35)                 \
    X(MULTIHOP, 36) X(NAMETOOLONG, 37) X(NETDOWN, 38) X(NETRESET, 39)    \
    X(NETUNREACH, 40) X(NFILE, 41) X(NOBUFS, 42) X(NODEV, 43)            \
    X(NOENT, 44) X(NOEXEC, 45) X(NOLCK, 46) X(NOLINK, 47) X(NOMEM, 48)   \
    X(NOMSG, 49) X(NOPROTOOPT, 50) X(NOSPC, 51) X(NOSYS, 52)             \
    X(NOTCONN, 53) X(NOTDIR, 54) X(NOTEMPTY, 55) X(NOTRECOVERABLE, 56)   \
    X(NOTSOCK, 57) X(NOTSUP, 58) X(NOTTY, 59) X(NXIO, 60)                \
    X(OVERFLOW, 61) X(OWNERDEAD, 62) X(PERM, 63) X(PIPE, 64)             \
    X(PROTO, 65) X(PROTONOSUPPORT, 66) X(PROTOTYPE, 67) X(RANGE, 68)     \
    X(ROFS, 69) X(SPIPE, 70) X(SRCH, 71) X(STALE, 72) X(TIMEDOUT, 73)    \
    X(TXTBSY, 74) X(XDEV, 75)

enum {
    WASI_ESUCCESS = 0,
#define X(name, v) WASI_E##name = v,
    WASI_ERRNOS(X)
#undef X
    WASI_ENOTCAPABLE = 76, /* no host equivalent: a right is missing */
};

/* rights (u64): bit numbers. */
#define WASI_RIGHTS(X)                                                   \
    X(FD_DATASYNC, 0) X(FD_READ, 1) X(FD_SEEK, 2)                        \
    X(FD_FDSTAT_SET_FLAGS, 3) X(FD_SYNC, 4) X(FD_TELL, 5) X(FD_WRITE, 6) \
    X(FD_ADVISE, 7) X(FD_ALLOCATE, 8) X(PATH_CREATE_DIRECTORY, 9)        \
    X(PATH_CREATE_FILE, 10) X(PATH_LINK_SOURCE, 11)                      \
    X(PATH_LINK_TARGET, 12) X(PATH_OPEN, 13) X(FD_READDIR, 14)           \
    X(PATH_READLINK, 15) X(PATH_RENAME_SOURCE, 16)                       \
    X(PATH_RENAME_TARGET, 17) X(PATH_FILESTAT_GET, 18)                   \
    X(PATH_FILESTAT_SET_SIZE, 19) X(PATH_FILESTAT_SET_TIMES, 20)         \
    X(FD_FILESTAT_GET, 21) X(FD_FILESTAT_SET_SIZE, 22)                   \
    X(FD_FILESTAT_SET_TIMES, 23) X(PATH_SYMLINK, 24)                     \
    X(PATH_REMOVE_DIRECTORY, 25) X(PATH_UNLINK_FILE, 26)                 \
    X(POLL_FD_READWRITE, 27) X(SOCK_SHUTDOWN, 28) X(SOCK_ACCEPT, 29)

#define X(name, bit) static const uint64_t WASI_RIGHT_##name = 1ull << bit;
WASI_RIGHTS(X)
#undef X
#define WASI_RIGHTS_ALL ((1ull << 30) - 1)

/* What a regular file, a directory and a stream can be asked to do. */
#define WASI_RIGHTS_FILE                                                  \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |   \
     WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC |                \
     WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE |    \
     WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_GET |                \
     WASI_RIGHT_FD_FILESTAT_SET_SIZE | WASI_RIGHT_FD_FILESTAT_SET_TIMES | \
     WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR                                                   \
    (WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC |                \
     WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_PATH_CREATE_DIRECTORY |          \
     WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE |          \
     WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN |                 \
     WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK |                   \
     WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |      \
     WASI_RIGHT_PATH_FILESTAT_GET | WASI_RIGHT_PATH_FILESTAT_SET_SIZE |   \
     WASI_RIGHT_PATH_FILESTAT_SET_TIMES | WASI_RIGHT_FD_FILESTAT_GET |    \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |         \
     WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |     \
     WASI_RIGHT_POLL_FD_READWRITE)
/* A terminal or pipe: no seek or tell (wasi-libc's isatty looks for that). */
#define WASI_RIGHTS_STREAM \
    (WASI_RIGHTS_FILE & ~(WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL))

/* filetype (u8) */
enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* fdflags (u16), oflags (u16), lookupflags (u32), fstflags (u16) */
enum {
    WASI_FDFLAG_APPEND = 1, WASI_FDFLAG_DSYNC = 2, WASI_FDFLAG_NONBLOCK = 4,
    WASI_FDFLAG_RSYNC = 8, WASI_FDFLAG_SYNC = 16,
    WASI_OFLAG_CREAT = 1, WASI_OFLAG_DIRECTORY = 2, WASI_OFLAG_EXCL = 4,
    WASI_OFLAG_TRUNC = 8,
    WASI_LOOKUP_SYMLINK_FOLLOW = 1,
    WASI_FST_ATIM = 1, WASI_FST_ATIM_NOW = 2, WASI_FST_MTIM = 4,
    WASI_FST_MTIM_NOW = 8,
};

/* whence (u8), clockid (u32), advice (u8), eventtype (u8), preopentype */
enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };
enum {
    WASI_CLOCK_REALTIME = 0, WASI_CLOCK_MONOTONIC = 1,
    WASI_CLOCK_PROCESS_CPUTIME = 2, WASI_CLOCK_THREAD_CPUTIME = 3,
};
enum {
    WASI_ADVICE_NORMAL = 0, WASI_ADVICE_SEQUENTIAL = 1, WASI_ADVICE_RANDOM = 2,
    WASI_ADVICE_WILLNEED = 3, WASI_ADVICE_DONTNEED = 4, WASI_ADVICE_NOREUSE = 5,
};
enum { WASI_EVENT_CLOCK = 0, WASI_EVENT_FD_READ = 1, WASI_EVENT_FD_WRITE = 2 };
enum { WASI_SUBCLOCK_ABSTIME = 1, WASI_EVENT_HANGUP = 1 };
enum { WASI_PREOPEN_DIR = 0 };

/* Layouts: sizes and field offsets in guest memory. */
enum {
    WASI_IOVEC_SIZE = 8,            /* buf u32 @0, buf_len u32 @4 */
    WASI_FDSTAT_SIZE = 24,          /* filetype u8 @0, flags u16 @2,
                                       rights_base u64 @8, inheriting @16 */
    WASI_FILESTAT_SIZE = 64,        /* dev @0, ino @8, filetype u8 @16,
                                       nlink @24, size @32, atim @40,
                                       mtim @48, ctim @56 */
    WASI_DIRENT_SIZE = 24,          /* d_next u64 @0, d_ino u64 @8,
                                       d_namlen u32 @16, d_type u8 @20 */
    WASI_PRESTAT_SIZE = 8,          /* tag u8 @0, pr_name_len u32 @4 */
    WASI_SUBSCRIPTION_SIZE = 48,    /* userdata u64 @0, tag u8 @8, then @16:
                                       clock: id u32 @0, timeout u64 @8,
                                       precision u64 @16, flags u16 @24;
                                       fd_readwrite: fd u32 @0 */
    WASI_EVENT_SIZE = 32,           /* userdata u64 @0, error u16 @8,
                                       type u8 @10, nbytes u64 @16,
                                       flags u16 @24 */
};

#endif
