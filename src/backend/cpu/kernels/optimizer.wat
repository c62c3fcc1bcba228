;; The fused optimizer updates in WebAssembly SIMD, four weights per step, in place on the CPU
;; backend's kernel memory (src/backend/cpu/wasm/): the twins of optimizer.ts's and rmsprop.ts's
;; float32 loops.
;; Every operation is a float32 operation in the same order as the twin's Math.fround chain (a
;; float64 +, -, *, / or sqrt rounded once to float32 is the float32 operation: double rounding
;; is innocuous at 53 bits), and there is no fused multiply-add, so results are the twin's bits.
;;
;; Arguments are byte offsets into the memory; an output offset of 0 (never handed out) means
;; "not wanted". n elements; the last n mod 4 go through the scalar tail, the same arithmetic.
(module
  (import "env" "memory" (memory 1))

  ;; Adam / AdamW: m' = b1 m + c1 g, v' = b2 v + c2 g^2, w' = (w - w d) - (m' / (sqrt(v') + eps)) a,
  ;; with c1 = 1 - b1, c2 = 1 - b2 rounded by the caller, and a (step size) and d (decoupled decay
  ;; times the learning rate) read from the one-float buffers pa and pd.
  (func (export "adam") (param $w i32) (param $g i32) (param $m i32) (param $v i32)
                        (param $om i32) (param $ov i32) (param $ow i32) (param $n i32)
                        (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $eps f32)
                        (param $pa i32) (param $pd i32)
    (local $i i32) (local $end4 i32) (local $at i32)
    (local $a f32) (local $d f32)
    (local $gv v128) (local $mv v128) (local $vv v128) (local $wv v128)
    (local $gs f32) (local $ms f32) (local $vs f32) (local $ws f32)
    (local.set $a (f32.load (local.get $pa)))
    (local.set $d (f32.load (local.get $pd)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $at))))
        (local.set $mv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $at))) (f32x4.splat (local.get $b1)))
                                  (f32x4.mul (local.get $gv) (f32x4.splat (local.get $c1)))))
        (local.set $vv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $at))) (f32x4.splat (local.get $b2)))
                                  (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $c2)))))
        (if (local.get $om) (then (v128.store (i32.add (local.get $om) (local.get $at)) (local.get $mv))))
        (if (local.get $ov) (then (v128.store (i32.add (local.get $ov) (local.get $at)) (local.get $vv))))
        (if (local.get $ow)
          (then
            (local.set $wv (v128.load (i32.add (local.get $w) (local.get $at))))
            (v128.store (i32.add (local.get $ow) (local.get $at))
              (f32x4.sub
                (f32x4.sub (local.get $wv) (f32x4.mul (local.get $wv) (f32x4.splat (local.get $d))))
                (f32x4.mul (f32x4.div (local.get $mv) (f32x4.add (f32x4.sqrt (local.get $vv)) (f32x4.splat (local.get $eps))))
                           (f32x4.splat (local.get $a)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $sdone
      (loop $scalar
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $at))))
        (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $at))) (local.get $b1))
                                (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $at))) (local.get $b2))
                                (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (if (local.get $om) (then (f32.store (i32.add (local.get $om) (local.get $at)) (local.get $ms))))
        (if (local.get $ov) (then (f32.store (i32.add (local.get $ov) (local.get $at)) (local.get $vs))))
        (if (local.get $ow)
          (then
            (local.set $ws (f32.load (i32.add (local.get $w) (local.get $at))))
            (f32.store (i32.add (local.get $ow) (local.get $at))
              (f32.sub
                (f32.sub (local.get $ws) (f32.mul (local.get $ws) (local.get $d)))
                (f32.mul (f32.div (local.get $ms) (f32.add (f32.sqrt (local.get $vs)) (local.get $eps)))
                         (local.get $a))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scalar))))

  ;; SGD with momentum mu (Nesterov or not): step = g lr, v' = mu v - step (v' = -step when mu = 0,
  ;; and v is not read), w' = w + v', or w + (mu v' - step) with Nesterov. flags: 1 momentum, 2
  ;; Nesterov, 4 the output is w' (else v'). lr is read from the one-float buffer plr.
  (func (export "sgd") (param $w i32) (param $g i32) (param $vel i32) (param $o i32) (param $n i32)
                       (param $mu f32) (param $plr i32) (param $flags i32)
    (local $i i32) (local $end4 i32) (local $at i32) (local $lr f32)
    (local $step v128) (local $v1 v128) (local $ss f32) (local $vs f32)
    (local $momentum i32) (local $nesterov i32) (local $toW i32)
    (local.set $lr (f32.load (local.get $plr)))
    (local.set $momentum (i32.and (local.get $flags) (i32.const 1)))
    (local.set $nesterov (i32.and (local.get $flags) (i32.const 2)))
    (local.set $toW (i32.and (local.get $flags) (i32.const 4)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $step (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $at))) (f32x4.splat (local.get $lr))))
        (local.set $v1
          (if (result v128) (local.get $momentum)
            (then (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $vel) (local.get $at))) (f32x4.splat (local.get $mu)))
                             (local.get $step)))
            (else (f32x4.neg (local.get $step)))))
        (v128.store (i32.add (local.get $o) (local.get $at))
          (if (result v128) (i32.eqz (local.get $toW))
            (then (local.get $v1))
            (else
              (f32x4.add (v128.load (i32.add (local.get $w) (local.get $at)))
                (if (result v128) (local.get $nesterov)
                  (then (f32x4.sub (f32x4.mul (local.get $v1) (f32x4.splat (local.get $mu))) (local.get $step)))
                  (else (local.get $v1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $sdone
      (loop $scalar
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $ss (f32.mul (f32.load (i32.add (local.get $g) (local.get $at))) (local.get $lr)))
        (local.set $vs
          (if (result f32) (local.get $momentum)
            (then (f32.sub (f32.mul (f32.load (i32.add (local.get $vel) (local.get $at))) (local.get $mu)) (local.get $ss)))
            (else (f32.neg (local.get $ss)))))
        (f32.store (i32.add (local.get $o) (local.get $at))
          (if (result f32) (i32.eqz (local.get $toW))
            (then (local.get $vs))
            (else
              (f32.add (f32.load (i32.add (local.get $w) (local.get $at)))
                (if (result f32) (local.get $nesterov)
                  (then (f32.sub (f32.mul (local.get $vs) (local.get $mu)) (local.get $ss)))
                  (else (local.get $vs)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scalar))))

  ;; RMSprop (Keras's form, epsilon inside the root): v' = rho v + keep g^2; centred (oa != 0):
  ;; a' = rho a + keep g, denominator (v' + eps) - a'^2, else v' + eps; increment = (g lr) /
  ;; sqrt(denominator); with momentum (om != 0): m' = mu m + increment; w' = w - (m' or increment).
  ;; keep = 1 - rho rounded by the caller; lr is read from the one-float buffer plr. Inputs a and m
  ;; are read only when their output is wanted (the optimizer passes v in their place otherwise).
  (func (export "rmsprop") (param $w i32) (param $g i32) (param $v i32) (param $a i32) (param $m i32)
                           (param $ov i32) (param $oa i32) (param $om i32) (param $ow i32) (param $n i32)
                           (param $rho f32) (param $keep f32) (param $eps f32) (param $mu f32) (param $plr i32)
    (local $i i32) (local $end4 i32) (local $at i32) (local $lr f32)
    (local $gv v128) (local $vv v128) (local $av v128) (local $dv v128) (local $mv v128)
    (local $gs f32) (local $vs f32) (local $as f32) (local $ds f32) (local $ms f32)
    (local.set $lr (f32.load (local.get $plr)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $at))))
        (local.set $vv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $at))) (f32x4.splat (local.get $rho)))
                                  (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $keep)))))
        (v128.store (i32.add (local.get $ov) (local.get $at)) (local.get $vv))
        (local.set $dv (f32x4.add (local.get $vv) (f32x4.splat (local.get $eps))))
        (if (local.get $oa)
          (then
            (local.set $av (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $at))) (f32x4.splat (local.get $rho)))
                                      (f32x4.mul (local.get $gv) (f32x4.splat (local.get $keep)))))
            (v128.store (i32.add (local.get $oa) (local.get $at)) (local.get $av))
            (local.set $dv (f32x4.sub (local.get $dv) (f32x4.mul (local.get $av) (local.get $av))))))
        (local.set $mv (f32x4.div (f32x4.mul (local.get $gv) (f32x4.splat (local.get $lr))) (f32x4.sqrt (local.get $dv))))
        (if (local.get $om)
          (then
            (local.set $mv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $at))) (f32x4.splat (local.get $mu)))
                                      (local.get $mv)))
            (v128.store (i32.add (local.get $om) (local.get $at)) (local.get $mv))))
        (v128.store (i32.add (local.get $ow) (local.get $at))
          (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $at))) (local.get $mv)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $sdone
      (loop $scalar
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $at))))
        (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $at))) (local.get $rho))
                                (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $keep))))
        (f32.store (i32.add (local.get $ov) (local.get $at)) (local.get $vs))
        (local.set $ds (f32.add (local.get $vs) (local.get $eps)))
        (if (local.get $oa)
          (then
            (local.set $as (f32.add (f32.mul (f32.load (i32.add (local.get $a) (local.get $at))) (local.get $rho))
                                    (f32.mul (local.get $gs) (local.get $keep))))
            (f32.store (i32.add (local.get $oa) (local.get $at)) (local.get $as))
            (local.set $ds (f32.sub (local.get $ds) (f32.mul (local.get $as) (local.get $as))))))
        (local.set $ms (f32.div (f32.mul (local.get $gs) (local.get $lr)) (f32.sqrt (local.get $ds))))
        (if (local.get $om)
          (then
            (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $at))) (local.get $mu))
                                    (local.get $ms)))
            (f32.store (i32.add (local.get $om) (local.get $at)) (local.get $ms))))
        (f32.store (i32.add (local.get $ow) (local.get $at))
          (f32.sub (f32.load (i32.add (local.get $w) (local.get $at))) (local.get $ms)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scalar)))))
