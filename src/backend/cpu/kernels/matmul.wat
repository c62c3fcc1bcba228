;; C = op(A) op(B) in float32 with WebAssembly SIMD: the inner loops of the CPU backend's packed,
;; register-blocked matmul (matmul.ts is the scalar TypeScript twin and the reference).
;;
;; The caller packs op(A) into panels of MR = 4 rows (4 floats per k step) and op(B) into panels of
;; NR = 8 columns (8 floats, two v128, per k step), both of depth kc, into this module's memory, and
;; calls `blocks` once per packed pair of blocks. Each 4 x 8 block of C lives in eight v128
;; accumulators: per k step two loads of B, four broadcasts of A and eight multiply-adds, so 32
;; multiply-adds per 6 loads. Blocks that overhang the edge of C go through a 4 x 8 scratch tile.
;;
;; Memory: the CPU backend's kernel memory (src/backend/cpu/wasm/), byte offsets chosen by the
;; caller: packed A, packed B, C (row-major [m, n] floats, in place wherever the caller's C lives)
;; and a 128-byte scratch tile; or, for `range` (one thread's part of C, packing included: the
;; worker threads' entry), A, B, C and a workspace. Under threads the import is declared shared
;; (scripts/vite-wat.mjs, `?shared`) and every worker's instance imports the same memory. Sums
;; are float32 (the TypeScript twin sums in float64 and rounds once per k block). Multiply-adds are relaxed SIMD's where the engine has it (a fused
;; multiply-add on CPUs with FMA); scripts/vite-wat.mjs assembles a plain-SIMD variant too.
(module
  (import "env" "memory" (memory 1))

  ;; One 4 x 8 block: c (byte address of its top-left element), ldc (bytes between its rows);
  ;; accumulate: add to what c holds instead of overwriting it.
  (func $block (param $pa i32) (param $pb i32) (param $kc i32) (param $c i32) (param $ldc i32) (param $accumulate i32)
    (local $r0a v128) (local $r0b v128) (local $r1a v128) (local $r1b v128)
    (local $r2a v128) (local $r2b v128) (local $r3a v128) (local $r3b v128)
    (local $b0 v128) (local $b1 v128) (local $a v128)
    (local $end i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local.set $c1 (i32.add (local.get $c) (local.get $ldc)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $ldc)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $ldc)))
    (if (local.get $accumulate)
      (then
        (local.set $r0a (v128.load (local.get $c)))
        (local.set $r0b (v128.load offset=16 (local.get $c)))
        (local.set $r1a (v128.load (local.get $c1)))
        (local.set $r1b (v128.load offset=16 (local.get $c1)))
        (local.set $r2a (v128.load (local.get $c2)))
        (local.set $r2b (v128.load offset=16 (local.get $c2)))
        (local.set $r3a (v128.load (local.get $c3)))
        (local.set $r3b (v128.load offset=16 (local.get $c3)))))
    (local.set $end (i32.add (local.get $pa) (i32.shl (local.get $kc) (i32.const 4))))
    (block $done
      (br_if $done (i32.ge_u (local.get $pa) (local.get $end)))
      (loop $k
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $a (f32x4.splat (f32.load (local.get $pa))))
        (local.set $r0a (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $r0a)))
        (local.set $r0b (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $r0b)))
        (local.set $a (f32x4.splat (f32.load offset=4 (local.get $pa))))
        (local.set $r1a (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $r1a)))
        (local.set $r1b (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $r1b)))
        (local.set $a (f32x4.splat (f32.load offset=8 (local.get $pa))))
        (local.set $r2a (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $r2a)))
        (local.set $r2b (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $r2b)))
        (local.set $a (f32x4.splat (f32.load offset=12 (local.get $pa))))
        (local.set $r3a (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $r3a)))
        (local.set $r3b (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $r3b)))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (br_if $k (i32.lt_u (local.get $pa) (local.get $end)))))
    (v128.store (local.get $c) (local.get $r0a))
    (v128.store offset=16 (local.get $c) (local.get $r0b))
    (v128.store (local.get $c1) (local.get $r1a))
    (v128.store offset=16 (local.get $c1) (local.get $r1b))
    (v128.store (local.get $c2) (local.get $r2a))
    (v128.store offset=16 (local.get $c2) (local.get $r2b))
    (v128.store (local.get $c3) (local.get $r3a))
    (v128.store offset=16 (local.get $c3) (local.get $r3b)))

  ;; Copies rows x cols floats between C (stride ldc bytes) and the scratch tile (4 rows of 8 floats,
  ;; stride 32 bytes); toScratch: C -> scratch (zeros past rows/cols), else scratch -> C.
  (func $edge (param $c i32) (param $ldc i32) (param $rows i32) (param $cols i32) (param $toScratch i32)
              (param $scratch i32)
    (local $r i32) (local $s i32) (local $cp i32) (local $tp i32)
    (if (local.get $toScratch)
      (then (memory.fill (local.get $scratch) (i32.const 0) (i32.const 128))))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $s (i32.const 0))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_u (local.get $s) (local.get $cols)))
            (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc)))
                                    (i32.shl (local.get $s) (i32.const 2))))
            (local.set $tp (i32.add (local.get $scratch)
                                    (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $s)) (i32.const 2))))
            (if (local.get $toScratch)
              (then (f32.store (local.get $tp) (f32.load (local.get $cp))))
              (else (f32.store (local.get $cp) (f32.load (local.get $tp)))))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $col)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Every 4 x 8 block of an mc x nc part of C from packed panels of depth kc: pa (ceil(mc/4)
  ;; panels of 4 kc floats), pb (ceil(nc/8) panels of 8 kc floats), c (byte address of C[i0, j0]),
  ;; n (C's row length in floats), scratch (128 bytes for edge blocks). B's panel stays in cache
  ;; while A's panels stream past it.
  (func $blocks (export "blocks") (param $pa i32) (param $pb i32) (param $kc i32) (param $mc i32) (param $nc i32)
                          (param $c i32) (param $n i32) (param $accumulate i32) (param $scratch i32)
    (local $ldc i32) (local $jp i32) (local $ip i32) (local $rows i32) (local $cols i32)
    (local $at i32) (local $aPanel i32) (local $bPanel i32)
    (local.set $ldc (i32.shl (local.get $n) (i32.const 2)))
    (local.set $jp (i32.const 0))
    (block $jDone
      (loop $j
        (br_if $jDone (i32.ge_u (local.get $jp) (local.get $nc)))
        (local.set $cols (select (i32.const 8) (i32.sub (local.get $nc) (local.get $jp))
                                 (i32.ge_u (i32.sub (local.get $nc) (local.get $jp)) (i32.const 8))))
        (local.set $bPanel (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $jp) (local.get $kc)) (i32.const 2))))
        (local.set $ip (i32.const 0))
        (block $iDone
          (loop $i
            (br_if $iDone (i32.ge_u (local.get $ip) (local.get $mc)))
            (local.set $rows (select (i32.const 4) (i32.sub (local.get $mc) (local.get $ip))
                                     (i32.ge_u (i32.sub (local.get $mc) (local.get $ip)) (i32.const 4))))
            (local.set $aPanel (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ip) (local.get $kc)) (i32.const 2))))
            (local.set $at (i32.add (local.get $c)
                                    (i32.add (i32.mul (local.get $ip) (local.get $ldc)) (i32.shl (local.get $jp) (i32.const 2)))))
            (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $cols) (i32.const 8)))
              (then (call $block (local.get $aPanel) (local.get $bPanel) (local.get $kc) (local.get $at)
                                 (local.get $ldc) (local.get $accumulate)))
              (else
                (if (local.get $accumulate)
                  (then (call $edge (local.get $at) (local.get $ldc) (local.get $rows) (local.get $cols) (i32.const 1)
                             (local.get $scratch))))
                (call $block (local.get $aPanel) (local.get $bPanel) (local.get $kc) (local.get $scratch)
                             (i32.const 32) (local.get $accumulate))
                (call $edge (local.get $at) (local.get $ldc) (local.get $rows) (local.get $cols) (i32.const 0)
                           (local.get $scratch))))
            (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
            (br $i)))
        (local.set $jp (i32.add (local.get $jp) (i32.const 8)))
        (br $j))))

  ;; Packs kc source rows (from float index `start`, `stride` floats apart) of `count` floats each
  ;; into panels `width` (4 or 8) wide, zero past `count`:
  ;; dst[(panel kc + p) width + r] = src[start + p stride + panel width + r]. Rows are read and
  ;; panels written a v128 at a time.
  (func $packRows (export "pack_rows") (param $src i32) (param $count i32) (param $start i32) (param $stride i32)
                  (param $kc i32) (param $dst i32) (param $width i32)
    (local $p i32) (local $from i32) (local $to i32) (local $i i32) (local $r i32) (local $panelBytes i32)
    (local.set $panelBytes (i32.shl (i32.mul (local.get $kc) (local.get $width)) (i32.const 2)))
    (local.set $p (i32.const 0))
    (block $pDone
      (loop $pLoop
        (br_if $pDone (i32.ge_u (local.get $p) (local.get $kc)))
        (local.set $from (i32.add (local.get $src)
                                  (i32.shl (i32.add (local.get $start) (i32.mul (local.get $p) (local.get $stride))) (i32.const 2))))
        (local.set $to (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $p) (local.get $width)) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $fullDone
          (loop $full
            (br_if $fullDone (i32.gt_u (i32.add (local.get $i) (local.get $width)) (local.get $count)))
            (v128.store (local.get $to) (v128.load (i32.add (local.get $from) (i32.shl (local.get $i) (i32.const 2)))))
            (if (i32.eq (local.get $width) (i32.const 8))
              (then (v128.store offset=16 (local.get $to)
                                (v128.load offset=16 (i32.add (local.get $from) (i32.shl (local.get $i) (i32.const 2)))))))
            (local.set $to (i32.add (local.get $to) (local.get $panelBytes)))
            (local.set $i (i32.add (local.get $i) (local.get $width)))
            (br $full)))
        (if (i32.lt_u (local.get $i) (local.get $count))
          (then
            (local.set $r (i32.const 0))
            (loop $tail
              ;; No load past `count`: the source may end there (select would load either way).
              (f32.store (i32.add (local.get $to) (i32.shl (local.get $r) (i32.const 2)))
                         (if (result f32) (i32.lt_u (i32.add (local.get $i) (local.get $r)) (local.get $count))
                           (then (f32.load (i32.add (local.get $from) (i32.shl (i32.add (local.get $i) (local.get $r)) (i32.const 2)))))
                           (else (f32.const 0))))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br_if $tail (i32.lt_u (local.get $r) (local.get $width))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pLoop))))

  ;; Packs `count` source rows from row `first` (each k floats long, read from column k0 for kc
  ;; floats) as the columns of panels `width` wide, zero past `count`:
  ;; dst[(panel kc + p) width + r] = src[(first + panel width + r) k + k0 + p].
  (func $packColumns (export "pack_columns") (param $src i32) (param $first i32) (param $count i32) (param $k0 i32) (param $k i32)
                     (param $kc i32) (param $dst i32) (param $width i32)
    (local $i i32) (local $padded i32) (local $to i32) (local $from i32) (local $p i32) (local $step i32)
    (local.set $padded (i32.mul (i32.div_u (i32.add (local.get $count) (i32.sub (local.get $width) (i32.const 1)))
                                           (local.get $width)) (local.get $width)))
    (local.set $step (i32.shl (local.get $width) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $iDone
      (loop $iLoop
        (br_if $iDone (i32.ge_u (local.get $i) (local.get $padded)))
        (local.set $to (i32.add (local.get $dst)
                                (i32.shl (i32.add (i32.mul (i32.sub (local.get $i) (i32.rem_u (local.get $i) (local.get $width)))
                                                           (local.get $kc))
                                                  (i32.rem_u (local.get $i) (local.get $width)))
                                         (i32.const 2))))
        (local.set $from (i32.add (local.get $src)
                                  (i32.shl (i32.add (i32.mul (i32.add (local.get $first) (local.get $i)) (local.get $k))
                                                    (local.get $k0)) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $pDone
          (loop $pLoop
            (br_if $pDone (i32.ge_u (local.get $p) (local.get $kc)))
            ;; Rows past `count` are padding: zeros, and no load (the source may end there).
            (f32.store (local.get $to)
                       (if (result f32) (i32.lt_u (local.get $i) (local.get $count))
                         (then (f32.load (local.get $from)))
                         (else (f32.const 0))))
            (local.set $to (i32.add (local.get $to) (local.get $step)))
            (local.set $from (i32.add (local.get $from) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $pLoop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iLoop))))

  ;; C[i0:i1, j0:j1] = (op(A) op(B))[i0:i1, j0:j1]: the whole GotoBLAS loop nest, packing included,
  ;; for one thread's part of C. a, b, c: byte addresses of A, B (stored as `flags` says: bit 0,
  ;; A is [k, m]; bit 1, B is [n, k]) and C ([m, n]). work: this thread's workspace of WORK_BYTES
  ;; (matmul-simd.ts): the scratch tile (128 bytes), packed A (MC x KC floats), packed B (NC x KC).
  ;; Threads given disjoint parts of C share nothing they write.
  (func (export "range") (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $n i32) (param $k i32)
                         (param $flags i32) (param $i0 i32) (param $i1 i32) (param $j0 i32) (param $j1 i32)
                         (param $work i32)
    (local $k0 i32) (local $kc i32) (local $jb i32) (local $nc i32) (local $ib i32) (local $mc i32)
    (local $pa i32) (local $pb i32)
    (local.set $pa (i32.add (local.get $work) (i32.const 128)))
    (local.set $pb (i32.add (local.get $pa) (i32.const 262144))) ;; MC x KC x 4 bytes (256 x 256)
    (local.set $k0 (i32.const 0))
    (block $kDone
      (loop $kLoop
        (br_if $kDone (i32.ge_u (local.get $k0) (local.get $k)))
        (local.set $kc (select (i32.const 256) (i32.sub (local.get $k) (local.get $k0))
                               (i32.ge_u (i32.sub (local.get $k) (local.get $k0)) (i32.const 256))))
        (local.set $jb (local.get $j0))
        (block $jDone
          (loop $jLoop
            (br_if $jDone (i32.ge_u (local.get $jb) (local.get $j1)))
            (local.set $nc (select (i32.const 1024) (i32.sub (local.get $j1) (local.get $jb))
                                   (i32.ge_u (i32.sub (local.get $j1) (local.get $jb)) (i32.const 1024))))
            (if (i32.and (local.get $flags) (i32.const 2))
              (then (call $packColumns (local.get $b) (local.get $jb) (local.get $nc) (local.get $k0) (local.get $k)
                                       (local.get $kc) (local.get $pb) (i32.const 8)))
              (else (call $packRows (local.get $b) (local.get $nc) (i32.add (i32.mul (local.get $k0) (local.get $n)) (local.get $jb))
                                    (local.get $n) (local.get $kc) (local.get $pb) (i32.const 8))))
            (local.set $ib (local.get $i0))
            (block $iDone
              (loop $iLoop
                (br_if $iDone (i32.ge_u (local.get $ib) (local.get $i1)))
                (local.set $mc (select (i32.const 256) (i32.sub (local.get $i1) (local.get $ib))
                                       (i32.ge_u (i32.sub (local.get $i1) (local.get $ib)) (i32.const 256))))
                (if (i32.and (local.get $flags) (i32.const 1))
                  (then (call $packRows (local.get $a) (local.get $mc) (i32.add (i32.mul (local.get $k0) (local.get $m)) (local.get $ib))
                                        (local.get $m) (local.get $kc) (local.get $pa) (i32.const 4)))
                  (else (call $packColumns (local.get $a) (local.get $ib) (local.get $mc) (local.get $k0) (local.get $k)
                                           (local.get $kc) (local.get $pa) (i32.const 4))))
                (call $blocks (local.get $pa) (local.get $pb) (local.get $kc) (local.get $mc) (local.get $nc)
                              (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $ib) (local.get $n)) (local.get $jb)) (i32.const 2)))
                              (local.get $n) (i32.ne (local.get $k0) (i32.const 0)) (local.get $work))
                (local.set $ib (i32.add (local.get $ib) (i32.const 256)))
                (br $iLoop)))
            (local.set $jb (i32.add (local.get $jb) (i32.const 1024)))
            (br $jLoop)))
        (local.set $k0 (i32.add (local.get $k0) (i32.const 256)))
        (br $kLoop)))))
