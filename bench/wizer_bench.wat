;; The `bench` module that bench/bench.sh preloads into Wasmtime (through
;; `wizer --preload bench=...`) for the sightglass programs, whose
;; bench.start / bench.end imports land here. start reads WASI's monotonic
;; clock; end reads it again and writes "@@bench-ns=N@@" to stderr, N the
;; nanoseconds between the two. bench.sh takes that text out of the
;; program's stderr before comparing it with the expected file. The clock
;; and the message live in this module's own memory, so the program's
;; memory and state are never touched.
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: the clock's result (u64); 8: bytes written; 16: the iovec;
  ;; 200: the prefix. The message is built backwards from 130: the closing
  ;; "@@" at 128, the digits before it, the prefix copied in front. (One
  ;; iovec: fd_write may stop after the first.)
  (data (i32.const 200) "@@bench-ns=")
  (data (i32.const 128) "@@")
  (global $t0 (mut i64) (i64.const 0))

  (func $now (result i64)
    ;; clock 1 = monotonic, precision 1 ns
    (if (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0))
      (then unreachable))
    (i64.load (i32.const 0)))

  (func (export "start")
    (global.set $t0 (call $now)))

  (func (export "end")
    (local $d i64) (local $p i32)
    (local.set $d (i64.sub (call $now) (global.get $t0)))
    (local.set $p (i32.const 128))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48)
          (i32.wrap_i64 (i64.rem_u (local.get $d) (i64.const 10)))))
      (local.set $d (i64.div_u (local.get $d) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $d) (i64.const 0))))
    (local.set $p (i32.sub (local.get $p) (i32.const 11)))
    (memory.copy (local.get $p) (i32.const 200) (i32.const 11))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (i32.sub (i32.const 130) (local.get $p)))
    (if (call $fd_write (i32.const 2) (i32.const 16) (i32.const 1) (i32.const 8))
      (then unreachable))))
