;; Elementwise kernels and reductions of the compiled CPU step in WebAssembly SIMD, in place on the
;; CPU backend's kernel memory (src/backend/cpu/wasm/): the twins of fused.ts's epilogue and
;; activation gradient, of elementwise.ts's broadcasting binary ops and of reduce.ts's sums. Products and sums are float32 operations in the
;; twin's order (its Math.fround chain), so those results are the twin's bits; sums accumulate in
;; float64 like the twin, two lanes at a time, so only the order of the float64 additions differs.
;; Arguments are byte offsets into the memory and element counts.
(module
  (import "env" "memory" (memory 1))

  ;; c[i, j] = act(c[i, j] + bias[j]) over rows x n, in place; act 0 linear, 1 relu (max(x, 0):
  ;; NaN stays NaN, -0 becomes 0, as Math.max in the twin).
  (func (export "bias_act") (param $c i32) (param $bias i32) (param $rows i32) (param $n i32) (param $act i32)
    (local $r i32) (local $j i32) (local $end4 i32) (local $row i32) (local $x v128) (local $s f32)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $rdone
      (loop $rows
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $c) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.ge_u (local.get $j) (local.get $end4)))
            (local.set $x (f32x4.add (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                                     (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
            (if (local.get $act) (then (local.set $x (f32x4.max (local.get $x) (v128.const f32x4 0 0 0 0)))))
            (v128.store (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))) (local.get $x))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $vec)))
        (block $sdone
          (loop $scalar
            (br_if $sdone (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $s (f32.add (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                                   (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
            (if (local.get $act) (then (local.set $s (f32.max (local.get $s) (f32.const 0)))))
            (f32.store (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))) (local.get $s))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $scalar)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; The activation's gradient from its output y: o = dy where y > 0 (act 0, relu), dy (y (1 - y))
  ;; (1, sigmoid), dy (1 - y^2) (2, tanh), over n elements.
  (func (export "activation_grad") (param $dy i32) (param $y i32) (param $o i32) (param $n i32) (param $act i32)
    (local $i i32) (local $end4 i32) (local $at i32) (local $yv v128) (local $g v128) (local $ys f32) (local $gs f32)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $yv (v128.load (i32.add (local.get $y) (local.get $at))))
        (local.set $g (v128.load (i32.add (local.get $dy) (local.get $at))))
        (v128.store (i32.add (local.get $o) (local.get $at))
          (if (result v128) (i32.eqz (local.get $act))
            (then (v128.and (local.get $g) (f32x4.gt (local.get $yv) (v128.const f32x4 0 0 0 0))))
            (else
              (if (result v128) (i32.eq (local.get $act) (i32.const 1))
                (then (f32x4.mul (local.get $g)
                        (f32x4.mul (local.get $yv) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $yv)))))
                (else (f32x4.mul (local.get $g)
                        (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $yv) (local.get $yv)))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $sdone
      (loop $scalar
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $ys (f32.load (i32.add (local.get $y) (local.get $at))))
        (local.set $gs (f32.load (i32.add (local.get $dy) (local.get $at))))
        (f32.store (i32.add (local.get $o) (local.get $at))
          (if (result f32) (i32.eqz (local.get $act))
            (then (select (local.get $gs) (f32.const 0) (f32.gt (local.get $ys) (f32.const 0))))
            (else
              (if (result f32) (i32.eq (local.get $act) (i32.const 1))
                (then (f32.mul (local.get $gs) (f32.mul (local.get $ys) (f32.sub (f32.const 1) (local.get $ys)))))
                (else (f32.mul (local.get $gs) (f32.sub (f32.const 1) (f32.mul (local.get $ys) (local.get $ys)))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scalar))))

  ;; o[i, j] = sum over r of a[i, r, j] for a read as [outer, reduced, inner], in float64 and
  ;; rounded once: a row sum (inner = 1), a bias gradient (outer = 1), per-channel statistics.
  (func (export "sum_split") (param $a i32) (param $o i32) (param $outer i32) (param $reduced i32) (param $inner i32)
    (local $i i32) (local $j i32) (local $r i32) (local $end4 i32) (local $base i32) (local $p i32) (local $stride i32)
    (local $x v128) (local $lo v128) (local $hi v128) (local $s f64)
    (local.set $end4 (i32.and (local.get $inner) (i32.const -4)))
    (local.set $stride (i32.shl (local.get $inner) (i32.const 2)))
    (block $odone
      (loop $outers
        (br_if $odone (i32.ge_u (local.get $i) (local.get $outer)))
        (local.set $base (i32.add (local.get $a)
          (i32.shl (i32.mul (i32.mul (local.get $i) (local.get $reduced)) (local.get $inner)) (i32.const 2))))
        (if (i32.eq (local.get $inner) (i32.const 1))
          (then
            ;; One row: four lanes in two float64 pairs, then the last reduced mod 4 elements.
            (local.set $lo (f64x2.splat (f64.const 0)))
            (local.set $hi (f64x2.splat (f64.const 0)))
            (local.set $r (i32.const 0))
            (block $rdone
              (loop $rvec
                (br_if $rdone (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $reduced)))
                (local.set $x (v128.load (i32.add (local.get $base) (i32.shl (local.get $r) (i32.const 2)))))
                (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $x))))
                (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))))
                (local.set $r (i32.add (local.get $r) (i32.const 4)))
                (br $rvec)))
            (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
            (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo))))
            (block $tdone
              (loop $tail
                (br_if $tdone (i32.ge_u (local.get $r) (local.get $reduced)))
                (local.set $s (f64.add (local.get $s)
                  (f64.promote_f32 (f32.load (i32.add (local.get $base) (i32.shl (local.get $r) (i32.const 2)))))))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $tail)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $i) (i32.const 2))) (f32.demote_f64 (local.get $s))))
          (else
            ;; Columns four at a time down the reduced rows, then the last inner mod 4 columns.
            (local.set $j (i32.const 0))
            (block $cdone
              (loop $cols
                (br_if $cdone (i32.ge_u (local.get $j) (local.get $end4)))
                (local.set $lo (f64x2.splat (f64.const 0)))
                (local.set $hi (f64x2.splat (f64.const 0)))
                (local.set $p (i32.add (local.get $base) (i32.shl (local.get $j) (i32.const 2))))
                (local.set $r (i32.const 0))
                (block $rdone2
                  (loop $down
                    (br_if $rdone2 (i32.ge_u (local.get $r) (local.get $reduced)))
                    (local.set $x (v128.load (local.get $p)))
                    (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $x))))
                    (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))))
                    (local.set $p (i32.add (local.get $p) (local.get $stride)))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br $down)))
                (v128.store
                  (i32.add (local.get $o) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $inner)) (local.get $j)) (i32.const 2)))
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                    (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $cols)))
            (block $cdone2
              (loop $tcols
                (br_if $cdone2 (i32.ge_u (local.get $j) (local.get $inner)))
                (local.set $s (f64.const 0))
                (local.set $p (i32.add (local.get $base) (i32.shl (local.get $j) (i32.const 2))))
                (local.set $r (i32.const 0))
                (block $rdone3
                  (loop $down2
                    (br_if $rdone3 (i32.ge_u (local.get $r) (local.get $reduced)))
                    (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $p)))))
                    (local.set $p (i32.add (local.get $p) (local.get $stride)))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br $down2)))
                (f32.store
                  (i32.add (local.get $o) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $inner)) (local.get $j)) (i32.const 2)))
                  (f32.demote_f64 (local.get $s)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tcols)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outers))))

  ;; Broadcasting binary ops, o = a (op) b, the twins of elementwise.ts's binary kernels: op 0 add,
  ;; 1 sub, 2 mul, 3 div (float32 operations: the twin's float64 result rounded once), 4 equal,
  ;; 5 notEqual, 6 greater, 7 greaterEqual, 8 less, 9 lessEqual (1 or 0; NaN compares unequal).
  ;; The output is contiguous: `outer` blocks of `rows` rows of `len` elements. Along a row a and b
  ;; step by sa and sb elements (1, or 0 for an operand broadcast along it); from row to row by
  ;; ra and rb, from block to block by oa and ob (elements; 0 where broadcast). indexing.ts's
  ;; rowPlan gives these; axes outside the three innermost are walked by the caller.
  (func (export "binary") (param $op i32) (param $o i32) (param $a i32) (param $b i32)
                          (param $len i32) (param $sa i32) (param $sb i32)
                          (param $rows i32) (param $ra i32) (param $rb i32)
                          (param $outer i32) (param $oa i32) (param $ob i32)
    (local $q i32) (local $r i32) (local $rowA i32) (local $rowB i32)
    (block $qdone
      (loop $blocks
        (br_if $qdone (i32.ge_u (local.get $q) (local.get $outer)))
        (local.set $rowA (i32.add (local.get $a) (i32.shl (i32.mul (local.get $q) (local.get $oa)) (i32.const 2))))
        (local.set $rowB (i32.add (local.get $b) (i32.shl (i32.mul (local.get $q) (local.get $ob)) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rdone
          (loop $each
            (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
            (call $binaryRow (local.get $op) (local.get $o) (local.get $rowA) (local.get $rowB)
                             (local.get $len) (local.get $sa) (local.get $sb))
            (local.set $o (i32.add (local.get $o) (i32.shl (local.get $len) (i32.const 2))))
            (local.set $rowA (i32.add (local.get $rowA) (i32.shl (local.get $ra) (i32.const 2))))
            (local.set $rowB (i32.add (local.get $rowB) (i32.shl (local.get $rb) (i32.const 2))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $each)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $blocks))))

  ;; One row of `binary`: len elements, a broadcast operand's one value splatted once.
  (func $binaryRow (param $op i32) (param $o i32) (param $a i32) (param $b i32) (param $len i32)
                   (param $sa i32) (param $sb i32)
    (local $j i32) (local $end4 i32) (local $xs v128) (local $ys v128) (local $da i32) (local $db i32)
    (local.set $end4 (i32.and (local.get $len) (i32.const -4)))
    (local.set $xs (v128.load32_splat (local.get $a)))
    (local.set $ys (v128.load32_splat (local.get $b)))
    (local.set $da (i32.shl (local.get $sa) (i32.const 4)))
    (local.set $db (i32.shl (local.get $sb) (i32.const 4)))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.ge_u (local.get $j) (local.get $end4)))
        (v128.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
          (call $op4 (local.get $op)
            (if (result v128) (local.get $sa) (then (v128.load (local.get $a))) (else (local.get $xs)))
            (if (result v128) (local.get $sb) (then (v128.load (local.get $b))) (else (local.get $ys)))))
        (local.set $a (i32.add (local.get $a) (local.get $da)))
        (local.set $b (i32.add (local.get $b) (local.get $db)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vec)))
    (local.set $da (i32.shr_u (local.get $da) (i32.const 2)))
    (local.set $db (i32.shr_u (local.get $db) (i32.const 2)))
    (block $sdone
      (loop $scalar
        (br_if $sdone (i32.ge_u (local.get $j) (local.get $len)))
        (f32.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
          (call $op1 (local.get $op) (f32.load (local.get $a)) (f32.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (local.get $da)))
        (local.set $b (i32.add (local.get $b) (local.get $db)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $scalar))))

  (func $op4 (param $op i32) (param $x v128) (param $y v128) (result v128)
    (block $le (block $lt (block $ge (block $gt (block $ne (block $eq (block $div (block $mul (block $sub (block $add
      (br_table $add $sub $mul $div $eq $ne $gt $ge $lt $le $le (local.get $op)))
      (return (f32x4.add (local.get $x) (local.get $y))))
      (return (f32x4.sub (local.get $x) (local.get $y))))
      (return (f32x4.mul (local.get $x) (local.get $y))))
      (return (f32x4.div (local.get $x) (local.get $y))))
      (return (v128.and (f32x4.eq (local.get $x) (local.get $y)) (v128.const f32x4 1 1 1 1))))
      (return (v128.and (f32x4.ne (local.get $x) (local.get $y)) (v128.const f32x4 1 1 1 1))))
      (return (v128.and (f32x4.gt (local.get $x) (local.get $y)) (v128.const f32x4 1 1 1 1))))
      (return (v128.and (f32x4.ge (local.get $x) (local.get $y)) (v128.const f32x4 1 1 1 1))))
      (return (v128.and (f32x4.lt (local.get $x) (local.get $y)) (v128.const f32x4 1 1 1 1))))
    (v128.and (f32x4.le (local.get $x) (local.get $y)) (v128.const f32x4 1 1 1 1)))

  (func $op1 (param $op i32) (param $x f32) (param $y f32) (result f32)
    (block $le (block $lt (block $ge (block $gt (block $ne (block $eq (block $div (block $mul (block $sub (block $add
      (br_table $add $sub $mul $div $eq $ne $gt $ge $lt $le $le (local.get $op)))
      (return (f32.add (local.get $x) (local.get $y))))
      (return (f32.sub (local.get $x) (local.get $y))))
      (return (f32.mul (local.get $x) (local.get $y))))
      (return (f32.div (local.get $x) (local.get $y))))
      (return (f32.convert_i32_u (f32.eq (local.get $x) (local.get $y)))))
      (return (f32.convert_i32_u (f32.ne (local.get $x) (local.get $y)))))
      (return (f32.convert_i32_u (f32.gt (local.get $x) (local.get $y)))))
      (return (f32.convert_i32_u (f32.ge (local.get $x) (local.get $y)))))
      (return (f32.convert_i32_u (f32.lt (local.get $x) (local.get $y)))))
    (f32.convert_i32_u (f32.le (local.get $x) (local.get $y))))

  ;; o = max(a, 0) over n elements, the twin of elementwise.ts's relu (Math.max: NaN stays NaN,
  ;; -0 becomes 0, as f32x4.max and f32.max give).
  (func (export "relu") (param $a i32) (param $o i32) (param $n i32)
    (local $i i32) (local $end4 i32) (local $at i32)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $o) (local.get $at))
          (f32x4.max (v128.load (i32.add (local.get $a) (local.get $at))) (v128.const f32x4 0 0 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $sdone
      (loop $scalar
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $o) (local.get $at))
          (f32.max (f32.load (i32.add (local.get $a) (local.get $at))) (f32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scalar)))))
