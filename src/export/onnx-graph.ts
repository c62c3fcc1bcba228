/** Building an ONNX graph: nodes chained through fresh value names, and float/int64 initializers. */
import {
  type AttributeMessage,
  AttributeType,
  DataType,
  type NodeMessage,
  type TensorMessage,
} from './onnx-proto';

/** Graph under construction: nodes, initializers, and a fresh name for each value. */
export class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  private count = 0;

  constructor(public current: string) {}

  floatTensor(name: string, dims: number[], values: Float32Array, doc?: string): string {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    this.initializers.push({ name, dims, data_type: DataType.FLOAT, raw_data: bytes, doc_string: doc });
    return name;
  }

  int64Tensor(name: string, values: number[]): string {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]), true);
    this.initializers.push({ name, dims: [values.length], data_type: DataType.INT64, raw_data: bytes });
    return name;
  }

  /** Appends a node reading the current value (plus `extra` inputs); its output becomes current. */
  node(scope: string, opType: string, extra: string[] = [], attribute: AttributeMessage[] = []): void {
    const output = `${scope}/${opType}_${++this.count}`;
    this.nodes.push({
      name: output,
      op_type: opType,
      input: [this.current, ...extra],
      output: [output],
      attribute,
    });
    this.current = output;
  }
}

export const ints = (name: string, values: number[]): AttributeMessage => ({
  name,
  type: AttributeType.INTS,
  ints: values,
});
export const int = (name: string, i: number): AttributeMessage => ({ name, type: AttributeType.INT, i });
export const float = (name: string, f: number): AttributeMessage => ({ name, type: AttributeType.FLOAT, f });

/** Keras HWIO [kh, kw, in, out] as ONNX OIHW [out, in, kh, kw]. */
export function hwioToOihw(
  hwio: Float32Array,
  kh: number,
  kw: number,
  cin: number,
  cout: number,
): Float32Array {
  const out = new Float32Array(hwio.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * kh + y) * kw + x] = hwio[((y * kw + x) * cin + i) * cout + o];
  return out;
}
