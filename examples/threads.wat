;; Sums 1..n in a loop and reports through a host function.
(module
  (import "host" "report" (func $report (param i32 i64)))
  (func (export "run") (param $id i32) (param $n i64)
    (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $sum (i64.add (local.get $sum) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (call $report (local.get $id) (local.get $sum))))
