;; Max and average pooling and their gradients for the CPU backend, four channels at a time in
;; WebAssembly SIMD (pool-simd.ts drives them; conv.ts holds the TypeScript twins). NHWC images,
;; batch-major; all addresses are bytes, in the CPU backend's kernel memory (../wasm/).
;;
;; A channel count that is not a multiple of 4 ends in a partial group computed as a full one: its
;; loads read into the next pixel (or the 16 bytes of slack the caller leaves after each array), its
;; assigned outputs spill into the next position's first channels before that position is written,
;; and its added outputs add zeros there (lanes past the channel count are masked off).
(module
  (import "env" "memory" (memory 1))

  (global $inH (mut i32) (i32.const 0))
  (global $inW (mut i32) (i32.const 0))
  (global $channels (mut i32) (i32.const 0))
  (global $pH (mut i32) (i32.const 0))
  (global $pW (mut i32) (i32.const 0))
  (global $sH (mut i32) (i32.const 0))
  (global $sW (mut i32) (i32.const 0))
  (global $padTop (mut i32) (i32.const 0))
  (global $padLeft (mut i32) (i32.const 0))
  (global $outH (mut i32) (i32.const 0))
  (global $outW (mut i32) (i32.const 0))
  ;; The window in progress: taps [kh0, kh1) x [kw0, kw1) from input pixel (ih0, iw0) of image b.
  (global $b (mut i32) (i32.const 0))
  (global $ih0 (mut i32) (i32.const 0))
  (global $iw0 (mut i32) (i32.const 0))
  (global $kh0 (mut i32) (i32.const 0))
  (global $kh1 (mut i32) (i32.const 0))
  (global $kw0 (mut i32) (i32.const 0))
  (global $kw1 (mut i32) (i32.const 0))

  (func (export "geometry") (param $inH i32) (param $inW i32) (param $channels i32) (param $pH i32) (param $pW i32)
                            (param $sH i32) (param $sW i32) (param $padTop i32) (param $padLeft i32)
                            (param $outH i32) (param $outW i32)
    (global.set $inH (local.get $inH)) (global.set $inW (local.get $inW))
    (global.set $channels (local.get $channels))
    (global.set $pH (local.get $pH)) (global.set $pW (local.get $pW))
    (global.set $sH (local.get $sH)) (global.set $sW (local.get $sW))
    (global.set $padTop (local.get $padTop)) (global.set $padLeft (local.get $padLeft))
    (global.set $outH (local.get $outH)) (global.set $outW (local.get $outW)))

  ;; Byte offset of tap (kh, kw) of the window in progress, channel c.
  (func $tap (param $kh i32) (param $kw i32) (param $c i32) (result i32)
    (i32.shl
      (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (global.get $b) (global.get $inH))
                                                   (i32.add (global.get $ih0) (local.get $kh)))
                                          (global.get $inW))
                                 (i32.add (global.get $iw0) (local.get $kw)))
                        (global.get $channels))
               (local.get $c))
      (i32.const 2)))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $a) (local.get $b))))

  ;; Per lane, the value and the ordinal (row-major over the window's taps inside the image) of the
  ;; first maximum at channels c..c+3 of x; a NaN wins, the first one, as in the twin.
  (func $argmax (param $x i32) (param $c i32) (result v128 v128)
    (local $best v128) (local $at v128) (local $v v128) (local $take v128)
    (local $kh i32) (local $kw i32) (local $t i32)
    (local.set $best (v128.load (i32.add (local.get $x) (call $tap (global.get $kh0) (global.get $kw0) (local.get $c)))))
    (local.set $kh (global.get $kh0))
    (loop $rows
      (local.set $kw (global.get $kw0))
      (loop $cols
        (local.set $v (v128.load (i32.add (local.get $x) (call $tap (local.get $kh) (local.get $kw) (local.get $c)))))
        ;; v > best, or v is NaN where best is not (v != v and best == best).
        (local.set $take (v128.or (f32x4.gt (local.get $v) (local.get $best))
                                  (v128.and (f32x4.ne (local.get $v) (local.get $v))
                                            (f32x4.eq (local.get $best) (local.get $best)))))
        (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
        (local.set $at (v128.bitselect (i32x4.splat (local.get $t)) (local.get $at) (local.get $take)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
        (br_if $cols (i32.lt_s (local.get $kw) (global.get $kw1))))
      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $kh) (global.get $kh1))))
    (local.get $best) (local.get $at))

  ;; Sum of x at channels c..c+3 over the window's taps.
  (func $sum (param $x i32) (param $c i32) (result v128)
    (local $s v128) (local $kh i32) (local $kw i32)
    (local.set $kh (global.get $kh0))
    (loop $rows
      (local.set $kw (global.get $kw0))
      (loop $cols
        (local.set $s (f32x4.add (local.get $s)
                                 (v128.load (i32.add (local.get $x) (call $tap (local.get $kh) (local.get $kw) (local.get $c))))))
        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
        (br_if $cols (i32.lt_s (local.get $kw) (global.get $kw1))))
      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $kh) (global.get $kh1))))
    (local.get $s))

  ;; Over the window's taps: out[tap] += add where `at` (an ordinal per lane) selects the tap, or
  ;; (at = -1 everywhere) out[tap] += add at every tap; lanes off in `lanes` add nothing.
  (func $spread (param $out i32) (param $c i32) (param $add v128) (param $at v128) (param $lanes v128)
    (local $kh i32) (local $kw i32) (local $t i32) (local $p i32) (local $all i32)
    (local.set $all (i32x4.all_true (i32x4.eq (local.get $at) (i32x4.splat (i32.const -1)))))
    (local.set $kh (global.get $kh0))
    (loop $rows
      (local.set $kw (global.get $kw0))
      (loop $cols
        (local.set $p (i32.add (local.get $out) (call $tap (local.get $kh) (local.get $kw) (local.get $c))))
        (v128.store (local.get $p)
          (f32x4.add (v128.load (local.get $p))
                     (v128.and (local.get $add)
                               (v128.and (local.get $lanes)
                                         (v128.or (i32x4.splat (i32.sub (i32.const 0) (local.get $all)))
                                                  (i32x4.eq (local.get $at) (i32x4.splat (local.get $t))))))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
        (br_if $cols (i32.lt_s (local.get $kw) (global.get $kw1))))
      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $kh) (global.get $kh1)))))

  ;; The value of g at the tap each lane's ordinal selects.
  (func $gather (param $g i32) (param $c i32) (param $at v128) (result v128)
    (local $r v128) (local $kh i32) (local $kw i32) (local $t i32)
    (local.set $kh (global.get $kh0))
    (loop $rows
      (local.set $kw (global.get $kw0))
      (loop $cols
        (local.set $r (v128.bitselect (v128.load (i32.add (local.get $g) (call $tap (local.get $kh) (local.get $kw) (local.get $c))))
                                      (local.get $r)
                                      (i32x4.eq (local.get $at) (i32x4.splat (local.get $t)))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
        (br_if $cols (i32.lt_s (local.get $kw) (global.get $kw1))))
      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $kh) (global.get $kh1))))
    (local.get $r))

  ;; Every window of `images` images, four channels at a time. kind: 0 y = maxPool(x); 1 dx +=
  ;; maxPoolGrad(x, dy) (a = x, b = dy, out = dx); 2 y = g at x's first maxima (a = x, b = g);
  ;; 3 y = avgPool(x); 4 dx += avgPoolGrad(dy) (b = dy, out = dx). Windows wholly in the padding
  ;; give 0 and take nothing.
  (func (export "pool") (param $kind i32) (param $a i32) (param $b i32) (param $out i32) (param $images i32)
    (local $oh i32) (local $ow i32) (local $c i32) (local $y i32) (local $count i32)
    (local $best v128) (local $at v128) (local $lanes v128) (local $v v128)
    (global.set $b (i32.const 0))
    (block $imagesDone
      (loop $image
        (br_if $imagesDone (i32.ge_u (global.get $b) (local.get $images)))
        (local.set $oh (i32.const 0))
        (block $rowsDone
          (loop $row
            (br_if $rowsDone (i32.ge_u (local.get $oh) (global.get $outH)))
            (global.set $ih0 (i32.sub (i32.mul (local.get $oh) (global.get $sH)) (global.get $padTop)))
            (global.set $kh0 (select (i32.sub (i32.const 0) (global.get $ih0)) (i32.const 0)
                                     (i32.lt_s (global.get $ih0) (i32.const 0))))
            (global.set $kh1 (call $min (global.get $pH) (i32.sub (global.get $inH) (global.get $ih0))))
            (local.set $ow (i32.const 0))
            (block $colsDone
              (loop $col
                (br_if $colsDone (i32.ge_u (local.get $ow) (global.get $outW)))
                (global.set $iw0 (i32.sub (i32.mul (local.get $ow) (global.get $sW)) (global.get $padLeft)))
                (global.set $kw0 (select (i32.sub (i32.const 0) (global.get $iw0)) (i32.const 0)
                                         (i32.lt_s (global.get $iw0) (i32.const 0))))
                (global.set $kw1 (call $min (global.get $pW) (i32.sub (global.get $inW) (global.get $iw0))))
                (local.set $count (i32.mul (i32.sub (global.get $kh1) (global.get $kh0))
                                           (i32.sub (global.get $kw1) (global.get $kw0))))
                (if (i32.or (i32.lt_s (global.get $kh1) (global.get $kh0)) (i32.lt_s (global.get $kw1) (global.get $kw0)))
                  (then (local.set $count (i32.const 0))))
                (local.set $y (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (global.get $b) (global.get $outH))
                                                                           (local.get $oh))
                                                                  (global.get $outW))
                                                         (local.get $ow))
                                                (global.get $channels))
                                       (i32.const 2)))
                (local.set $c (i32.const 0))
                (block $channelsDone
                  (loop $group
                    (br_if $channelsDone (i32.ge_u (local.get $c) (global.get $channels)))
                    (local.set $lanes (i32x4.lt_s (v128.const i32x4 0 1 2 3)
                                                  (i32x4.splat (i32.sub (global.get $channels) (local.get $c)))))
                    (if (i32.eqz (local.get $count))
                      (then (if (i32.eq (local.get $kind) (i32.const 0)) (then (v128.store (i32.add (local.get $out) (local.get $y)) (v128.const i32x4 0 0 0 0))))
                            (if (i32.eq (local.get $kind) (i32.const 2)) (then (v128.store (i32.add (local.get $out) (local.get $y)) (v128.const i32x4 0 0 0 0))))
                            (if (i32.eq (local.get $kind) (i32.const 3)) (then (v128.store (i32.add (local.get $out) (local.get $y)) (v128.const i32x4 0 0 0 0)))))
                      (else
                        (if (i32.le_u (local.get $kind) (i32.const 2))
                          (then (call $argmax (local.get $a) (local.get $c)) (local.set $at) (local.set $best)))
                        (if (i32.eqz (local.get $kind))
                          (then (v128.store (i32.add (local.get $out) (local.get $y)) (local.get $best))))
                        (if (i32.eq (local.get $kind) (i32.const 1))
                          (then (call $spread (local.get $out) (local.get $c)
                                              (v128.load (i32.add (local.get $b) (local.get $y))) (local.get $at) (local.get $lanes))))
                        (if (i32.eq (local.get $kind) (i32.const 2))
                          (then (v128.store (i32.add (local.get $out) (local.get $y))
                                            (call $gather (local.get $b) (local.get $c) (local.get $at)))))
                        (if (i32.eq (local.get $kind) (i32.const 3))
                          (then (v128.store (i32.add (local.get $out) (local.get $y))
                                            (f32x4.div (call $sum (local.get $a) (local.get $c))
                                                       (f32x4.splat (f32.convert_i32_u (local.get $count)))))))
                        (if (i32.eq (local.get $kind) (i32.const 4))
                          (then (local.set $v (f32x4.div (v128.load (i32.add (local.get $b) (local.get $y)))
                                                         (f32x4.splat (f32.convert_i32_u (local.get $count)))))
                                (call $spread (local.get $out) (local.get $c) (local.get $v)
                                              (i32x4.splat (i32.const -1)) (local.get $lanes))))))
                    (local.set $c (i32.add (local.get $c) (i32.const 4)))
                    (local.set $y (i32.add (local.get $y) (i32.const 16)))
                    (br $group)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $col)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $row)))
        (global.set $b (i32.add (global.get $b) (i32.const 1)))
        (br $image)))))
