// 2-D convolution on NHWC input with HWIO filters, and its two adjoints, one output element per
// thread (MODE):
//   0 conv2d      y[b,oh,ow,f]  = sum_{kh,kw,c} x[b, oh*sh - pt + kh, ow*sw - pl + kw, c] * w[kh,kw,c,f]
//   1 backpropInput  dx[b,ih,iw,c] = sum over (kh,kw) with ih = oh*sh - pt + kh (same for w) of
//                                    sum_f dy[b,oh,ow,f] * w[kh,kw,c,f]
//   2 backpropFilter dw[kh,kw,c,f] = sum_{b,oh,ow} x[b, oh*sh - pt + kh, ow*sw - pl + kw, c] * dy[b,oh,ow,f]
// Taps that fall into the zero padding contribute nothing.
// MODE 0 computes a block of FB filters (8, or 4) at one output position per work item (item =
// position * ceil(outC / FB) + filter block): the position's index arithmetic and every input value
// are shared by FB outputs (on CPU emulations, the divisions cost more than the multiply-adds; 8
// measured 1.35-1.45x faster than 4 on SwiftShader; a GPU may prefer 4, twice the threads).
// Epilogue (MODE 0, fusedConv2d): y = act(y + bias[f]) when BIAS, act chosen by ACT
// (activation.wgsl: 0 linear, 1 relu, 2 sigmoid, 3 tanh).
// Bindings p (x, or dy for MODE 1), q (w, or dy for MODE 2), bias (MODE 0 with BIAS; otherwise q
// again, unread), all read, and y (write); params the geometry (batch, inH, inW, inC, outH, outW,
// outC, kH, kW, strides sH, sW, padTop, padLeft; i32): SHADERS.conv in src/backend/webgpu/shaders.ts.
// Workgroup: one output element per item (MODE 0: FB filters at one position; per-item.wgsl),
// WG threads of PER items each; WG, PER and FB are what tuning chooses (kernels/conv-candidates.ts).

// Filters f0 .. f0 + FB - 1 at output position `position` (batch-major, then row, then column).
// Filter indices past outC read the last filter (valid memory) and are not written. FB is an
// override, so the second accumulator folds away when it is 4.
fn conv2dBlock(position: i32, f0: i32, g: Params) {
  let ow = position % g.outW;
  let oh = (position / g.outW) % g.outH;
  let bi = position / (g.outW * g.outH);
  let last = g.outC - 1;
  let lo = min(vec4<i32>(f0, f0 + 1, f0 + 2, f0 + 3), vec4<i32>(last));
  let hi = min(vec4<i32>(f0 + 4, f0 + 5, f0 + 6, f0 + 7), vec4<i32>(last));
  var s0 = vec4<f32>();
  var s1 = vec4<f32>();
  for (var kh = 0; kh < g.kH; kh++) {
    let ih = oh * g.sH - g.padTop + kh;
    if (ih < 0 || ih >= g.inH) {
      continue;
    }
    for (var kw = 0; kw < g.kW; kw++) {
      let iw = ow * g.sW - g.padLeft + kw;
      if (iw < 0 || iw >= g.inW) {
        continue;
      }
      let xo = ((bi * g.inH + ih) * g.inW + iw) * g.inC;
      var wo = (kh * g.kW + kw) * g.inC * g.outC;
      for (var c = 0; c < g.inC; c++) {
        let xv = p[xo + c];
        s0 += xv * vec4<f32>(q[wo + lo.x], q[wo + lo.y], q[wo + lo.z], q[wo + lo.w]);
        if (FB == 8u) {
          s1 += xv * vec4<f32>(q[wo + hi.x], q[wo + hi.y], q[wo + hi.z], q[wo + hi.w]);
        }
        wo += g.outC;
      }
    }
  }
  let yo = position * g.outC;
  for (var k = 0; k < i32(FB); k++) {
    let f = f0 + k;
    if (f > last) {
      break;
    }
    var v = select(s1[k - 4], s0[k], k < 4);
    if (BIAS) {
      v += bias[f];
    }
    y[yo + f] = activate(v, ACT);
  }
}

fn backpropInput(i: i32, g: Params) -> f32 {
  let c = i % g.inC;
  let iw = (i / g.inC) % g.inW;
  let ih = (i / (g.inC * g.inW)) % g.inH;
  let bi = i / (g.inC * g.inW * g.inH);
  var s = 0.0;
  for (var kh = 0; kh < g.kH; kh++) {
    let th = ih + g.padTop - kh;
    if (th < 0 || th % g.sH != 0 || th / g.sH >= g.outH) {
      continue;
    }
    let oh = th / g.sH;
    for (var kw = 0; kw < g.kW; kw++) {
      let tw = iw + g.padLeft - kw;
      if (tw < 0 || tw % g.sW != 0 || tw / g.sW >= g.outW) {
        continue;
      }
      let ow = tw / g.sW;
      let dyo = ((bi * g.outH + oh) * g.outW + ow) * g.outC;
      let wo = ((kh * g.kW + kw) * g.inC + c) * g.outC;
      for (var f = 0; f < g.outC; f++) {
        s += p[dyo + f] * q[wo + f];
      }
    }
  }
  return s;
}

fn backpropFilter(i: i32, g: Params) -> f32 {
  let f = i % g.outC;
  let c = (i / g.outC) % g.inC;
  let kw = (i / (g.outC * g.inC)) % g.kW;
  let kh = i / (g.outC * g.inC * g.kW);
  // Output columns whose tap lands inside the row: iw = ow * sW - padLeft + kw in [0, inW), so
  // the inner loop walks x and dy with fixed strides and no bounds checks. (WGSL's division
  // truncates: a negative numerator is handled by the max below and the select.)
  let owFirst = max(0, (g.padLeft - kw + g.sW - 1) / g.sW);
  let last = g.inW - 1 + g.padLeft - kw;
  let owEnd = select(min(g.outW, last / g.sW + 1), 0, last < 0);
  let xStep = g.sW * g.inC;
  var s = 0.0;
  for (var bi = 0; bi < g.batch; bi++) {
    for (var oh = 0; oh < g.outH; oh++) {
      let ih = oh * g.sH - g.padTop + kh;
      if (ih < 0 || ih >= g.inH) {
        continue;
      }
      var xi = ((bi * g.inH + ih) * g.inW + owFirst * g.sW - g.padLeft + kw) * g.inC + c;
      var di = ((bi * g.outH + oh) * g.outW + owFirst) * g.outC + f;
      for (var ow = owFirst; ow < owEnd; ow++) {
        s += p[xi] * q[di];
        xi += xStep;
        di += g.outC;
      }
    }
  }
  return s;
}

fn item(i: u32) {
  let g = params;
  if (MODE == 0u) {
    let fb = i32(FB);
    let blocks = (g.outC + fb - 1) / fb;
    conv2dBlock(i32(i) / blocks, (i32(i) % blocks) * fb, g);
  } else if (MODE == 1u) {
    y[i] = backpropInput(i32(i), g);
  } else {
    y[i] = backpropFilter(i32(i), g);
  }
}
