(module
  ;; spin: never returns; count(n): n loop iterations, returns n.
  (func (export "spin") (loop $l (br $l)))
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))
