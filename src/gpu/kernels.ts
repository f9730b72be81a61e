// Kernel registry: load each shaders/<name>.wgsl, reflect it with wgsl_reflect, build its bind-group
// layout from the reflection, and check every buffer bound against the declared type and size, so that a
// binding mismatch is an error when the dispatch is prepared rather than garbage in the output.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WgslReflect, ResourceType, type VariableInfo } from 'wgsl_reflect/wgsl_reflect.module.js';
import { type Gpu, type Occupancy, Owner } from './device.js';
import { type DType, type GpuTensor, createTensor, numel } from './tensor.js';

export const SHADER_DIR = fileURLToPath(new URL('../../shaders/', import.meta.url));

interface BindingInfo {
  readonly name: string;
  readonly binding: number;
  readonly kind: 'uniform' | 'storage' | 'read-only-storage';
  /** Scalar type of a storage array's elements (vec4<f32> counts as f32). */
  readonly scalar?: DType;
  /** Bytes the binding needs at least: one element for a runtime-sized array, the whole type otherwise. */
  readonly minBytes: number;
  /** For the uniform struct: its members' names, byte offsets and scalar types. */
  readonly members?: readonly { name: string; offset: number; scalar: DType }[];
  readonly uniformBytes?: number;
}

export type Uniforms = Record<string, number>;
export type Constants = Record<string, number>;

export interface Kernel {
  readonly name: string;
  readonly bindings: readonly BindingInfo[];
  readonly workgroupSize: readonly [number, number, number];
  readonly overrides: readonly string[];
  readonly bindGroupLayout: GPUBindGroupLayout;
  pipeline(constants?: Constants): GPUComputePipeline;
}

/**
 * A dispatch's traffic and arithmetic, for roofline estimates (src/bench/roofline.ts): bytes is what the
 * tensor ranges it binds cover, each byte once whether read or written (an approximation: state read and
 * rewritten, such as AdamW's moments, moves twice; a range bound but partly used, once in full), flops what
 * its op declared (the products; 0 for the rest).
 */
export interface Cost { readonly flops: number; readonly bytes: number }

/** One prepared dispatch: everything bound and checked, ready to encode any number of times. */
export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
  readonly cost: Cost;
}

export interface DispatchArgs {
  tensors: Record<string, GpuTensor>;
  uniforms?: Uniforms;
  constants?: Constants;
  workgroups: readonly [number, number?, number?];
  /** Floating-point operations the dispatch performs, when they matter (the products). Default 0. */
  flops?: number;
}

function scalarOf(typeName: string, kernel: string, binding: string): DType {
  const m = /(f32|u32|i32)/.exec(typeName);
  if (!m) throw new Error(`kernel ${kernel}: binding '${binding}' has type ${typeName}; only f32/u32/i32 data is supported`);
  return m[1] as DType;
}

function describe(v: VariableInfo, kernel: string): BindingInfo {
  if (v.resourceType === ResourceType.Uniform) {
    const members = (v.members ?? []).map((m) => ({ name: m.name, offset: m.offset, scalar: scalarOf(m.type.name, kernel, `${v.name}.${m.name}`) }));
    return { name: v.name, binding: v.binding, kind: 'uniform', minBytes: v.size, members, uniformBytes: Math.ceil(v.size / 16) * 16 };
  }
  if (v.resourceType !== ResourceType.Storage) throw new Error(`kernel ${kernel}: binding '${v.name}' is not a buffer`);
  const t = v.type as { format?: { name: string; format?: { name: string } }; count?: number; stride?: number; name: string };
  const runtimeSized = v.isArray && !t.count;
  // array<vec4<f32>> reflects as format 'vec4' whose own format is 'f32'.
  return {
    name: v.name,
    binding: v.binding,
    kind: v.access === 'read' ? 'read-only-storage' : 'storage',
    scalar: scalarOf(t.format?.format?.name ?? t.format?.name ?? t.name, kernel, v.name),
    minBytes: runtimeSized ? (t.stride ?? 4) : v.size,
  };
}

class ReflectedKernel implements Kernel {
  readonly bindings: readonly BindingInfo[];
  readonly workgroupSize: readonly [number, number, number];
  readonly overrides: readonly string[];
  private readonly module: GPUShaderModule;
  private readonly layout: GPUPipelineLayout;
  readonly bindGroupLayout: GPUBindGroupLayout;
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly g: Gpu, readonly name: string, source: string) {
    const reflect = new WgslReflect(source);
    const entries = reflect.entry.compute;
    if (entries.length !== 1 || entries[0].name !== 'main') throw new Error(`kernel ${name}: expected exactly one compute entry point named main`);
    const groups = reflect.getBindGroups();
    if (groups.length > 1) throw new Error(`kernel ${name}: only @group(0) is supported`);
    this.bindings = (groups[0] ?? []).filter((v) => v).map((v) => describe(v, name));
    if (this.bindings.filter((b) => b.kind === 'uniform').length > 1) throw new Error(`kernel ${name}: at most one uniform struct`);
    const ws = entries[0].workgroupSize ?? [1, 1, 1];
    this.workgroupSize = [ws[0] ?? 1, ws[1] ?? 1, ws[2] ?? 1];
    this.overrides = reflect.overrides.map((o) => o.name);
    this.module = g.device.createShaderModule({ label: name, code: source });
    this.bindGroupLayout = g.device.createBindGroupLayout({
      label: name,
      entries: this.bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.kind } })),
    });
    this.layout = g.device.createPipelineLayout({ label: name, bindGroupLayouts: [this.bindGroupLayout] });
  }

  pipeline(constants: Constants = {}): GPUComputePipeline {
    for (const k of Object.keys(constants)) {
      if (!this.overrides.includes(k)) throw new Error(`kernel ${this.name}: no override constant '${k}' (has: ${this.overrides.join(', ') || 'none'})`);
    }
    const key = JSON.stringify(Object.entries(constants).sort());
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.g.device.createComputePipeline({ label: this.name, layout: this.layout, compute: { module: this.module, entryPoint: 'main', constants } });
      this.pipelines.set(key, p);
    }
    return p;
  }
}

export class KernelRegistry {
  private readonly unused: GpuTensor[] = [];
  private unread: GpuTensor | undefined;
  /** Owns what this registry allocates: the uniform buffer of each prepared dispatch, the stand-ins of unused bindings. */
  readonly owner: Owner;
  constructor(
    private readonly g: Gpu, private readonly dir = SHADER_DIR, owner?: Owner, private readonly kernels = new Map<string, Kernel>(),
    private readonly occupancy: Occupancy = g.occupancy,
  ) {
    this.owner = owner ?? new Owner(g);
  }

  /** See Gpu.subgroupSize. */
  get subgroupSize(): number | undefined {
    return this.g.subgroupSize;
  }

  /** See Occupancy.gridWorkgroups. */
  get gridWorkgroups(): number {
    return this.occupancy.gridWorkgroups;
  }

  /** See Occupancy.fillWorkgroups. */
  get fillWorkgroups(): number {
    return this.occupancy.fillWorkgroups;
  }

  /** The same compiled kernels, preparing into `owner`: a model's dispatches are freed with the model. */
  ownedBy(owner: Owner): KernelRegistry {
    return new KernelRegistry(this.g, this.dir, owner, this.kernels, this.occupancy);
  }

  /**
   * The same compiled kernels, scheduling as a device of other figures would: the GPU estimate builds the
   * programs a GPU would run (GPU_OCCUPANCY), and tests run split-K schedules on a CPU adapter.
   */
  scheduledFor(occupancy: Occupancy): KernelRegistry {
    return new KernelRegistry(this.g, this.dir, this.owner, this.kernels, occupancy);
  }

  /**
   * A small buffer of its own for a writable binding a dispatch leaves unused (a kernel's optional output):
   * WebGPU forbids aliasing a writable binding with another binding of the same dispatch, so a dispatch
   * that leaves several unused takes a different slot for each.
   */
  unusedOutput(slot = 0): GpuTensor {
    this.unused[slot] ??= createTensor(this.owner, 'f32', [4], undefined, `unused_output_${slot}`);
    return this.unused[slot];
  }

  /**
   * A small buffer for a read-only binding a dispatch leaves unread (a vec4 view the kernel does not take).
   * Never bound writable, so any number of read-only bindings may share it.
   */
  unreadInput(): GpuTensor {
    this.unread ??= createTensor(this.owner, 'f32', [4], undefined, 'unread_input');
    return this.unread;
  }

  get(name: string): Kernel {
    let k = this.kernels.get(name);
    if (!k) {
      k = new ReflectedKernel(this.g, name, readFileSync(`${this.dir}/${name}.wgsl`, 'utf8'));
      this.kernels.set(name, k);
    }
    return k;
  }

  /** Bind tensors and uniforms to a kernel, checking each against the reflection. */
  prepare(name: string, args: DispatchArgs): Dispatch {
    const k = this.get(name);
    const dev = this.g.device;
    const given = new Set(Object.keys(args.tensors));
    const entries: GPUBindGroupEntry[] = [];
    const ranges: ByteRange[] = [];
    for (const b of k.bindings) {
      if (b.kind === 'uniform') {
        entries.push({ binding: b.binding, resource: { buffer: this.uniformBuffer(k.name, b, args.uniforms ?? {}) } });
        continue;
      }
      const t = args.tensors[b.name];
      if (!t) throw new Error(`kernel ${k.name}: storage binding '${b.name}' is not bound`);
      given.delete(b.name);
      if (t.dtype !== b.scalar) throw new Error(`kernel ${k.name}: '${b.name}' is array<${b.scalar}> but the tensor is ${t.dtype}`);
      const bytes = numel(t.shape) * 4;
      if (bytes < b.minBytes) throw new Error(`kernel ${k.name}: '${b.name}' needs at least ${b.minBytes} bytes, the tensor [${t.shape}] has ${bytes}`);
      const align = dev.limits.minStorageBufferOffsetAlignment;
      if ((t.offset * 4) % align) throw new Error(`kernel ${k.name}: '${b.name}' is bound at byte offset ${t.offset * 4}, not a multiple of ${align}`);
      entries.push({ binding: b.binding, resource: { buffer: t.buffer, offset: t.offset * 4, size: bytes } });
      // The stand-ins of unused bindings move nothing worth pricing.
      if (t !== this.unread && !this.unused.includes(t)) ranges.push({ buffer: t.buffer, start: t.offset * 4, end: t.offset * 4 + bytes });
    }
    if (given.size) throw new Error(`kernel ${k.name}: no binding named ${[...given].join(', ')}`);
    const max = dev.limits.maxComputeWorkgroupsPerDimension;
    const wg = [args.workgroups[0], args.workgroups[1] ?? 1, args.workgroups[2] ?? 1] as const;
    for (const n of wg) {
      if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`kernel ${k.name}: workgroup count ${n} outside 0..${max} (maxComputeWorkgroupsPerDimension)`);
    }
    const pipeline = k.pipeline(args.constants);
    const bindGroup = dev.createBindGroup({ label: k.name, layout: k.bindGroupLayout, entries });
    return { label: k.name, pipeline, bindGroup, workgroups: wg, cost: { flops: args.flops ?? 0, bytes: unionBytes(ranges) } };
  }

  private uniformBuffer(kernel: string, b: BindingInfo, u: Uniforms): GPUBuffer {
    const data = new ArrayBuffer(b.uniformBytes!);
    const view = new DataView(data);
    const names = new Set(Object.keys(u));
    for (const m of b.members!) {
      const v = u[m.name];
      if (v === undefined) throw new Error(`kernel ${kernel}: uniform '${b.name}.${m.name}' not given`);
      names.delete(m.name);
      if (m.scalar === 'f32') view.setFloat32(m.offset, v, true);
      else {
        if (!Number.isInteger(v) || (m.scalar === 'u32' && v < 0)) throw new Error(`kernel ${kernel}: uniform '${b.name}.${m.name}' is ${m.scalar}, got ${v}`);
        if (m.scalar === 'u32') view.setUint32(m.offset, v, true);
        else view.setInt32(m.offset, v, true);
      }
    }
    if (names.size) throw new Error(`kernel ${kernel}: uniform '${b.name}' has no member ${[...names].join(', ')}`);
    const buf = this.owner.buffer({ label: `${kernel}.${b.name}`, size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.g.device.queue.writeBuffer(buf, 0, data);
    return buf;
  }
}

/** A buffer-to-buffer copy between dispatches (only 4-byte alignment needed, unlike a binding offset). */
export interface Copy {
  readonly label: 'copy';
  readonly src: GpuTensor;
  readonly dst: GpuTensor;
}

export type Step = Dispatch | Copy;

interface ByteRange { buffer: GPUBuffer; start: number; end: number }

/** Bytes the ranges cover, each byte once: a range bound twice (a vec4 view, a stand-in inside another binding) moves once. */
function unionBytes(ranges: readonly ByteRange[]): number {
  let total = 0;
  for (const buffer of new Set(ranges.map((r) => r.buffer))) {
    let covered = -Infinity;
    for (const r of ranges.filter((x) => x.buffer === buffer).sort((x, y) => x.start - y.start)) {
      total += Math.max(0, r.end - Math.max(r.start, covered));
      covered = Math.max(covered, r.end);
    }
  }
  return total;
}

export function copy(src: GpuTensor, dst: GpuTensor): Copy {
  if (numel(src.shape) !== numel(dst.shape)) throw new Error(`copy: [${src.shape}] into [${dst.shape}]`);
  return { label: 'copy', src, dst };
}

/** Encode steps into one command encoder (consecutive dispatches share a compute pass) and submit. */
export function submit(g: Gpu, steps: readonly Step[]): void {
  const enc = g.device.createCommandEncoder();
  let pass: GPUComputePassEncoder | undefined;
  for (const s of steps) {
    if ('src' in s) {
      pass?.end();
      pass = undefined;
      enc.copyBufferToBuffer(s.src.buffer, s.src.offset * 4, s.dst.buffer, s.dst.offset * 4, numel(s.src.shape) * 4);
      continue;
    }
    pass ??= enc.beginComputePass();
    pass.setPipeline(s.pipeline);
    pass.setBindGroup(0, s.bindGroup);
    pass.dispatchWorkgroups(s.workgroups[0], s.workgroups[1], s.workgroups[2]);
  }
  pass?.end();
  g.device.queue.submit([enc.finish()]);
}
