;; One thread's part of a conv2d face, for the CPU backend's worker threads (conv-threaded.ts cuts
;; the work; conv-simd.ts is the one-thread path, and these loops are its loops). Each part runs
;; the same calls on the same packed data as the one-thread path does for the rows it covers:
;; conv.wat's patch gathers and matmul.wat's 4 x 8 kernel, imported from this thread's instances
;; of those modules, on the memory every thread shares. So every output element is computed in
;; the same order as on one thread, and the threads' parts share nothing they write: the result
;; is the one-thread result bit for bit.
;;
;; Blocking as in conv-simd.ts: ROWS = 256 patch rows (or filter taps) and DEPTH = 256 per packed
;; block, NC = 1024 output columns per kernel call, B panels NR = 8 wide. `geom` is the record
;; conv.wat's `use_geometry` reads (its tap table built by the caller); `work` is this thread's
;; workspace: the kernel's 128-byte edge tile, packed A (ROWS x DEPTH floats), then the face's
;; own buffer (below). Addresses are bytes, sizes elements.
(module
  (import "env" "memory" (memory 1))
  (import "matmul" "blocks" (func $blocks (param i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "matmul" "pack_rows" (func $packRows (param i32 i32 i32 i32 i32 i32 i32)))
  (import "matmul" "pack_columns" (func $packColumns (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "conv" "im2col" (func $im2col (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "conv" "col2im" (func $col2im (param i32 i32 i32 i32)))
  (import "conv" "use_geometry" (func $useGeometry (param i32)))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_u (local.get $a) (local.get $b))))

  (func $roundUp8 (param $a i32) (result i32)
    (i32.and (i32.add (local.get $a) (i32.const 7)) (i32.const -8)))

  ;; y[r0:r1] = patches(x)[r0:r1] w: x the images, pb the filter [k taps, n] packed whole by the
  ;; caller (block (k0, j0) at (k0 roundUp(n, 8) + kc j0) floats), y [rows, n].
  (func (export "forward_part") (param $geom i32) (param $x i32) (param $pb i32) (param $y i32)
                                (param $r0 i32) (param $r1 i32) (param $k i32) (param $n i32) (param $work i32)
    (local $i0 i32) (local $mc i32) (local $k0 i32) (local $kc i32) (local $j0 i32) (local $pa i32) (local $width i32)
    (call $useGeometry (local.get $geom))
    (local.set $pa (i32.add (local.get $work) (i32.const 128)))
    (local.set $width (call $roundUp8 (local.get $n)))
    (local.set $i0 (local.get $r0))
    (block $iDone
      (loop $iLoop
        (br_if $iDone (i32.ge_u (local.get $i0) (local.get $r1)))
        (local.set $mc (call $min (i32.sub (local.get $r1) (local.get $i0)) (i32.const 256)))
        (local.set $k0 (i32.const 0))
        (block $kDone
          (loop $kLoop
            (br_if $kDone (i32.ge_u (local.get $k0) (local.get $k)))
            (local.set $kc (call $min (i32.sub (local.get $k) (local.get $k0)) (i32.const 256)))
            (call $im2col (local.get $pa) (local.get $x) (local.get $i0) (local.get $mc) (local.get $k0) (local.get $kc)
                          (i32.shl (local.get $kc) (i32.const 4)) (i32.const 4) (i32.const 64) (i32.const 16))
            (local.set $j0 (i32.const 0))
            (block $jDone
              (loop $jLoop
                (br_if $jDone (i32.ge_u (local.get $j0) (local.get $n)))
                (call $blocks (local.get $pa)
                  (i32.add (local.get $pb)
                           (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $width)) (i32.mul (local.get $kc) (local.get $j0)))
                                    (i32.const 2)))
                  (local.get $kc) (local.get $mc) (call $min (i32.sub (local.get $n) (local.get $j0)) (i32.const 1024))
                  (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $n)) (local.get $j0)) (i32.const 2)))
                  (local.get $n) (i32.ne (local.get $k0) (i32.const 0)) (local.get $work))
                (local.set $j0 (i32.add (local.get $j0) (i32.const 1024)))
                (br $jLoop)))
            (local.set $k0 (i32.add (local.get $k0) (i32.const 256)))
            (br $kLoop)))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 256)))
        (br $iLoop))))

  ;; The filter gradient's blocks q0 .. q1 - 1: block q covers the `kd` patch rows from row
  ;; `start` ((start, kd) as i32s at table + 8 q), and partial q (k x n floats at partials + 4 q k n)
  ;; becomes patches[start:start + kd]^T dy[start:start + kd], summed in float32. The caller adds
  ;; the partials in float64 in block order, as the one-thread path adds its blocks. The face's
  ;; buffer holds dy's block packed (DEPTH x roundUp(n, 8) floats).
  (func (export "filter_part") (param $geom i32) (param $x i32) (param $dy i32) (param $partials i32)
                               (param $table i32) (param $q0 i32) (param $q1 i32) (param $k i32) (param $n i32)
                               (param $work i32)
    (local $q i32) (local $start i32) (local $kd i32) (local $partial i32) (local $j0 i32) (local $t0 i32)
    (local $mk i32) (local $pa i32) (local $pdy i32)
    (call $useGeometry (local.get $geom))
    (local.set $pa (i32.add (local.get $work) (i32.const 128)))
    (local.set $pdy (i32.add (local.get $pa) (i32.const 262144)))
    (local.set $q (local.get $q0))
    (block $qDone
      (loop $qLoop
        (br_if $qDone (i32.ge_u (local.get $q) (local.get $q1)))
        (local.set $start (i32.load (i32.add (local.get $table) (i32.shl (local.get $q) (i32.const 3)))))
        (local.set $kd (i32.load offset=4 (i32.add (local.get $table) (i32.shl (local.get $q) (i32.const 3)))))
        (local.set $partial (i32.add (local.get $partials)
                                     (i32.shl (i32.mul (local.get $q) (i32.mul (local.get $k) (local.get $n))) (i32.const 2))))
        (local.set $j0 (i32.const 0))
        (block $pDone
          (loop $pLoop
            (br_if $pDone (i32.ge_u (local.get $j0) (local.get $n)))
            (call $packRows (local.get $dy) (call $min (i32.sub (local.get $n) (local.get $j0)) (i32.const 1024))
                            (i32.add (i32.mul (local.get $start) (local.get $n)) (local.get $j0)) (local.get $n) (local.get $kd)
                            (i32.add (local.get $pdy) (i32.shl (i32.mul (local.get $kd) (local.get $j0)) (i32.const 2))) (i32.const 8))
            (local.set $j0 (i32.add (local.get $j0) (i32.const 1024)))
            (br $pLoop)))
        (local.set $t0 (i32.const 0))
        (block $tDone
          (loop $tLoop
            (br_if $tDone (i32.ge_u (local.get $t0) (local.get $k)))
            (local.set $mk (call $min (i32.sub (local.get $k) (local.get $t0)) (i32.const 256)))
            (call $im2col (local.get $pa) (local.get $x) (local.get $start) (local.get $kd) (local.get $t0) (local.get $mk)
                          (i32.const 64) (i32.const 16) (i32.shl (local.get $kd) (i32.const 4)) (i32.const 4))
            (local.set $j0 (i32.const 0))
            (block $jDone
              (loop $jLoop
                (br_if $jDone (i32.ge_u (local.get $j0) (local.get $n)))
                (call $blocks (local.get $pa)
                  (i32.add (local.get $pdy) (i32.shl (i32.mul (local.get $kd) (local.get $j0)) (i32.const 2)))
                  (local.get $kd) (local.get $mk) (call $min (i32.sub (local.get $n) (local.get $j0)) (i32.const 1024))
                  (i32.add (local.get $partial)
                           (i32.shl (i32.add (i32.mul (local.get $t0) (local.get $n)) (local.get $j0)) (i32.const 2)))
                  (local.get $n) (i32.const 0) (local.get $work))
                (local.set $j0 (i32.add (local.get $j0) (i32.const 1024)))
                (br $jLoop)))
            (local.set $t0 (i32.add (local.get $t0) (i32.const 256)))
            (br $tLoop)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $qLoop))))

  ;; dx += col2im(dy[r0:r1] w^T): pb is w^T [n, k taps] packed whole by the caller (block (k0, j0)
  ;; at (k0 roundUp(k, 8) + kc j0) floats); rows r0 .. r1 - 1 must be whole images, so that no
  ;; other thread adds into the same pixels. The face's buffer holds one block of patch-matrix
  ;; gradient rows (ROWS x k floats).
  (func (export "input_part") (param $geom i32) (param $dy i32) (param $pb i32) (param $dx i32)
                              (param $r0 i32) (param $r1 i32) (param $k i32) (param $n i32) (param $work i32)
    (local $i0 i32) (local $mc i32) (local $k0 i32) (local $kc i32) (local $j0 i32) (local $pa i32) (local $c i32)
    (local $width i32)
    (call $useGeometry (local.get $geom))
    (local.set $pa (i32.add (local.get $work) (i32.const 128)))
    (local.set $c (i32.add (local.get $pa) (i32.const 262144)))
    (local.set $width (call $roundUp8 (local.get $k)))
    (local.set $i0 (local.get $r0))
    (block $iDone
      (loop $iLoop
        (br_if $iDone (i32.ge_u (local.get $i0) (local.get $r1)))
        (local.set $mc (call $min (i32.sub (local.get $r1) (local.get $i0)) (i32.const 256)))
        (local.set $k0 (i32.const 0))
        (block $kDone
          (loop $kLoop
            (br_if $kDone (i32.ge_u (local.get $k0) (local.get $n)))
            (local.set $kc (call $min (i32.sub (local.get $n) (local.get $k0)) (i32.const 256)))
            (call $packColumns (local.get $dy) (local.get $i0) (local.get $mc) (local.get $k0) (local.get $n)
                               (local.get $kc) (local.get $pa) (i32.const 4))
            (local.set $j0 (i32.const 0))
            (block $jDone
              (loop $jLoop
                (br_if $jDone (i32.ge_u (local.get $j0) (local.get $k)))
                (call $blocks (local.get $pa)
                  (i32.add (local.get $pb)
                           (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $width)) (i32.mul (local.get $kc) (local.get $j0)))
                                    (i32.const 2)))
                  (local.get $kc) (local.get $mc) (call $min (i32.sub (local.get $k) (local.get $j0)) (i32.const 1024))
                  (i32.add (local.get $c) (i32.shl (local.get $j0) (i32.const 2)))
                  (local.get $k) (i32.ne (local.get $k0) (i32.const 0)) (local.get $work))
                (local.set $j0 (i32.add (local.get $j0) (i32.const 1024)))
                (br $jLoop)))
            (local.set $k0 (i32.add (local.get $k0) (i32.const 256)))
            (br $kLoop)))
        (call $col2im (local.get $c) (local.get $dx) (local.get $i0) (local.get $mc))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 256)))
        (br $iLoop)))))
