/**
 * Kernel parameters declared once by name and type (the idea of TypeGPU's typed schemas, hand-written
 * for the few types our kernels take): a declaration gives both the WGSL `struct Params` and the
 * writer that fills the uniform's bytes from a typed object, so neither WGSL nor TypeScript names a
 * parameter by its position.
 *
 * Layout follows WGSL's rules for the uniform address space: each field at the next multiple of its
 * alignment (scalars 4 bytes), the struct's size a multiple of its largest alignment. Shapes and
 * strides travel as rows of a `dims` table, `array<array<vec4<u32>, 2>, rows>`: a uniform array's
 * element stride must be a multiple of 16 bytes, so eight u32 of one row are packed as two vec4
 * (an `array<u32, 8>` would be rejected) and the table starts at a 16-byte boundary.
 */
import { BackendError, fmtShape } from '../../errors';
import type { Shape } from '../../graph/shape';

/** Shapes and strides travel in rows of this many entries. */
export const MAX_RANK = 8;

export type ScalarType = 'u32' | 'i32' | 'f32';
/** A field's type; a trailing '?' marks a field only some modes read (0 when not given). */
export type FieldType = ScalarType | `${ScalarType}?`;
export type FieldTypes = { readonly [name: string]: FieldType };
/** A row of the dims table by name; a trailing '?' marks a row only some modes read ([] when not given). */
export type RowName = string;

type RequiredKeys<F> = { [K in keyof F]: F[K] extends `${string}?` ? never : K }[keyof F];
type OptionalKeys<F> = Exclude<keyof F, RequiredKeys<F>>;
type RequiredRow<R> = R extends `${string}?` ? never : R;
type OptionalRow<R> = R extends `${infer N}?` ? N : never;

/** The values a kernel's params take: a number per field, a list of at most MAX_RANK per dims row. */
export type ParamValues<F extends FieldTypes, R extends RowName> = {
  readonly [K in RequiredKeys<F>]: number;
} & {
  readonly [K in OptionalKeys<F>]?: number;
} & { readonly [K in RequiredRow<R>]: readonly number[] } & {
  readonly [K in OptionalRow<R>]?: readonly number[];
};

/** The bytes of one uniform of params, as the kernel's struct lays them out. */
export class ParamBlock {
  constructor(readonly bytes: ArrayBuffer) {}
}

export interface FieldLayout {
  readonly name: string;
  readonly type: ScalarType;
  readonly optional: boolean;
  /** Byte offset in the struct. */
  readonly offset: number;
}

export interface RowLayout {
  readonly name: string;
  readonly optional: boolean;
  /** The WGSL constant naming the row's index (`outShape` -> OUT_SHAPE). */
  readonly constant: string;
}

const SCALAR_BYTES = 4;
/** One dims row: two vec4<u32>, 16-byte aligned. */
const ROW_ALIGN = 16;
const ROW_BYTES = MAX_RANK * 4;

function roundUp(align: number, n: number): number {
  return Math.ceil(n / align) * align;
}

function constantName(row: string): string {
  return row.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** Where each field of a kernel's params lives, the WGSL that declares them, and their writer. */
export class ParamLayout<F extends FieldTypes, R extends RowName> {
  readonly fields: readonly FieldLayout[];
  readonly rows: readonly RowLayout[];
  /** Byte offset of the dims table (meaningful when there are rows). */
  readonly dimsOffset: number;
  /** The struct's size in bytes: the uniform buffer's. */
  readonly size: number;

  constructor(
    /** The kernel, for messages. */
    readonly kernel: string,
    fields: F,
    rows: readonly R[],
  ) {
    let cursor = 0;
    this.fields = Object.entries(fields).map(([name, t]) => {
      const offset = roundUp(SCALAR_BYTES, cursor);
      cursor = offset + SCALAR_BYTES;
      return { name, type: t.replace('?', '') as ScalarType, optional: t.endsWith('?'), offset };
    });
    this.rows = rows.map((r) => {
      const name = r.replace('?', '');
      return { name, optional: r.endsWith('?'), constant: constantName(name) };
    });
    this.dimsOffset = roundUp(ROW_ALIGN, cursor);
    if (this.rows.length > 0) cursor = this.dimsOffset + this.rows.length * ROW_BYTES;
    // WGSL's struct size rounds to the largest alignment (16 with a dims table, else 4); the buffer
    // rounds to 16 either way, which no struct outgrows and some drivers want for uniform bindings.
    this.size = roundUp(ROW_ALIGN, Math.max(cursor, SCALAR_BYTES));
    const names = [...this.fields.map((f) => f.name), ...this.rows.map((r) => r.name)];
    const repeated = names.find((n, i) => names.indexOf(n) !== i || n === 'dims');
    if (repeated !== undefined) {
      throw new BackendError(`kernel ${kernel}: parameter name '${repeated}' is used twice or reserved`);
    }
  }

  /** `struct Params`, the row constants and `dim(row, d)`, the d-th entry of a row. */
  wgsl(): string {
    const members = this.fields.map((f) => `  ${f.name}: ${f.type},`);
    if (this.rows.length === 0) return ['struct Params {', ...members, '}'].join('\n');
    return [
      'struct Params {',
      ...members,
      `  dims: array<array<vec4<u32>, ${MAX_RANK / 4}>, ${this.rows.length}>,`,
      '}',
      ...this.rows.map((r, k) => `const ${r.constant} = ${k}u;`),
      'fn dim(row: u32, d: u32) -> u32 {',
      '  return params.dims[row][d >> 2u][d & 3u];',
      '}',
    ].join('\n');
  }

  /** The uniform's bytes for `values`; throws BackendError for a missing field or an over-long row. */
  write(values: ParamValues<F, R>): ParamBlock {
    const bytes = new ArrayBuffer(this.size);
    const u32 = new Uint32Array(bytes);
    const i32 = new Int32Array(bytes);
    const f32 = new Float32Array(bytes);
    const given = values as unknown as Readonly<Record<string, number | readonly number[] | undefined>>;
    for (const f of this.fields) {
      const v = given[f.name];
      if (v === undefined && f.optional) continue;
      if (typeof v !== 'number') {
        throw new BackendError(
          `kernel ${this.kernel}: parameter ${f.name} (${f.type}) needs a number, received ${v}`,
        );
      }
      const at = f.offset / 4;
      if (f.type === 'f32') f32[at] = v;
      else if (f.type === 'i32') i32[at] = v;
      else u32[at] = v;
    }
    this.rows.forEach((r, k) => {
      const v = given[r.name];
      if (v === undefined && r.optional) return;
      if (!Array.isArray(v) || v.length > MAX_RANK) {
        throw new BackendError(
          `kernel ${this.kernel}: dims row ${r.name} needs at most ${MAX_RANK} entries, received ${Array.isArray(v) ? fmtShape(v) : v}`,
        );
      }
      u32.set(v, (this.dimsOffset + k * ROW_BYTES) / 4);
    });
    return new ParamBlock(bytes);
  }
}

export function checkRank(op: string, shape: Shape): void {
  if (shape.length > MAX_RANK) {
    throw new BackendError(
      `${op} on WebGPU: tensor of shape ${fmtShape(shape)} has rank ${shape.length}, kernels take rank <= ${MAX_RANK}`,
    );
  }
}
