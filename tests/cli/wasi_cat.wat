;; A WASI command: prints the guest name of preopen fd 3, then the file
;; in.txt read through it, then tries ../in.txt and exits with that errno
;; (76, ENOTCAPABLE, when the sandbox holds).
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "in.txt")
  (data (i32.const 80) "../in.txt")
  ;; Writes $n bytes at $p to stdout.
  (func $write (param $p i32) (param $n i32)
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32))))
  (func (export "_start")
    (drop (call $fd_prestat_get (i32.const 3) (i32.const 0)))
    (drop (call $fd_prestat_dir_name (i32.const 3) (i32.const 100) (i32.load (i32.const 4))))
    (i32.store8 (i32.add (i32.const 100) (i32.load (i32.const 4))) (i32.const 10))
    (call $write (i32.const 100) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
    (drop (call $path_open (i32.const 3) (i32.const 1) (i32.const 64) (i32.const 6)
                           (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0)
                           (i32.const 200)))
    (i32.store (i32.const 40) (i32.const 1024))
    (i32.store (i32.const 44) (i32.const 4096))
    (drop (call $fd_read (i32.load (i32.const 200)) (i32.const 40) (i32.const 1)
                         (i32.const 208)))
    (call $write (i32.const 1024) (i32.load (i32.const 208)))
    (call $proc_exit
      (call $path_open (i32.const 3) (i32.const 1) (i32.const 80) (i32.const 9)
                       (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0)
                       (i32.const 200)))))
