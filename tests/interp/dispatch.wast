;; A `br` back to a loop whose head ends in a br_table (a C interpreter's
;; dispatch loop) gets its own copy of the head. The stack machine below
;; runs a program from memory: its head fetches the opcode (a load that can
;; trap, or a call) and dispatches; the cases jump back. Entries of the
;; table go to blocks already closed when a case is translated, to blocks
;; still open, to the loop itself and out of it.
(module
  (memory 1)
  ;; ops: 0 halt, 1 push imm8, 2 add, 3 mul, 4 dup, 5 jnz back imm8, 6 dec,
  ;; 7 nop (the table jumps straight back to the loop), 8 swap, other: trap
  (data (i32.const 0) "\01\0a\06\04\05\03\01\07\02\07\00")
  (data (i32.const 100) "\01\03\01\04\03\07\07\01\05\02\00")
  (data (i32.const 200) "\01\02\09")
  (data (i32.const 65534) "\01\05")
  (global $calls (mut i32) (i32.const 0))
  (func $fetch (param $pc i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.load8_u (local.get $pc)))
  (func $run (export "run") (param $pc i32) (result i64)
    (local $sp i32) (local $op i32) (local $a i64)
    (local.set $sp (i32.const 1024))
    (block $done
      (loop $next
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (block $bad (block $swap (block $dec (block $jnz (block $dup
        (block $mul (block $add (block $push
          (br_table $done $push $add $mul $dup $jnz $dec $next $swap $bad
                    (local.get $op)))
        ;; push imm8
        (local.set $sp (i32.sub (local.get $sp) (i32.const 8)))
        (i64.store (local.get $sp) (i64.load8_u (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (br $next))
        ;; add
        (i64.store offset=8 (local.get $sp)
          (i64.add (i64.load offset=8 (local.get $sp)) (i64.load (local.get $sp))))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (br $next))
        ;; mul
        (i64.store offset=8 (local.get $sp)
          (i64.mul (i64.load offset=8 (local.get $sp)) (i64.load (local.get $sp))))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (br $next))
        ;; dup
        (local.set $sp (i32.sub (local.get $sp) (i32.const 8)))
        (i64.store (local.get $sp) (i64.load offset=8 (local.get $sp)))
        (br $next))
        ;; jnz back: pops; when nonzero, pc -= imm8 (counted from the op)
        (local.set $a (i64.load (local.get $sp)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (if (i64.ne (local.get $a) (i64.const 0))
          (then (local.set $pc (i32.sub (local.get $pc)
                                        (i32.load8_u (local.get $pc))))
                (br $next)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (br $next))
        ;; dec
        (i64.store (local.get $sp) (i64.sub (i64.load (local.get $sp)) (i64.const 1)))
        (br $next))
        ;; swap
        (local.set $a (i64.load (local.get $sp)))
        (i64.store (local.get $sp) (i64.load offset=8 (local.get $sp)))
        (i64.store offset=8 (local.get $sp) (local.get $a))
        (br $next))
      unreachable))
    (i64.load (local.get $sp)))
  ;; the same machine (push, add, halt) with the opcode fetched by a call
  (func (export "run_call") (param $pc i32) (result i64)
    (local $acc i64)
    (global.set $calls (i32.const 0))
    (block $done
      (loop $next
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (block $add (block $push
          (br_table $done $push $add $next
                    (call $fetch (i32.sub (local.get $pc) (i32.const 1)))))
        (local.set $acc (i64.add (local.get $acc) (i64.load8_u (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (br $next))
        (local.set $acc (i64.mul (local.get $acc) (i64.const 2)))
        (br $next)))
    (i64.add (i64.mul (local.get $acc) (i64.const 1000))
             (i64.extend_i32_u (global.get $calls))))
)
;; count 10 down to 0 (dec, dup, jnz), then push 7, add, nop: 7
(assert_return (invoke "run" (i32.const 0)) (i64.const 7))
;; (3 * 4), two nops, push 5, add: 17
(assert_return (invoke "run" (i32.const 100)) (i64.const 17))
;; op 9 is not an op
(assert_trap (invoke "run" (i32.const 200)) "unreachable")
;; the fetch in the head runs off the end of memory: first in the loop's
;; own head, then in the copy the push case jumps back through
(assert_trap (invoke "run" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "run" (i32.const 65534)) "out of bounds memory access")

(module
  (memory 1)
  (data (i32.const 0) "\01\03\02\01\04\02\03\00")
  (func $fetch (param $pc i32) (result i32) (i32.load8_u (local.get $pc)))
  (func (export "run_call") (param $pc i32) (result i64)
    (local $acc i64) (local $n i32)
    (block $done
      (loop $next
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (block $add (block $push
          (br_table $done $push $add $next
                    (call $fetch (i32.sub (local.get $pc) (i32.const 1)))))
        (local.set $acc (i64.add (local.get $acc) (i64.load8_u (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (br $next))
        (local.set $acc (i64.mul (local.get $acc) (i64.const 2)))
        (br $next)))
    (i64.add (i64.mul (local.get $acc) (i64.const 1000))
             (i64.extend_i32_u (local.get $n))))
)
;; push 3, double, push 4, double, nop, halt: ((3*2)+4)*2 = 20, 6 fetches
(assert_return (invoke "run_call" (i32.const 0)) (i64.const 20006))
(assert_trap (invoke "run_call" (i32.const 65536)) "out of bounds memory access")
