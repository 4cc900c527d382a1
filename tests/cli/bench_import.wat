;; Imports a function no host of `ebb run` supplies.
(module
  (import "bench" "start" (func))
  (func (export "_start") (call 0)))
