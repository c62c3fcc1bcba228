// Shared by softmax.wgsl and softmax-subgroup.wgsl (appended to both): a line's results from its
// maximum and sums, the one-thread-per-line fold (SERIAL 1), and the entry point. With SERIAL 0 the
// kernel's own `total(lid, v, useMax)` combines the WG threads' shares of a line.

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
  m = total(lid, vec2<f32>(m, 0.0), true).x;
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
  parts = total(lid, parts, false);
  if (!inRange) {
    return;
  }
  writeLine(start, lid, WG, n, inner, m, parts);
}
