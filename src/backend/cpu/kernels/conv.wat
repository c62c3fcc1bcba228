;; The window gathers of the CPU backend's WebAssembly conv2d (conv-simd.ts drives them; conv.ts is
;; the TypeScript twin and the reference). A convolution is a matmul of its patch matrix
;; ("im2col": one row per output position, one column per filter tap (kh, kw, c), zero where the
;; tap falls in the padding) with the HWIO filter read as a [kh * kw * inC, outC] matrix, so
;; the three faces of conv2d run on the matmul module's 4 x 8 register-blocked kernel:
;;   y  = im2col(x) w                        (rows packed as the kernel's A panels)
;;   dw = im2col(x)^T dy                     (the same gather, packed transposed)
;;   dx = col2im(dy w^T)                     (the scatter-add below)
;; This module imports the CPU backend's kernel memory (../wasm/), where the matmul kernel reads the patches.
;; Images are NHWC and batch-major, all addresses are bytes.
(module
  (import "env" "memory" (memory 1))

  ;; The geometry of the convolution in progress, set once per op by `geometry`.
  (global $inH (mut i32) (i32.const 0))
  (global $inW (mut i32) (i32.const 0))
  (global $inC (mut i32) (i32.const 0))
  (global $kH (mut i32) (i32.const 0))
  (global $kW (mut i32) (i32.const 0))
  (global $sH (mut i32) (i32.const 0))
  (global $sW (mut i32) (i32.const 0))
  (global $padTop (mut i32) (i32.const 0))
  (global $padLeft (mut i32) (i32.const 0))
  (global $outH (mut i32) (i32.const 0))
  (global $outW (mut i32) (i32.const 0))
  ;; Byte address of the tap table: for patch column k = (kh, kw, c), the byte offset of its input
  ;; from the window's first element, for windows wholly inside the image.
  (global $taps (mut i32) (i32.const 0))

  (func (export "geometry") (param $inH i32) (param $inW i32) (param $inC i32) (param $kH i32) (param $kW i32)
                            (param $sH i32) (param $sW i32) (param $padTop i32) (param $padLeft i32)
                            (param $outH i32) (param $outW i32) (param $taps i32)
    (local $kh i32) (local $kw i32) (local $c i32) (local $at i32)
    (global.set $inH (local.get $inH)) (global.set $inW (local.get $inW)) (global.set $inC (local.get $inC))
    (global.set $kH (local.get $kH)) (global.set $kW (local.get $kW))
    (global.set $sH (local.get $sH)) (global.set $sW (local.get $sW))
    (global.set $padTop (local.get $padTop)) (global.set $padLeft (local.get $padLeft))
    (global.set $outH (local.get $outH)) (global.set $outW (local.get $outW))
    (global.set $taps (local.get $taps))
    (local.set $at (local.get $taps))
    (block $done
      (br_if $done (i32.eqz (i32.mul (i32.mul (local.get $kH) (local.get $kW)) (local.get $inC))))
      (loop $rows
        (local.set $kw (i32.const 0))
        (loop $cols
          (local.set $c (i32.const 0))
          (loop $channels
            (i32.store (local.get $at)
                       (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $inW)) (local.get $kw))
                                                  (local.get $inC))
                                         (local.get $c))
                                (i32.const 2)))
            (local.set $at (i32.add (local.get $at) (i32.const 4)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br_if $channels (i32.lt_u (local.get $c) (local.get $inC))))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br_if $cols (i32.lt_u (local.get $kw) (local.get $kW))))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $kh) (local.get $kH))))))

  ;; The geometry as `geometry` sets it, read from a record of its 12 arguments (i32s at `record`),
  ;; without building the tap table again: each worker thread's instance has globals of its own,
  ;; and the table, built once by the caller, is in the memory they share (conv-parts.wat).
  (func (export "use_geometry") (param $record i32)
    (global.set $inH (i32.load offset=0 (local.get $record)))
    (global.set $inW (i32.load offset=4 (local.get $record)))
    (global.set $inC (i32.load offset=8 (local.get $record)))
    (global.set $kH (i32.load offset=12 (local.get $record)))
    (global.set $kW (i32.load offset=16 (local.get $record)))
    (global.set $sH (i32.load offset=20 (local.get $record)))
    (global.set $sW (i32.load offset=24 (local.get $record)))
    (global.set $padTop (i32.load offset=28 (local.get $record)))
    (global.set $padLeft (i32.load offset=32 (local.get $record)))
    (global.set $outH (i32.load offset=36 (local.get $record)))
    (global.set $outW (i32.load offset=40 (local.get $record)))
    (global.set $taps (i32.load offset=44 (local.get $record))))

  ;; Byte offset of image b's pixel (ih, iw), channel 0.
  (func $pixel (param $b i32) (param $ih i32) (param $iw i32) (result i32)
    (i32.shl
      (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (global.get $inH)) (local.get $ih))
                                 (global.get $inW))
                        (local.get $iw))
               (global.get $inC))
      (i32.const 2)))

  ;; Writes patch-matrix element [i0 + r, k0 + kk] (r < mc, kk < kc) of the images at x to
  ;;   dst + (r >> 2) rA + (r & 3) rB + (kk >> 2) cA + (kk & 3) cB,
  ;; which covers both packings the matmul kernel reads: rows as A panels (4 rows a k step:
  ;; rA = 16 kc, rB = 4, cA = 64, cB = 16) and columns as A panels (4 taps a position: rA = 64,
  ;; rB = 16, cA = 16 kc, cB = 4). Taps in the padding are written as zeros.
  (func (export "im2col") (param $dst i32) (param $x i32) (param $i0 i32) (param $mc i32) (param $k0 i32)
                          (param $kc i32) (param $rA i32) (param $rB i32) (param $cA i32) (param $cB i32)
    (local $r i32) (local $m i32) (local $b i32) (local $t i32) (local $ih0 i32) (local $iw0 i32)
    (local $row i32) (local $kk i32) (local $kh i32) (local $kw i32) (local $c i32) (local $end i32)
    (local $ih i32) (local $iw i32) (local $src i32) (local $area i32) (local $tapRow i32)
    (local.set $area (i32.mul (global.get $outH) (global.get $outW)))
    (local.set $tapRow (i32.mul (global.get $kW) (global.get $inC)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $mc)))
        (local.set $m (i32.add (local.get $i0) (local.get $r)))
        (local.set $b (i32.div_u (local.get $m) (local.get $area)))
        (local.set $t (i32.rem_u (local.get $m) (local.get $area)))
        (local.set $ih0 (i32.sub (i32.mul (i32.div_u (local.get $t) (global.get $outW)) (global.get $sH))
                                 (global.get $padTop)))
        (local.set $iw0 (i32.sub (i32.mul (i32.rem_u (local.get $t) (global.get $outW)) (global.get $sW))
                                 (global.get $padLeft)))
        (local.set $row (i32.add (local.get $dst)
                                 (i32.add (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (local.get $rA))
                                          (i32.mul (i32.and (local.get $r) (i32.const 3)) (local.get $rB)))))
        (if (i32.and (i32.and (i32.ge_s (local.get $ih0) (i32.const 0))
                              (i32.le_s (i32.add (local.get $ih0) (global.get $kH)) (global.get $inH)))
                     (i32.and (i32.ge_s (local.get $iw0) (i32.const 0))
                              (i32.le_s (i32.add (local.get $iw0) (global.get $kW)) (global.get $inW))))
          (then
            ;; The whole window is inside the image: every tap is a load at its table offset.
            (local.set $src (i32.add (local.get $x) (call $pixel (local.get $b) (local.get $ih0) (local.get $iw0))))
            (local.set $t (i32.add (global.get $taps) (i32.shl (local.get $k0) (i32.const 2))))
            (local.set $kk (i32.const 0))
            (loop $inside
              (f32.store (i32.add (local.get $row)
                                  (i32.add (i32.mul (i32.shr_u (local.get $kk) (i32.const 2)) (local.get $cA))
                                           (i32.mul (i32.and (local.get $kk) (i32.const 3)) (local.get $cB))))
                         (f32.load (i32.add (local.get $src) (i32.load (local.get $t)))))
              (local.set $t (i32.add (local.get $t) (i32.const 4)))
              (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
              (br_if $inside (i32.lt_u (local.get $kk) (local.get $kc))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        ;; A window over the padding: (kh, kw, c) of column k0, then walked forward one run of
        ;; channels at a time, zeros for taps outside the image.
        (local.set $kh (i32.div_u (local.get $k0) (local.get $tapRow)))
        (local.set $t (i32.rem_u (local.get $k0) (local.get $tapRow)))
        (local.set $kw (i32.div_u (local.get $t) (global.get $inC)))
        (local.set $c (i32.rem_u (local.get $t) (global.get $inC)))
        (local.set $kk (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $kk) (local.get $kc)))
            ;; This tap's channels c.. (at most to column k0 + kc).
            (local.set $end (i32.add (local.get $kk) (i32.sub (global.get $inC) (local.get $c))))
            (if (i32.gt_u (local.get $end) (local.get $kc)) (then (local.set $end (local.get $kc))))
            (local.set $ih (i32.add (local.get $ih0) (local.get $kh)))
            (local.set $iw (i32.add (local.get $iw0) (local.get $kw)))
            (if (i32.and (i32.lt_u (local.get $ih) (global.get $inH)) (i32.lt_u (local.get $iw) (global.get $inW)))
              (then
                (local.set $src (i32.add (local.get $x)
                                         (i32.add (call $pixel (local.get $b) (local.get $ih) (local.get $iw))
                                                  (i32.shl (local.get $c) (i32.const 2)))))
                (loop $copy
                  (f32.store (call $at (local.get $row) (local.get $kk) (local.get $cA) (local.get $cB))
                             (f32.load (local.get $src)))
                  (local.set $src (i32.add (local.get $src) (i32.const 4)))
                  (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                  (br_if $copy (i32.lt_u (local.get $kk) (local.get $end)))))
              (else
                (loop $zero
                  (f32.store (call $at (local.get $row) (local.get $kk) (local.get $cA) (local.get $cB))
                             (f32.const 0))
                  (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                  (br_if $zero (i32.lt_u (local.get $kk) (local.get $end))))))
            (local.set $c (i32.const 0))
            (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
            (if (i32.eq (local.get $kw) (global.get $kW))
              (then (local.set $kw (i32.const 0))
                    (local.set $kh (i32.add (local.get $kh) (i32.const 1)))))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  (func $at (param $row i32) (param $kk i32) (param $cA i32) (param $cB i32) (result i32)
    (i32.add (local.get $row)
             (i32.add (i32.mul (i32.shr_u (local.get $kk) (i32.const 2)) (local.get $cA))
                      (i32.mul (i32.and (local.get $kk) (i32.const 3)) (local.get $cB)))))

  ;; The adjoint of im2col: adds patch-matrix rows i0 .. i0 + mc - 1, stored row-major at src
  ;; (kh * kw * inC floats a row), into the images at dx, skipping taps in the padding. Four
  ;; channels at a time, then one at a time.
  (func (export "col2im") (param $src i32) (param $dx i32) (param $i0 i32) (param $mc i32)
    (local $r i32) (local $m i32) (local $b i32) (local $t i32) (local $ih0 i32) (local $iw0 i32)
    (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32) (local $p i32) (local $d i32)
    (local $end i32) (local $area i32) (local $tapBytes i32) (local $vecEnd i32)
    (local.set $area (i32.mul (global.get $outH) (global.get $outW)))
    (local.set $tapBytes (i32.shl (global.get $inC) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $mc)))
        (local.set $m (i32.add (local.get $i0) (local.get $r)))
        (local.set $b (i32.div_u (local.get $m) (local.get $area)))
        (local.set $t (i32.rem_u (local.get $m) (local.get $area)))
        (local.set $ih0 (i32.sub (i32.mul (i32.div_u (local.get $t) (global.get $outW)) (global.get $sH))
                                 (global.get $padTop)))
        (local.set $iw0 (i32.sub (i32.mul (i32.rem_u (local.get $t) (global.get $outW)) (global.get $sW))
                                 (global.get $padLeft)))
        (local.set $p (local.get $src))
        (local.set $kh (i32.const 0))
        (local.set $kw (i32.const 0))
        (loop $taps
          (local.set $ih (i32.add (local.get $ih0) (local.get $kh)))
          (local.set $iw (i32.add (local.get $iw0) (local.get $kw)))
          (if (i32.and (i32.lt_u (local.get $ih) (global.get $inH)) (i32.lt_u (local.get $iw) (global.get $inW)))
            (then
              (local.set $d (i32.add (local.get $dx) (call $pixel (local.get $b) (local.get $ih) (local.get $iw))))
              (local.set $end (i32.add (local.get $p) (local.get $tapBytes)))
              (local.set $vecEnd (i32.sub (local.get $end) (i32.const 12)))
              (block $vecDone
                (loop $vec
                  (br_if $vecDone (i32.ge_u (local.get $p) (local.get $vecEnd)))
                  (v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (i32.const 16)))
                  (local.set $d (i32.add (local.get $d) (i32.const 16)))
                  (br $vec)))
              (block $oneDone
                (loop $one
                  (br_if $oneDone (i32.ge_u (local.get $p) (local.get $end)))
                  (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (i32.const 4)))
                  (local.set $d (i32.add (local.get $d) (i32.const 4)))
                  (br $one))))
            (else (local.set $p (i32.add (local.get $p) (local.get $tapBytes)))))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (if (i32.eq (local.get $kw) (global.get $kW))
            (then (local.set $kw (i32.const 0))
                  (local.set $kh (i32.add (local.get $kh) (i32.const 1)))))
          (br_if $taps (i32.lt_u (local.get $kh) (global.get $kH))))
        (local.set $src (local.get $p))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))))
