// Max pooling on NHWC input and its two adjoints. Each window's argmax is the first tap (kh
// outer, kw inner, padding skipped) whose value beats every earlier one: the first maximum wins,
// exactly as on the CPU. MODE:
//   0 maxPool2d       y[b,oh,ow,c]  = x[argmax(b,oh,ow,c)]           (0 for an empty window)
//   1 maxPool2dGrad   dx[b,ih,iw,c] = sum of dy[b,oh,ow,c] over windows whose argmax is (ih,iw),
//                                     windows in increasing (oh, ow), the CPU's order
//   2 maxPool2dGather y[b,oh,ow,c]  = g[argmax(b,oh,ow,c)]  (g shaped like x)
// Bindings: 0 x (read), 1 second (unused in MODE 0: x again; dy in 1; g in 2), 2 output (write), 3 params.
// Params: 0 n (outputs), 1 batch, 2 inH, 3 inW, 4 channels, 5 outH, 6 outW, 7 poolH, 8 poolW,
//         9 strideH, 10 strideW, 11 padTop, 12 padLeft.
// Workgroup: WG threads, each PER output elements WG apart (as unary.wgsl).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> second: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override MODE: u32 = 0u;
override WG: u32 = 64u;
override PER: u32 = 1u;

// Flat index into x of the window's first maximum, or -1 when the window holds no input.
fn argmax(bi: i32, oh: i32, ow: i32, c: i32, g: Geometry) -> i32 {
  var best = -1;
  var bestValue = 0.0;
  for (var kh = 0; kh < g.pH; kh++) {
    let ih = oh * g.sH - g.padTop + kh;
    if (ih < 0 || ih >= g.inH) {
      continue;
    }
    for (var kw = 0; kw < g.pW; kw++) {
      let iw = ow * g.sW - g.padLeft + kw;
      if (iw < 0 || iw >= g.inW) {
        continue;
      }
      let k = ((bi * g.inH + ih) * g.inW + iw) * g.ch + c;
      let v = x[k];
      if (best < 0 || v > bestValue) {
        best = k;
        bestValue = v;
      }
    }
  }
  return best;
}

fn pooled(i: i32, g: Geometry, fromSecond: bool) -> f32 {
  let c = i % g.ch;
  let ow = (i / g.ch) % g.outW;
  let oh = (i / (g.ch * g.outW)) % g.outH;
  let bi = i / (g.ch * g.outW * g.outH);
  let k = argmax(bi, oh, ow, c, g);
  if (k < 0) {
    return 0.0;
  }
  return select(x[k], second[k], fromSecond);
}

fn grad(i: i32, g: Geometry) -> f32 {
  let c = i % g.ch;
  let iw = (i / g.ch) % g.inW;
  let ih = (i / (g.ch * g.inW)) % g.inH;
  let bi = i / (g.ch * g.inW * g.inH);
  // Windows containing ih: oh*sH - padTop <= ih <= oh*sH - padTop + pH - 1.
  let fromH = max(0, (ih + g.padTop - g.pH + g.sH) / g.sH);
  let toH = min(g.outH - 1, (ih + g.padTop) / g.sH);
  let fromW = max(0, (iw + g.padLeft - g.pW + g.sW) / g.sW);
  let toW = min(g.outW - 1, (iw + g.padLeft) / g.sW);
  var s = 0.0;
  for (var oh = fromH; oh <= toH; oh++) {
    for (var ow = fromW; ow <= toW; ow++) {
      if (argmax(bi, oh, ow, c, g) == i) {
        s += second[((bi * g.outH + oh) * g.outW + ow) * g.ch + c];
      }
    }
  }
  return s;
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= pu(0u)) {
      return;
    }
    let g = geometry();
    if (MODE == 1u) {
      y[i] = grad(i32(i), g);
    } else {
      y[i] = pooled(i32(i), g, MODE == 2u);
    }
  }
}
