/**
 * ONNX export: a trained Sequential as an ONNX model in inference mode (Dropout left out,
 * BatchNormalization with its moving statistics), input `[batch, ...inputShape]` NHWC as our
 * model takes it, with a symbolic batch dimension. Conv and pooling run channels-first between
 * Transpose nodes that plan.ts places only where the layout must change.
 */
import type { Preprocessor, PreprocessorJSON } from '../data/preprocessor';
import { InvalidArgumentError } from '../errors';
import { readTensors } from '../graph/read-tensors';
import type { Sequential } from '../nn/model/sequential';
import { ExportError } from './errors';
import { float, GraphBuilder, hwioToOihw, int, ints } from './onnx-graph';
import { type AttributeMessage, DataType, encodeModel, type ValueInfoMessage } from './onnx-proto';
import { ELU_ALPHA, type ExportStep, LEAKY_RELU_ALPHA, planExport } from './plan';
import { standardizationOf } from './preprocessing';

export interface OnnxExportOptions {
  /** The ai.onnx operator set, 13 to 21 (default 17). */
  opset?: number;
  /**
   * Fold the data preprocessing's standardisation in (Sub/Div on the input; for a standardised
   * regression target, Mul/Add on the output), so the model takes raw numeric columns.
   */
  foldPreprocessing?: Preprocessor | PreprocessorJSON;
  /** Graph input name (default 'input'). */
  inputName?: string;
  /** Graph output name (default 'output'). */
  outputName?: string;
}

/**
 * The IR version each opset was released with (onnx 1.8 to 1.16): older runtimes refuse a newer
 * IR than they know, so we write the oldest one the opset allows.
 */
const IR_VERSION: Readonly<Record<number, number>> = {
  13: 7,
  14: 7,
  15: 8,
  16: 8,
  17: 8,
  18: 8,
  19: 9,
  20: 9,
  21: 10,
};
/** Softmax over a single axis (not "flatten from axis") exists from opset 13. */
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
export const DEFAULT_OPSET = 17;

const activationOps = {
  relu: () => ['Relu', []],
  leakyRelu: () => ['LeakyRelu', [float('alpha', LEAKY_RELU_ALPHA)]],
  elu: () => ['Elu', [float('alpha', ELU_ALPHA)]],
  sigmoid: () => ['Sigmoid', []],
  tanh: () => ['Tanh', []],
  softmax: (axis: number) => ['Softmax', [int('axis', axis)]],
} as const satisfies Record<string, (axis: number) => readonly [string, AttributeMessage[]]>;

function emitStep(g: GraphBuilder, step: ExportStep, weights: Map<string, Float32Array>): void {
  const w = (key: string) => `${'layer' in step ? step.layer : ''}.${key}`;
  const value = (key: string) => weights.get(w(key))!;
  switch (step.kind) {
    case 'transpose':
      g.node('transpose', 'Transpose', [], [ints('perm', step.perm)]);
      return;
    case 'dense': {
      const kernel = g.floatTensor(w('kernel'), [step.inputs, step.units], value('kernel'));
      g.node(step.layer, 'MatMul', [kernel]);
      if (step.useBias) g.node(step.layer, 'Add', [g.floatTensor(w('bias'), [step.units], value('bias'))]);
      return;
    }
    case 'conv': {
      const [kh, kw] = step.kernel;
      const oihw = hwioToOihw(value('kernel'), kh, kw, step.inChannels, step.filters);
      const inputs = [
        g.floatTensor(w('kernel'), [step.filters, step.inChannels, kh, kw], oihw, 'OIHW, permuted from HWIO'),
      ];
      if (step.useBias) inputs.push(g.floatTensor(w('bias'), [step.filters], value('bias')));
      g.node(step.layer, 'Conv', inputs, [
        ints('kernel_shape', step.kernel),
        ints('strides', step.strides),
        ints('pads', step.pads),
        ints('dilations', [1, 1]),
        int('group', 1),
      ]);
      return;
    }
    case 'pool': {
      const attributes = [
        ints('kernel_shape', step.size),
        ints('strides', step.strides),
        ints('pads', step.pads),
      ];
      // Our average divides by the window's real elements, never by padding: count_include_pad 0.
      if (step.op === 'average') attributes.push(int('count_include_pad', 0));
      g.node(step.layer, step.op === 'max' ? 'MaxPool' : 'AveragePool', [], attributes);
      return;
    }
    case 'batchNorm': {
      const n = step.features;
      const scale = step.scale ? value('gamma') : new Float32Array(n).fill(1);
      const bias = step.center ? value('beta') : new Float32Array(n);
      g.node(
        step.layer,
        'BatchNormalization',
        [
          g.floatTensor(step.scale ? w('gamma') : w('gamma (ones)'), [n], scale),
          g.floatTensor(step.center ? w('beta') : w('beta (zeros)'), [n], bias),
          g.floatTensor(w('moving_mean'), [n], value('moving_mean')),
          g.floatTensor(w('moving_variance'), [n], value('moving_variance')),
        ],
        // ONNX's momentum, like ours, is the old statistic's weight (PyTorch's exporter writes
        // 1 - its own); only training reads it, kept so the file states the layer faithfully.
        [float('epsilon', step.epsilon), float('momentum', step.momentum)],
      );
      return;
    }
    case 'activation': {
      const [op, attributes] = activationOps[step.fn](step.axis);
      g.node(step.layer, op, [], [...attributes]);
      return;
    }
    case 'flatten':
      g.node(step.layer, 'Flatten', [], [int('axis', 1)]);
      return;
    case 'reshape':
      g.node(step.layer, 'Reshape', [g.int64Tensor(w('shape'), [-1, ...step.shape])]);
      return;
    case 'dropout':
      return;
  }
}

function valueInfo(name: string, shape: number[], doc: string): ValueInfoMessage {
  return {
    name,
    doc_string: doc,
    type: {
      tensor_type: {
        elem_type: DataType.FLOAT,
        shape: { dim: [{ dim_param: 'batch' }, ...shape.map((d) => ({ dim_value: d }))] },
      },
    },
  };
}

/** The ONNX bytes of `model` (built and compiled); see OnnxExportOptions. */
export async function exportOnnx(model: Sequential, options: OnnxExportOptions = {}): Promise<Uint8Array> {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new InvalidArgumentError(
      `${model.name}.exportOnnx(opset=${opset}): expected an integer from ${MIN_OPSET} to ${MAX_OPSET}`,
    );
  }
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  if (!inputName || !outputName || inputName === outputName) {
    throw new InvalidArgumentError(
      `${model.name}.exportOnnx: inputName ${JSON.stringify(inputName)} and outputName ${JSON.stringify(outputName)} must be distinct, non-empty names`,
    );
  }
  const plan = planExport(model, 'ONNX', 'exportOnnx');
  const variables = model.variables;
  const data = await readTensors(variables.map((v) => v.value));
  const weights = new Map(variables.map((v, i) => [v.name, data[i]]));
  const g = new GraphBuilder(inputName);
  const metadata = [{ key: 'model_config', value: JSON.stringify(model.getConfig()) }];

  const s = options.foldPreprocessing ? standardizationOf(options.foldPreprocessing) : null;
  if (s) {
    if (plan.inputShape.length !== 1 || plan.inputShape[0] !== s.mean.length) {
      throw new ExportError(
        `${model.name}.exportOnnx(foldPreprocessing): the preprocessor encodes ${s.mean.length} columns, the model takes samples of shape [${plan.inputShape}]`,
      );
    }
    g.node('preprocessing', 'Sub', [g.floatTensor('preprocessing.mean', [s.mean.length], s.mean)]);
    g.node('preprocessing', 'Div', [g.floatTensor('preprocessing.std', [s.std.length], s.std)]);
    metadata.push({ key: 'feature_names', value: JSON.stringify(s.featureNames) });
  }
  for (const step of plan.steps) emitStep(g, step, weights);
  if (s?.target) {
    g.node('postprocessing', 'Mul', [
      g.floatTensor('postprocessing.std', [1], Float32Array.of(s.target.std)),
    ]);
    g.node('postprocessing', 'Add', [
      g.floatTensor('postprocessing.mean', [1], Float32Array.of(s.target.mean)),
    ]);
  }
  const docs = {
    input: s
      ? 'Raw numeric columns and date parts; other columns encoded as in training'
      : 'Encoded features as the model takes them (NHWC for images)',
    output: s?.target ? 'The regression target in its own units' : 'The model output, as predict returns it',
  };
  return finish(g, plan, opset, { input: inputName, output: outputName }, docs, metadata);
}

function finish(
  g: GraphBuilder,
  plan: ReturnType<typeof planExport>,
  opset: number,
  names: { input: string; output: string },
  docs: { input: string; output: string },
  metadata: { key: string; value: string }[],
): Uint8Array {
  const last = g.nodes[g.nodes.length - 1];
  // The last node writes the graph output directly; a model that is the identity at inference
  // (Dropout alone) gets one Identity node so output and input stay distinct values.
  if (last) last.output = [names.output];
  else
    g.nodes.push({
      name: 'identity',
      op_type: 'Identity',
      input: [names.input],
      output: [names.output],
      attribute: [],
    });
  return encodeModel({
    ir_version: IR_VERSION[opset],
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'webgpu-trainer',
    producer_version: '1',
    doc_string: `Sequential model '${plan.modelName}' exported for inference`,
    graph: {
      name: plan.modelName,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(names.input, plan.inputShape, docs.input)],
      output: [valueInfo(names.output, plan.outputShape, docs.output)],
    },
    metadata_props: metadata,
  });
}
