/**
 * Compute pipelines cached by their full WGSL source and override constants (never a hand-built
 * name: two different shaders can never share an entry), with explicit bind group layouts, and
 * shader compile errors turned into messages with line, column and the offending source line.
 */
import { BackendError } from '../../errors';

/** A WGSL program: the text compiled and a name for messages. */
export interface ShaderSource {
  readonly name: string;
  readonly code: string;
}

export type OverrideConstants = Readonly<Record<string, number>>;

/** A shader that did not compile: the message carries file, line, column and the source line. */
export class ShaderCompileError extends BackendError {}

export interface CachedPipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** Formats compilation messages the way a compiler prints them, with the line and a caret. */
export function formatCompilationMessages(
  shader: ShaderSource,
  messages: readonly GPUCompilationMessage[],
): string {
  const lines = shader.code.split('\n');
  return messages
    .map((m) => {
      const text = lines[m.lineNum - 1] ?? '';
      const caret = `${' '.repeat(Math.max(m.linePos - 1, 0))}^`;
      return `${shader.name}:${m.lineNum}:${m.linePos}: ${m.type}: ${m.message}\n  ${text}\n  ${caret}`;
    })
    .join('\n');
}

/** The cache's key: the full source, the override values in name order and the binding counts. */
function pipelineKey(
  shader: ShaderSource,
  constants: OverrideConstants,
  inputs: number,
  outputs: number,
): string {
  const values = Object.entries(constants).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${JSON.stringify(values)}\n${inputs}:${outputs}\n${shader.code}`;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, CachedPipeline>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  /** Pipelines created since the cache was made (the executor's tests watch it). */
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Told about compile errors found after the fact (run() is synchronous; compilation reports are not). */
    private readonly onCompileError: (error: ShaderCompileError) => void,
  ) {}

  /**
   * Bindings 0..inputs-1 read-only storage, then the outputs (storage), then one uniform: the order
   * every declared kernel's bindings follow (declare-kernel.ts checks it and generates them).
   */
  layoutFor(inputs: number, outputs = 1): GPUBindGroupLayout {
    const key = `${inputs}:${outputs}`;
    let layout = this.layouts.get(key);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      for (let i = 0; i < inputs + outputs; i++) {
        entries.push({
          binding: i,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: i < inputs ? 'read-only-storage' : 'storage' },
        });
      }
      entries.push({
        binding: inputs + outputs,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: 'uniform' },
      });
      layout = this.device.createBindGroupLayout({
        label: `${inputs} inputs, ${outputs} outputs, 1 uniform`,
        entries,
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }

  get(shader: ShaderSource, constants: OverrideConstants, inputs: number, outputs = 1): CachedPipeline {
    const key = pipelineKey(shader, constants, inputs, outputs);
    let cached = this.pipelines.get(key);
    if (!cached) {
      const layout = this.layoutFor(inputs, outputs);
      const pipeline = this.device.createComputePipeline({
        label: shader.name,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: this.module(shader), entryPoint: 'main', constants: { ...constants } },
      });
      cached = { pipeline, layout };
      this.pipelines.set(key, cached);
      this.created++;
    }
    return cached;
  }

  /**
   * The pipeline `get` would give, compiled asynchronously and checked: rejects with
   * ShaderCompileError (or the device's pipeline error) instead of reporting it, so work that may
   * fail on its own (a tuning candidate) never spoils the steps that share the device. Cached
   * only once it compiled; a later `get` of the same kernel finds it.
   */
  async getChecked(
    shader: ShaderSource,
    constants: OverrideConstants,
    inputs: number,
    outputs = 1,
  ): Promise<CachedPipeline> {
    const key = pipelineKey(shader, constants, inputs, outputs);
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const layout = this.layoutFor(inputs, outputs);
    this.device.pushErrorScope('validation');
    const module =
      this.modules.get(shader.code) ??
      this.device.createShaderModule({ label: shader.name, code: shader.code });
    const made = this.device.createComputePipelineAsync({
      label: shader.name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main', constants: { ...constants } },
    });
    const scope = this.device.popErrorScope().catch(() => null);
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await made;
    } catch (e) {
      await scope;
      const info = await module.getCompilationInfo().catch(() => null);
      const errors = info?.messages.filter((m) => m.type === 'error') ?? [];
      if (errors.length > 0) {
        throw new ShaderCompileError(
          `WGSL shader ${shader.name} failed to compile:\n${formatCompilationMessages(shader, errors)}`,
        );
      }
      throw new BackendError(`pipeline ${shader.name} could not be made: ${(e as Error).message}`);
    }
    const refused = await scope;
    if (refused) throw new BackendError(`pipeline ${shader.name} was refused: ${refused.message}`);
    if (!this.modules.has(shader.code)) this.modules.set(shader.code, module);
    const entry = this.pipelines.get(key) ?? { pipeline, layout };
    if (!this.pipelines.has(key)) {
      this.pipelines.set(key, entry);
      this.created++;
    }
    return entry;
  }

  private module(shader: ShaderSource): GPUShaderModule {
    let module = this.modules.get(shader.code);
    if (!module) {
      module = this.device.createShaderModule({ label: shader.name, code: shader.code });
      this.modules.set(shader.code, module);
      module.getCompilationInfo().then(
        (info) => {
          const errors = info.messages.filter((m) => m.type === 'error');
          if (errors.length > 0) {
            this.onCompileError(
              new ShaderCompileError(
                `WGSL shader ${shader.name} failed to compile:\n${formatCompilationMessages(shader, errors)}`,
              ),
            );
          }
        },
        () => undefined,
      );
    }
    return module;
  }

  /** Compiles a shader and throws ShaderCompileError with line, column and source if it fails. */
  async check(shader: ShaderSource): Promise<void> {
    // The scope keeps a failed compile here from also arriving as an uncaptured device error.
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: shader.name, code: shader.code });
    await this.device.popErrorScope();
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new ShaderCompileError(
        `WGSL shader ${shader.name} failed to compile:\n${formatCompilationMessages(shader, errors)}`,
      );
    }
  }
}
