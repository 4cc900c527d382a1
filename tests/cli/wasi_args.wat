;; A WASI command: prints its arguments (after the program name), then its
;; environment, one per line, and exits with the number of arguments.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "\n")
  ;; Writes the NUL-terminated string at $p and a newline.
  (func $puts (param $p i32) (local $n i32)
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $scan)))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $n))
    (i32.store (i32.const 24) (i32.const 8))
    (i32.store (i32.const 28) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 32))))
  ;; Prints strings $from.. of the $count pointers at $vec.
  (func $put_all (param $vec i32) (param $count i32) (param $from i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $from) (local.get $count)))
        (call $puts (i32.load (i32.add (local.get $vec)
                                       (i32.shl (local.get $from) (i32.const 2)))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $next))))
  (func (export "_start")
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    (call $put_all (i32.const 1024) (i32.load (i32.const 0)) (i32.const 1))
    (drop (call $environ_sizes_get (i32.const 40) (i32.const 44)))
    (drop (call $environ_get (i32.const 2048) (i32.const 16384)))
    (call $put_all (i32.const 2048) (i32.load (i32.const 40)) (i32.const 0))
    (call $proc_exit (i32.sub (i32.load (i32.const 0)) (i32.const 1)))))
