;; Imports a function no host of `ebb run` supplies, beside the sightglass
;; markers bench.start and bench.end, which `ebb run` supplies as no-ops.
(module
  (import "bench" "start" (func))
  (import "bench" "end" (func))
  (import "bench" "lap" (func))
  (func (export "_start") (call 0) (call 1) (call 2)))
