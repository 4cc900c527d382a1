;; Instructions the translator could join (a pair, a fused access, a
;; compare-and-branch) on either side of a `block` or `if` start, an
;; `else`, an `end` and a loop's start. The last three are branch targets:
;; what follows one must stay apart from what precedes it. Each function's
;; result depends on every instruction on both sides.
(module
  (memory 1)
  (data (i32.const 0) "\10\20\30\40\50\60\70\80")
  ;; xor then rotl (a listed pair) across a block start
  (func (export "block_pair") (param $a i32) (param $b i32) (result i32)
    (local $x i32)
    (local.set $x (i32.xor (local.get $a) (local.get $b)))
    (block
      (local.set $x (i32.rotl (local.get $x) (i32.const 7)))
      (br_if 0 (i32.eqz (local.get $a)))
      (local.set $x (i32.add (local.get $x) (i32.const 1))))
    (local.get $x))
  ;; an add, then an if whose condition is a load at that address
  (func (export "if_access") (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (i32.add (local.get $p) (i32.const 1)))
    (if (result i32) (i32.load8_u (local.get $q))
      (then (i32.add (local.get $q) (i32.const 100)))
      (else (i32.sub (local.get $q) (i32.const 100)))))
  ;; the last of the then-arm and the first of the else-arm, and the last
  ;; before an end and the first after it, are listed pairs
  (func (export "else_end") (param $a i32) (param $b i32) (result i32)
    (local $x i32)
    (if (local.get $a)
      (then (local.set $x (i32.xor (local.get $a) (local.get $b))))
      (else (local.set $x (i32.rotl (local.get $x) (i32.const 7)))))
    (block
      (br_if 0 (i32.eqz (local.get $b)))
      (local.set $x (i32.add (local.get $x) (local.get $b))))
    (local.set $x (i32.xor (local.get $x) (i32.const 0x55)))
    (local.get $x))
  ;; loop: the add before it and the add at its start stay apart, or the
  ;; back edge would skip the first add
  (func (export "loop_start") (param $n i32) (result i32)
    (local $x i32) (local $i i32)
    (local.set $x (i32.add (local.get $n) (i32.const 3)))
    (loop $l
      (local.set $x (i32.add (local.get $x) (i32.const 5)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x))
  ;; a compare before a block, branched on inside it
  (func (export "block_cmp") (param $a i32) (param $b i32) (result i32)
    (block $out (result i32)
      (block
        (drop (br_if $out (i32.const 7) (i32.lt_s (local.get $a) (local.get $b)))))
      (i32.const 9)))
  ;; block params: the value made before the block is consumed inside
  (func (export "block_param") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b))
    (block (param i32) (result i32)
      (i32.rotl (i32.const 3))))
)
(assert_return (invoke "block_pair" (i32.const 0x12345678) (i32.const 0x0f0f0f0f)) (i32.const 2645343119))
(assert_return (invoke "block_pair" (i32.const 0) (i32.const 0x0f0f0f0f)) (i32.const 2273806215))
(assert_return (invoke "if_access" (i32.const 2)) (i32.const 103))
(assert_return (invoke "if_access" (i32.const 9)) (i32.const 4294967206))
(assert_return (invoke "else_end" (i32.const 1) (i32.const 2)) (i32.const 80))
(assert_return (invoke "else_end" (i32.const 0) (i32.const 2)) (i32.const 87))
(assert_return (invoke "else_end" (i32.const 5) (i32.const 0)) (i32.const 80))
(assert_return (invoke "loop_start" (i32.const 4)) (i32.const 27))
(assert_return (invoke "loop_start" (i32.const 0)) (i32.const 8))
(assert_return (invoke "block_cmp" (i32.const 1) (i32.const 2)) (i32.const 7))
(assert_return (invoke "block_cmp" (i32.const 2) (i32.const 1)) (i32.const 9))
(assert_return (invoke "block_param" (i32.const 0x40000000) (i32.const 0x40000001)) (i32.const 12))
