/**
 * ONNX protobuf messages through protobufjs and the published schema (the subset in onnx.proto,
 * with the official field numbers), parsed once on first use. Field names keep the schema's
 * snake_case (`keepCase`) so objects read like the ONNX documentation.
 */
import protobuf from 'protobufjs';
import { ExportError } from './errors';
import schema from './onnx.proto?raw';

let root: protobuf.Root | null = null;

function onnxRoot(): protobuf.Root {
  root ??= protobuf.parse(schema, { keepCase: true }).root;
  return root;
}

/** ONNX TensorProto.DataType values we write. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values we write. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export interface TensorMessage {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
  doc_string?: string;
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
}

export interface NodeMessage {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeMessage[];
  doc_string?: string;
}

export type DimensionMessage = { dim_value: number } | { dim_param: string };

export interface ValueInfoMessage {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: DimensionMessage[] } } };
  doc_string?: string;
}

export interface ModelMessage {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: {
    name: string;
    node: NodeMessage[];
    initializer: TensorMessage[];
    input: ValueInfoMessage[];
    output: ValueInfoMessage[];
    doc_string?: string;
  };
  metadata_props: { key: string; value: string }[];
}

/** Checks the message against the schema, then encodes it. */
export function encodeModel(model: ModelMessage): Uint8Array {
  const type = onnxRoot().lookupType('onnx.ModelProto');
  const problem = type.verify(model);
  if (problem) throw new ExportError(`exportOnnx: the ModelProto does not match the ONNX schema: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

/**
 * Decodes ONNX bytes into plain objects (int64 fields as numbers, bytes as Uint8Array): for
 * tests and for anyone who wants to inspect an exported file.
 */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  const type = onnxRoot().lookupType('onnx.ModelProto');
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as ModelMessage;
}
