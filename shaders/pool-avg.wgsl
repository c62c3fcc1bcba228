// Average pooling on NHWC input and its adjoint; a window averages only the taps inside the image
// (padding is not counted), as on the CPU. MODE:
//   0 avgPool2d      y[b,oh,ow,c]  = (sum of x over the window's taps) / taps  (0 for an empty window)
//   1 avgPool2dGrad  dx[b,ih,iw,c] = sum over windows containing (ih,iw) of dy[b,oh,ow,c] / taps(oh,ow)
// Bindings x (x, or dy for MODE 1; read), y (write); params the window geometry (inH, inW, ch, outH,
// outW, pool pH, pW, strides sH, sW, padTop, padLeft; i32): SHADERS.poolAvg in
// src/backend/webgpu/shaders.ts.
// Workgroup: one output element per item (per-item.wgsl).

// Taps of a window along one axis that land inside [0, size): window starts at o*stride - pad.
fn inside(o: i32, stride: i32, pad: i32, window: i32, size: i32) -> i32 {
  let start = o * stride - pad;
  return max(0, min(start + window, size) - max(start, 0));
}

fn average(i: i32, g: Params) -> f32 {
  let c = i % g.ch;
  let ow = (i / g.ch) % g.outW;
  let oh = (i / (g.ch * g.outW)) % g.outH;
  let bi = i / (g.ch * g.outW * g.outH);
  var s = 0.0;
  for (var kh = 0; kh < g.pH; kh++) {
    let ih = oh * g.sH - g.padTop + kh;
    if (ih < 0 || ih >= g.inH) {
      continue;
    }
    for (var kw = 0; kw < g.pW; kw++) {
      let iw = ow * g.sW - g.padLeft + kw;
      if (iw >= 0 && iw < g.inW) {
        s += x[((bi * g.inH + ih) * g.inW + iw) * g.ch + c];
      }
    }
  }
  let taps = inside(oh, g.sH, g.padTop, g.pH, g.inH) * inside(ow, g.sW, g.padLeft, g.pW, g.inW);
  return select(0.0, s / f32(taps), taps > 0);
}

fn grad(i: i32, g: Params) -> f32 {
  let c = i % g.ch;
  let iw = (i / g.ch) % g.inW;
  let ih = (i / (g.ch * g.inW)) % g.inH;
  let bi = i / (g.ch * g.inW * g.inH);
  let fromH = max(0, (ih + g.padTop - g.pH + g.sH) / g.sH);
  let toH = min(g.outH - 1, (ih + g.padTop) / g.sH);
  let fromW = max(0, (iw + g.padLeft - g.pW + g.sW) / g.sW);
  let toW = min(g.outW - 1, (iw + g.padLeft) / g.sW);
  var s = 0.0;
  for (var oh = fromH; oh <= toH; oh++) {
    let tapsH = inside(oh, g.sH, g.padTop, g.pH, g.inH);
    for (var ow = fromW; ow <= toW; ow++) {
      let taps = tapsH * inside(ow, g.sW, g.padLeft, g.pW, g.inW);
      s += x[((bi * g.outH + oh) * g.outW + ow) * g.ch + c] / f32(taps);
    }
  }
  return s;
}

fn item(i: u32) {
  let g = params;
  if (MODE == 1u) {
    y[i] = grad(i32(i), g);
  } else {
    y[i] = average(i32(i), g);
  }
}
