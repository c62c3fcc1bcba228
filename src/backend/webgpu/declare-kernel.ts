/**
 * A WGSL kernel declared once: its storage bindings, its params (params.ts) and its override
 * constants, by name and type. The declaration generates the WGSL that declares them (appended after
 * the kernel's own file, so compile errors keep that file's line numbers) and types the TypeScript
 * side: `dispatch` takes the params as an object and the overrides by name, and checks the buffers
 * against the bindings. A variant of a kernel (tile sizes, outputs per thread, a mode) is a set of
 * override values for one declaration; the pipeline cache keys on the full generated source.
 *
 * `declareItemKernel` adds the shared grid-stride loop (shaders/per-item.wgsl) around the kernel's
 * `fn item(i: u32)`, with the `n` param and the WG and PER overrides it needs.
 */
import common from '../../../shaders/common.wgsl?raw';
import perItem from '../../../shaders/per-item.wgsl?raw';
import strided from '../../../shaders/strided.wgsl?raw';
import { BackendError } from '../../errors';
import type { DispatchBuffer, KernelDispatch, Scratch } from './kernel-types';
import { type FieldTypes, ParamLayout, type ParamValues, type RowName } from './params';
import type { OverrideConstants, ShaderSource } from './pipelines';

export type Access = 'read' | 'write';
export type ElementType = 'f32' | 'u32' | 'vec4<f32>';
/** A storage binding: read-only or written, of f32 unless an element type follows. */
export type Binding = Access | `${Access} ${ElementType}`;
export type Bindings = { readonly [name: string]: Binding };
/** Override constants by name with their defaults: a number is a u32, a boolean a bool. */
export type Overrides = { readonly [name: string]: number | boolean };

/** The override values a dispatch may set (the rest keep their defaults). */
export type Constants<O extends Overrides> = {
  readonly [K in keyof O]?: O[K] extends boolean ? boolean : number;
};

export interface KernelDeclaration<F extends FieldTypes, R extends RowName, O extends Overrides> {
  /** The file under shaders/, without `.wgsl`: the name in messages. */
  readonly file: string;
  /** The file's text. */
  readonly source: string;
  /** WGSL appended after the generated part, before common.wgsl (a family's shared functions). */
  readonly shared?: readonly string[];
  /** In binding order: every read before the first write; the params uniform comes last. */
  readonly bindings: Bindings;
  readonly params: F;
  /** Rows of shapes or strides (params.ts); a kernel with rows also gets shaders/strided.wgsl. */
  readonly dims?: readonly R[];
  readonly overrides: O;
}

/** What one dispatch of a kernel takes: its input buffers, params, override values and workgroup count. */
export interface DispatchOf<F extends FieldTypes, R extends RowName, O extends Overrides> {
  readonly inputs: readonly DispatchBuffer[];
  /** Temporaries written instead of the op's outputs (kernel-types.ts `Scratch`), one per declared write. */
  readonly targets?: readonly Scratch[];
  readonly params: ParamValues<F, R>;
  readonly constants?: Constants<O>;
  readonly workgroups: number;
}

export class DeclaredKernel<F extends FieldTypes, R extends RowName, O extends Overrides>
  implements ShaderSource
{
  readonly name: string;
  readonly code: string;
  /** Read-only storage bindings, then `outputs` written ones. */
  readonly inputs: number;
  readonly outputs: number;
  readonly layout: ParamLayout<F, R>;

  constructor(declaration: KernelDeclaration<F, R, O>) {
    const { file, bindings, params, dims = [], overrides } = declaration;
    this.name = `shaders/${file}.wgsl`;
    const access = Object.values(bindings).map((b) => b.split(' ')[0] as Access);
    this.inputs = access.indexOf('write');
    this.outputs = access.length - this.inputs;
    if (this.inputs < 0 || access.slice(this.inputs).includes('read')) {
      throw new BackendError(
        `kernel ${this.name}: bindings must list every read before the writes, and one write at least`,
      );
    }
    this.layout = new ParamLayout(this.name, params, dims);
    this.code = [
      declaration.source,
      `// Generated from the declaration of ${this.name} (src/backend/webgpu/declare-kernel.ts).`,
      bindingsWgsl(bindings),
      this.layout.wgsl(),
      overridesWgsl(overrides),
      ...(dims.length > 0 ? [strided] : []),
      ...(declaration.shared ?? []),
      common,
    ].join('\n');
  }

  /** One dispatch of this kernel; the buffers must match the declared reads. */
  dispatch({ inputs, targets, params, constants = {}, workgroups }: DispatchOf<F, R, O>): KernelDispatch {
    if (inputs.length !== this.inputs) {
      throw new BackendError(
        `kernel ${this.name}: takes ${this.inputs} input buffers, received ${inputs.length}`,
      );
    }
    if (targets && targets.length !== this.outputs) {
      throw new BackendError(
        `kernel ${this.name}: writes ${this.outputs} buffers, received ${targets.length} targets`,
      );
    }
    const values: Record<string, number> = {};
    for (const [key, v] of Object.entries(constants as Readonly<Record<string, number | boolean>>)) {
      values[key] = typeof v === 'boolean' ? Number(v) : v;
    }
    return {
      shader: this,
      constants: values as OverrideConstants,
      inputs,
      params: this.layout.write(params),
      workgroups,
      ...(this.outputs > 1 ? { outputs: this.outputs } : {}),
      ...(targets ? { targets } : {}),
    };
  }
}

function bindingsWgsl(bindings: Bindings): string {
  return [
    ...Object.entries(bindings).map(([name, b], k) => {
      const [access, element = 'f32'] = b.split(' ');
      const mode = access === 'read' ? 'read' : 'read_write';
      return `@group(0) @binding(${k}) var<storage, ${mode}> ${name}: array<${element}>;`;
    }),
    `@group(0) @binding(${Object.keys(bindings).length}) var<uniform> params: Params;`,
  ].join('\n');
}

function overridesWgsl(overrides: Overrides): string {
  return Object.entries(overrides)
    .map(([name, v]) =>
      typeof v === 'boolean' ? `override ${name}: bool = ${v};` : `override ${name}: u32 = ${v}u;`,
    )
    .join('\n');
}

export function declareKernel<
  const F extends FieldTypes,
  const O extends Overrides,
  const R extends RowName = never,
>(declaration: KernelDeclaration<F, R, O>): DeclaredKernel<F, R, O> {
  return new DeclaredKernel(declaration);
}

/** The params object a declared kernel's dispatch takes. */
// biome-ignore lint/suspicious/noExplicitAny: matches any declared kernel; the result keeps its types.
export type ParamsOf<K> = K extends DeclaredKernel<infer F, infer R, any> ? ParamValues<F, R> : never;
/** The override values a declared kernel's dispatch takes. */
// biome-ignore lint/suspicious/noExplicitAny: as above.
export type ConstantsOf<K> = K extends DeclaredKernel<any, any, infer O> ? Constants<O> : never;

/** The n param and the WG, PER overrides of the grid-stride loop (per-item.wgsl). */
export type ItemFields<F extends FieldTypes> = F & { readonly n: 'u32' };
export type ItemOverrides<O extends Overrides> = O & { readonly WG: number; readonly PER: number };
export type ItemKernel<F extends FieldTypes, R extends RowName, O extends Overrides> = DeclaredKernel<
  ItemFields<F>,
  R,
  ItemOverrides<O>
>;
/** Any kernel declared with declareItemKernel (what `chunked` dispatches). */
// biome-ignore lint/suspicious/noExplicitAny: the parameter types vary per kernel; callers keep them.
export type AnyItemKernel = ItemKernel<any, any, any>;

/**
 * A kernel of independent work items: the file defines `fn item(i: u32)` for item i < params.n, and
 * per-item.wgsl runs it for PER items per thread, WG apart.
 */
export function declareItemKernel<
  const F extends FieldTypes,
  const O extends Overrides,
  const R extends RowName = never,
>(declaration: KernelDeclaration<F, R, O>): ItemKernel<F, R, O> {
  if (!/fn item\(i: u32\)/.test(declaration.source)) {
    throw new BackendError(`kernel shaders/${declaration.file}.wgsl: an item kernel defines fn item(i: u32)`);
  }
  return new DeclaredKernel({
    ...declaration,
    params: { n: 'u32', ...declaration.params } as ItemFields<F>,
    overrides: { ...declaration.overrides, WG: 64, PER: 1 } as ItemOverrides<O>,
    shared: [perItem, ...(declaration.shared ?? [])],
  });
}
