// Max pooling on NHWC input and its two adjoints. Each window's argmax is the first tap (kh
// outer, kw inner, padding skipped) whose value beats every earlier one: the first maximum wins,
// exactly as on the CPU. MODE:
//   0 maxPool2d       y[b,oh,ow,c]  = x[argmax(b,oh,ow,c)]           (0 for an empty window)
//   1 maxPool2dGrad   dx[b,ih,iw,c] = sum of dy[b,oh,ow,c] over windows whose argmax is (ih,iw),
//                                     windows in increasing (oh, ow), the CPU's order
//   2 maxPool2dGather y[b,oh,ow,c]  = g[argmax(b,oh,ow,c)]  (g shaped like x)
// Bindings x, second (unused in MODE 0: x again; dy in 1; g in 2), both read, and y (write); params
// as pool-avg.wgsl's: SHADERS.poolMax in src/backend/webgpu/shaders.ts.
// Workgroup: one work item (a position of the output, of x for MODE 1, and 4 channels) per item
// (per-item.wgsl).

// Every work item handles 4 consecutive channels (NHWC: adjacent words) at one position, so
// the position's index arithmetic, shared by the 4, is paid once (on CPU emulations the
// divisions cost more than the comparisons). Channels past the last read the last one (valid
// memory) and are not written.

// Channels c0 .. c0 + 3, clamped to the last.
fn lanes(c0: i32, g: Params) -> vec4<i32> {
  return min(vec4<i32>(c0, c0 + 1, c0 + 2, c0 + 3), vec4<i32>(g.ch - 1));
}

fn loadX(k: vec4<i32>) -> vec4<f32> {
  return vec4<f32>(x[k.x], x[k.y], x[k.z], x[k.w]);
}

fn loadSecond(k: vec4<i32>) -> vec4<f32> {
  return vec4<f32>(second[k.x], second[k.y], second[k.z], second[k.w]);
}

// Flat indices into x of each lane's window's first maximum, or -1 when the window holds no input.
fn argmax(bi: i32, oh: i32, ow: i32, cs: vec4<i32>, g: Params) -> vec4<i32> {
  var best = vec4<i32>(-1);
  var bestValue = vec4<f32>();
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
      let k = vec4<i32>(((bi * g.inH + ih) * g.inW + iw) * g.ch) + cs;
      let v = loadX(k);
      let take = (best < vec4<i32>(0)) | (v > bestValue);
      best = select(best, k, take);
      bestValue = select(bestValue, v, take);
    }
  }
  return best;
}

// The 4 channels from c0 at output position `position` (batch-major, then row, then column).
fn pooled(position: i32, c0: i32, g: Params, fromSecond: bool) {
  let ow = position % g.outW;
  let oh = (position / g.outW) % g.outH;
  let bi = position / (g.outW * g.outH);
  let best = argmax(bi, oh, ow, lanes(c0, g), g);
  let k = max(best, vec4<i32>(0));
  let picked = select(loadX(k), loadSecond(k), fromSecond);
  let v = select(picked, vec4<f32>(), best < vec4<i32>(0));
  store(position, c0, v, g);
}

// The gradient of the 4 channels from c0 at input position `position`.
fn grad(position: i32, c0: i32, g: Params) {
  let iw = position % g.inW;
  let ih = (position / g.inW) % g.inH;
  let bi = position / (g.inW * g.inH);
  let cs = lanes(c0, g);
  let mine = vec4<i32>(position * g.ch) + cs;
  // Windows containing ih: oh*sH - padTop <= ih <= oh*sH - padTop + pH - 1.
  let fromH = max(0, (ih + g.padTop - g.pH + g.sH) / g.sH);
  let toH = min(g.outH - 1, (ih + g.padTop) / g.sH);
  let fromW = max(0, (iw + g.padLeft - g.pW + g.sW) / g.sW);
  let toW = min(g.outW - 1, (iw + g.padLeft) / g.sW);
  var s = vec4<f32>();
  for (var oh = fromH; oh <= toH; oh++) {
    for (var ow = fromW; ow <= toW; ow++) {
      let won = argmax(bi, oh, ow, cs, g) == mine;
      let dy = loadSecond(vec4<i32>(((bi * g.outH + oh) * g.outW + ow) * g.ch) + cs);
      s += select(vec4<f32>(), dy, won);
    }
  }
  store(position, c0, s, g);
}

// Writes the lanes that are real channels of `position`.
fn store(position: i32, c0: i32, v: vec4<f32>, g: Params) {
  for (var k = 0; k < 4; k++) {
    if (c0 + k >= g.ch) {
      break;
    }
    y[position * g.ch + c0 + k] = v[k];
  }
}

fn item(i: u32) {
  let g = params;
  let blocks = (g.ch + 3) / 4;
  let position = i32(i) / blocks;
  let c0 = (i32(i) % blocks) * 4;
  if (MODE == 1u) {
    grad(position, c0, g);
  } else {
    pooled(position, c0, g, MODE == 2u);
  }
}
