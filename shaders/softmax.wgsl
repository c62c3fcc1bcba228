// Softmax (LOG 0) and log-softmax (LOG 1) along one axis, one workgroup per line:
//   m = max_j x_j,  s = sum_j e^(x_j - m),  y_j = e^(x_j - m) / s   or   y_j = x_j - m - ln s.
// A line starts at (r / inner) * n * inner + r % inner and steps by inner.
// Bindings x (read), y (write); params lines, lineLength (n, the axis length), inner (product of the
// axes after it): SHADERS.softmax in src/backend/webgpu/shaders.ts.
// ln s is taken as ln(1 + t) with t = s - 1 summed directly (one maximum contributes the 1), so a
// line dominated by one entry, where s is barely above 1, keeps its small log-probabilities exact.
// Workgroup: SERIAL 0: WG threads (a power of two) per line; max and sum are tree reductions in
// workgroup memory. SERIAL 1 (short lines): one thread per line, WG lines per workgroup, plain
// loops and no barrier reached (CPU-emulated adapters pay dearly for barriers).

var<workgroup> partial: array<vec2<f32>, WG>;

// Combines every thread's partial[lid]: componentwise max, or componentwise sum.
fn treeReduce(lid: u32, useMax: bool) -> vec2<f32> {
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width /= 2u) {
    if (lid < width) {
      let u = partial[lid];
      let v = partial[lid + width];
      partial[lid] = select(u + v, max(u, v), useMax);
    }
    workgroupBarrier();
  }
  let result = partial[0];
  // Nobody may overwrite partial[0] for the next reduction before every thread has read it.
  workgroupBarrier();
  return result;
}

// ln s and s from the summed parts: (entries equal to the maximum, sum of e^(x - m) over the others).
fn writeLine(start: u32, first: u32, step: u32, n: u32, inner: u32, m: f32, parts: vec2<f32>) {
  let t = (parts.x - 1.0) + parts.y;
  let s = 1.0 + t;
  // (x - m) - ln s, not x - (m + ln s): the dominant entry's result is then ln s itself, with
  // no cancellation.
  let logSum = log1pAccurate(t);
  for (var j = first; j < n; j += step) {
    let k = start + j * inner;
    if (LOG == 1u) {
      y[k] = (x[k] - m) - logSum;
    } else {
      y[k] = exp(x[k] - m) / s;
    }
  }
}

fn serialLine(line: u32, n: u32, inner: u32) {
  let start = (line / inner) * n * inner + line % inner;
  var m = negInf();
  for (var j = 0u; j < n; j++) {
    m = max(m, x[start + j * inner]);
  }
  var parts = vec2<f32>(0.0, 0.0);
  for (var j = 0u; j < n; j++) {
    let d = x[start + j * inner] - m;
    if (d == 0.0) {
      parts.x += 1.0;
    } else {
      parts.y += exp(d);
    }
  }
  writeLine(start, 0u, 1u, n, inner, m, parts);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  if (SERIAL == 1u) {
    let line = linearWorkgroup(wid, nwg) * WG + lid;
    if (line < params.lines) {
      serialLine(line, params.lineLength, params.inner);
    }
    return;
  }
  let line = linearWorkgroup(wid, nwg);
  let inRange = line < params.lines;
  let n = params.lineLength;
  let inner = params.inner;
  let start = (line / inner) * n * inner + line % inner;
  var m = negInf();
  if (inRange) {
    for (var j = lid; j < n; j += WG) {
      m = max(m, x[start + j * inner]);
    }
  }
  partial[lid] = vec2<f32>(m, 0.0);
  m = treeReduce(lid, true).x;
  // (number of entries equal to the maximum, sum of e^(x - m) over the others)
  var parts = vec2<f32>(0.0, 0.0);
  if (inRange) {
    for (var j = lid; j < n; j += WG) {
      let d = x[start + j * inner] - m;
      if (d == 0.0) {
        parts.x += 1.0;
      } else {
        parts.y += exp(d);
      }
    }
  }
  partial[lid] = parts;
  parts = treeReduce(lid, false);
  if (!inRange) {
    return;
  }
  writeLine(start, lid, WG, n, inner, m, parts);
}
