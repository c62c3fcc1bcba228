// Seeded synthetic data, generated once per page and handed to every library unchanged, so each
// library trains on the same numbers. Labels come from a fixed random linear "teacher" so there is
// a signal to learn: the final loss falling below ln(classes) shows the model really trained.

import { Random } from '../src/graph/random';

/** Row-major float data with its shape (batch axis first); the form every library's adapter takes. */
export interface Host {
  data: Float32Array;
  shape: number[];
}

export interface Dataset {
  x: Host;
  /** One-hot labels [rows, classes]. */
  y: Host;
  classes: number;
}

export function randomMatrix(rows: number, cols: number, seed: number): Host {
  const r = new Random(seed);
  return { data: Float32Array.from({ length: rows * cols }, () => r.uniform() * 2 - 1), shape: [rows, cols] };
}

function oneHot(labels: Int32Array, classes: number): Host {
  const y = new Float32Array(labels.length * classes);
  labels.forEach((c, i) => {
    y[i * classes + c] = 1;
  });
  return { data: y, shape: [labels.length, classes] };
}

/** argmax over classes of x · teacher, teacher drawn from N(0, 1). */
function teacherLabels(x: Float32Array, rows: number, features: number, classes: number, seed: number) {
  const r = new Random(seed);
  const teacher = Float32Array.from({ length: features * classes }, () => r.normal());
  const labels = new Int32Array(rows);
  const scores = new Float64Array(classes);
  for (let i = 0; i < rows; i++) {
    scores.fill(0);
    for (let f = 0; f < features; f++) {
      const v = x[i * features + f] - 0.5;
      for (let c = 0; c < classes; c++) scores[c] += v * teacher[f * classes + c];
    }
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[c] > scores[best]) best = c;
    labels[i] = best;
  }
  return labels;
}

/** Images-like inputs in [0, 1) with teacher labels; `inner` is the per-sample shape. */
function teacherDataset(rows: number, inner: number[], classes: number, seed: number): Dataset {
  const features = inner.reduce((a, b) => a * b, 1);
  const r = new Random(seed);
  const x = Float32Array.from({ length: rows * features }, () => r.uniform());
  const labels = teacherLabels(x, rows, features, classes, seed + 1);
  return { x: { data: x, shape: [rows, ...inner] }, y: oneHot(labels, classes), classes };
}

/** W2: MNIST-shaped rows, 784 features, 10 classes. */
export const mlpData = (rows: number): Dataset => teacherDataset(rows, [784], 10, 20);

/** W4: 28x28x1 images, 10 classes. */
export const cnnData = (rows: number): Dataset => teacherDataset(rows, [28, 28, 1], 10, 40);

/** Each feature to mean 0, variance 1, as anyone training on tabular data would first do. */
function standardise(x: Float32Array, features: number): void {
  const rows = x.length / features;
  for (let f = 0; f < features; f++) {
    let [sum, sq] = [0, 0];
    for (let i = 0; i < rows; i++) sum += x[i * features + f];
    const mean = sum / rows;
    for (let i = 0; i < rows; i++) sq += (x[i * features + f] - mean) ** 2;
    const sd = Math.sqrt(sq / rows) || 1;
    for (let i = 0; i < rows; i++) x[i * features + f] = (x[i * features + f] - mean) / sd;
  }
}

/** W3: iris-like tabular data, 3 Gaussian clusters in 4 features, 50 rows each. */
export function tabularData(rows: number): Dataset {
  const r = new Random(30);
  const centres = [
    [5.0, 3.4, 1.5, 0.2],
    [5.9, 2.8, 4.3, 1.3],
    [6.6, 3.0, 5.6, 2.0],
  ];
  const x = new Float32Array(rows * 4);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let f = 0; f < 4; f++) x[i * 4 + f] = centres[c][f] + 0.4 * r.normal();
  }
  standardise(x, 4);
  return { x: { data: x, shape: [rows, 4] }, y: oneHot(labels, 3), classes: 3 };
}

/** The first `rows` rows of a dataset (a warm-up batch or two). */
export function head(d: Dataset, rows: number): Dataset {
  const take = (h: Host): Host => {
    const per = h.data.length / h.shape[0];
    return { data: h.data.slice(0, rows * per), shape: [rows, ...h.shape.slice(1)] };
  };
  return { x: take(d.x), y: take(d.y), classes: d.classes };
}

/** Glorot-uniform weights from a seed, for libraries (jax-js) whose training loop we write by hand. */
export function glorot(fanIn: number, fanOut: number, seed: number): Float32Array {
  const r = new Random(seed);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (r.uniform() * 2 - 1) * limit);
}
