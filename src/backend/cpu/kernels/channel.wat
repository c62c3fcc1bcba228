;; Batch norm's per-channel kernels in WebAssembly, in place on the CPU backend's kernel memory
;; (src/backend/cpu/wasm/): the twins of channel.ts. x is read as [outer, channels, inner] around
;; the channel axis. The affine is float32 operations in the twin's order; the statistics are
;; float64 sums in the twin's order (element by element, a sum per channel), so every result is
;; the twin's bits. Arguments are byte offsets into the memory and element counts.
(module
  (import "env" "memory" (memory 1))

  ;; Batch norm's o = ((x - center[c]) scale[c]) + shift[c] for x read as [outer, channels, inner]
  ;; (float32 operations: channel.ts's twin rounds each step alike). Channels last (inner = 1)
  ;; takes four channels per vector, other layouts four positions of one channel.
  (func (export "channel_affine") (param $x i32) (param $m i32) (param $s i32) (param $b i32) (param $o i32)
                                  (param $outer i32) (param $channels i32) (param $inner i32)
    (local $q i32) (local $c i32) (local $k i32) (local $end4 i32) (local $at i32) (local $p i32)
    (local $mv v128) (local $sv v128) (local $bv v128)
    (block $qdone
      (loop $outers
        (br_if $qdone (i32.ge_u (local.get $q) (local.get $outer)))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $chans
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $channels)))
            (local.set $at (i32.shl (local.get $c) (i32.const 2)))
            (if (i32.and (i32.eq (local.get $inner) (i32.const 1))
                         (i32.le_u (i32.add (local.get $c) (i32.const 4)) (local.get $channels)))
              (then
                ;; Four channels of one position.
                (v128.store (i32.add (local.get $o) (local.get $p))
                  (f32x4.add
                    (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $p)))
                                          (v128.load (i32.add (local.get $m) (local.get $at))))
                               (v128.load (i32.add (local.get $s) (local.get $at))))
                    (v128.load (i32.add (local.get $b) (local.get $at)))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $c (i32.add (local.get $c) (i32.const 4)))
                (br $chans)))
            ;; One channel over `inner` positions: four at a time, then one at a time.
            (local.set $mv (v128.load32_splat (i32.add (local.get $m) (local.get $at))))
            (local.set $sv (v128.load32_splat (i32.add (local.get $s) (local.get $at))))
            (local.set $bv (v128.load32_splat (i32.add (local.get $b) (local.get $at))))
            (local.set $end4 (i32.and (local.get $inner) (i32.const -4)))
            (local.set $k (i32.const 0))
            (block $vdone
              (loop $vec
                (br_if $vdone (i32.ge_u (local.get $k) (local.get $end4)))
                (v128.store (i32.add (local.get $o) (local.get $p))
                  (f32x4.add (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $p))) (local.get $mv))
                                        (local.get $sv))
                             (local.get $bv)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $vec)))
            (block $sdone
              (loop $scalar
                (br_if $sdone (i32.ge_u (local.get $k) (local.get $inner)))
                (f32.store (i32.add (local.get $o) (local.get $p))
                  (f32.add (f32.mul (f32.sub (f32.load (i32.add (local.get $x) (local.get $p)))
                                             (f32x4.extract_lane 0 (local.get $mv)))
                                    (f32x4.extract_lane 0 (local.get $sv)))
                           (f32x4.extract_lane 0 (local.get $bv))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $scalar)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $chans)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $outers))))

  ;; Batch norm's statistics for x read as [outer, channels, inner], the twins of channel.ts's
  ;; channelMoments and channelSums: float64 sums in the twin's order (element by element, each
  ;; channel its own sum), rounded once to o. acc: 16 channels bytes of float64 scratch.
  ;; Moments: o = [mean (channels), variance (channels)], the variance from a second pass.
  (func (export "channel_moments") (param $x i32) (param $o i32) (param $outer i32) (param $channels i32)
                                   (param $inner i32) (param $acc i32)
    (local $c i32) (local $n f64) (local $sq i32)
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $channels) (i32.const 4)))
    (local.set $n (f64.convert_i32_u (i32.mul (local.get $outer) (local.get $inner))))
    (local.set $sq (i32.add (local.get $acc) (i32.shl (local.get $channels) (i32.const 3))))
    (call $channelPass (local.get $x) (i32.const 0) (local.get $acc) (i32.const 0) (local.get $acc)
                       (local.get $outer) (local.get $channels) (local.get $inner) (i32.const 0))
    (local.set $c (i32.const 0))
    (block $done
      (loop $means
        (br_if $done (i32.ge_u (local.get $c) (local.get $channels)))
        (f64.store (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))
          (f64.div (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))) (local.get $n)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $means)))
    (call $channelPass (local.get $x) (i32.const 0) (local.get $sq) (i32.const 0) (local.get $acc)
                       (local.get $outer) (local.get $channels) (local.get $inner) (i32.const 1))
    (local.set $c (i32.const 0))
    (block $done2
      (loop $out
        (br_if $done2 (i32.ge_u (local.get $c) (local.get $channels)))
        (f32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2)))
          (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))))
        (f32.store (i32.add (local.get $o) (i32.shl (i32.add (local.get $channels) (local.get $c)) (i32.const 2)))
          (f32.demote_f64 (f64.div (f64.load (i32.add (local.get $sq) (i32.shl (local.get $c) (i32.const 3))))
                                   (local.get $n))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $out))))

  ;; Sums: o = [sum of dy (x - center) (channels), sum of dy (channels)], x - center in float32.
  (func (export "channel_sums") (param $dy i32) (param $x i32) (param $center i32) (param $o i32)
                                (param $outer i32) (param $channels i32) (param $inner i32) (param $acc i32)
    (local $c i32) (local $total i32)
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $channels) (i32.const 4)))
    (local.set $total (i32.add (local.get $acc) (i32.shl (local.get $channels) (i32.const 3))))
    (call $channelPass (local.get $x) (local.get $dy) (local.get $acc) (local.get $total) (local.get $center)
                       (local.get $outer) (local.get $channels) (local.get $inner) (i32.const 2))
    (local.set $c (i32.const 0))
    (block $done
      (loop $out
        (br_if $done (i32.ge_u (local.get $c) (local.get $channels)))
        (f32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2)))
          (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))))
        (f32.store (i32.add (local.get $o) (i32.shl (i32.add (local.get $channels) (local.get $c)) (i32.const 2)))
          (f32.demote_f64 (f64.load (i32.add (local.get $total) (i32.shl (local.get $c) (i32.const 3))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $out))))

  ;; One pass over x as [outer, channels, inner], element by element, adding into the float64
  ;; sums at `sums` (and `totals`) per channel: kind 0, x; kind 1, (x - ref[c])^2 with ref float64
  ;; means; kind 2, g (x - ref[c]) with g from `g`, x - ref[c] in float32 (ref float32), and g into totals.
  (func $channelPass (param $x i32) (param $g i32) (param $sums i32) (param $totals i32) (param $ref i32)
                     (param $outer i32) (param $channels i32) (param $inner i32) (param $kind i32)
    (local $q i32) (local $c i32) (local $k i32) (local $p i32) (local $s f64) (local $t f64)
    (local $r64 f64) (local $r32 f32) (local $d f64) (local $gv f64)
    (block $qdone
      (loop $outers
        (br_if $qdone (i32.ge_u (local.get $q) (local.get $outer)))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $chans
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $channels)))
            (local.set $s (f64.load (i32.add (local.get $sums) (i32.shl (local.get $c) (i32.const 3)))))
            (if (i32.eq (local.get $kind) (i32.const 1))
              (then (local.set $r64 (f64.load (i32.add (local.get $ref) (i32.shl (local.get $c) (i32.const 3)))))))
            (if (i32.eq (local.get $kind) (i32.const 2))
              (then
                (local.set $r32 (f32.load (i32.add (local.get $ref) (i32.shl (local.get $c) (i32.const 2)))))
                (local.set $t (f64.load (i32.add (local.get $totals) (i32.shl (local.get $c) (i32.const 3)))))))
            (local.set $k (i32.const 0))
            (block $kdone
              (loop $each
                (br_if $kdone (i32.ge_u (local.get $k) (local.get $inner)))
                (if (i32.eqz (local.get $kind))
                  (then (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (i32.add (local.get $x) (local.get $p)))))))
                  (else
                    (if (i32.eq (local.get $kind) (i32.const 1))
                      (then
                        (local.set $d (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $x) (local.get $p)))) (local.get $r64)))
                        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d) (local.get $d)))))
                      (else
                        (local.set $gv (f64.promote_f32 (f32.load (i32.add (local.get $g) (local.get $p)))))
                        (local.set $s (f64.add (local.get $s)
                          (f64.mul (local.get $gv)
                                   (f64.promote_f32 (f32.sub (f32.load (i32.add (local.get $x) (local.get $p))) (local.get $r32))))))
                        (local.set $t (f64.add (local.get $t) (local.get $gv)))))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $each)))
            (f64.store (i32.add (local.get $sums) (i32.shl (local.get $c) (i32.const 3))) (local.get $s))
            (if (i32.eq (local.get $kind) (i32.const 2))
              (then (f64.store (i32.add (local.get $totals) (i32.shl (local.get $c) (i32.const 3))) (local.get $t))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $chans)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $outers)))))
