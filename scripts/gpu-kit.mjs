// `npm run gpu-kit [-- --out DIR] [--fast]`: a self-contained folder (under 60 MiB) that measures
// this library on a machine with a real GPU but no Node, no npm and no network (issue 17):
//
//   node.xz            this machine's Node binary, stripped and xz-compressed
//   node_modules/webgpu/   Dawn's npm package with only its linux-x64 binary (xz-compressed)
//   bench-node.mjs     the Node bench and parity, bundled (bench/node/build.mjs)
//   torch_bench.py     the same workloads on PyTorch (W1 fp32 and TF32, W2-W4 eager)
//   lib/               the Vulkan loader and the X libraries NVIDIA's Vulkan driver links, used only
//                      where the machine lacks them
//   run.sh             finds the NVIDIA Vulkan driver, unpacks, runs everything, writes results
//
// On a lent GPU machine the session's one command is scripts/device-run.sh with this folder
// (dist/gpu-kit) carried: the carry limit is 64 MiB with the tracked tree, hence the limit here.
//
// The libraries are copied from this machine's Debian packages (libvulkan1, libx11-6, ...), which
// CI installs anyway; nothing is downloaded. --fast compresses at xz level 0 (for the kit's test).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { buildBench } from '../bench/node/build.mjs';

const args = process.argv.slice(2);
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'dist/gpu-kit';
const level = args.includes('--fast') ? '-0' : '-9e';
const LIMIT_MIB = 60;
/** What NVIDIA's Vulkan ICD and Dawn need beyond glibc, as sonames. */
const LIBS = [
  'libvulkan.so.1',
  'libX11.so.6',
  'libXext.so.6',
  'libxcb.so.1',
  'libXau.so.6',
  'libXdmcp.so.6',
  'libbsd.so.0',
  'libmd.so.0',
  // glvnd's dispatch library, which libGLX_nvidia.so.0 (NVIDIA's Vulkan driver) links; a container's
  // mounted driver folder does not always hold it.
  'libGLdispatch.so.0',
];

const log = (msg) => console.log(`[gpu-kit] ${msg}`);

function xz(src, dest) {
  const r = spawnSync('sh', ['-c', `xz ${level} -T0 -c "$1" > "$2"`, 'xz', src, dest], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`xz ${src} failed`);
}

/** soname -> path on this machine, from the dynamic linker's cache. */
function findLibrary(soname) {
  const cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
  const line = cache.split('\n').find((l) => l.trim().startsWith(`${soname} `) && l.includes('x86-64'));
  if (!line)
    throw new Error(`${soname} is not installed here (Debian: apt-get install libvulkan1 libx11-6 libxext6)`);
  return realpathSync(line.split('=>')[1].trim());
}

function sizeOf(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    bytes += entry.isDirectory() ? sizeOf(p) : statSync(p).size;
  }
  return bytes;
}

if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('gpu-kit: build it on linux-x64');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'lib'), { recursive: true });

log('bundling the bench');
copyFileSync(await buildBench(), join(out, 'bench-node.mjs'));
copyFileSync('bench/node/torch_bench.py', join(out, 'torch_bench.py'));
copyFileSync('bench/node/run.sh', join(out, 'run.sh'));
copyFileSync('bench/node/KIT-README.md', join(out, 'README.md'));

log(`compressing Node ${process.version} (xz ${level})`);
const stripped = join(out, 'node');
copyFileSync(process.execPath, stripped);
spawnSync('strip', [stripped], { stdio: 'inherit' });
xz(stripped, `${stripped}.xz`);
rmSync(stripped);

log('copying Dawn (linux-x64 only)');
const dawn = join(out, 'node_modules', 'webgpu');
mkdirSync(join(dawn, 'dist', 'linux-x64'), { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md', 'types.d.ts'])
  cpSync(join('node_modules/webgpu', f), join(dawn, f));
xz('node_modules/webgpu/dist/linux-x64/dawn.node', join(dawn, 'dist', 'linux-x64', 'dawn.node.xz'));

log('copying the Vulkan loader and X libraries');
for (const soname of LIBS) copyFileSync(findLibrary(soname), join(out, 'lib', soname));

/** The commit the kit was built from (and whether the tree had changes), so results name their code. */
function commitOf() {
  const git = (...a) => spawnSync('git', a, { encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' with uncommitted changes' : ''}`;
}

const versions = {
  node: process.version,
  commit: commitOf(),
  built: new Date().toISOString(),
  libs: LIBS.map((l) => basename(l)),
};
writeFileSync(join(out, 'kit.json'), `${JSON.stringify(versions, null, 2)}\n`);
spawnSync('chmod', ['+x', join(out, 'run.sh')]);

/** What else travels to a lent machine: the tracked and untracked-not-ignored files of this tree. */
function treeMiB() {
  const list = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    encoding: 'utf8',
  });
  if (list.status !== 0) return 0;
  let bytes = 0;
  for (const f of list.stdout.split('\0')) {
    try {
      if (f) bytes += statSync(f).size;
    } catch {
      // listed but deleted in the work tree: it does not travel
    }
  }
  return bytes / 2 ** 20;
}

const mib = sizeOf(out) / 2 ** 20;
const tree = treeMiB();
log(
  `${out}: ${mib.toFixed(1)} MiB; with the tree (${tree.toFixed(1)} MiB) ${(mib + tree).toFixed(1)} of the 64 MiB a lent machine takes`,
);
if (mib > LIMIT_MIB || mib + tree > 64) {
  console.error(
    `[gpu-kit] the kit is ${mib.toFixed(1)} MiB (+${tree.toFixed(1)} MiB tree), over its ${LIMIT_MIB} MiB limit or the 64 MiB carry limit`,
  );
  process.exit(1);
}
const env = out === 'dist/gpu-kit' ? '' : `GPU_KIT=${out} `;
log(`on a lent GPU machine: run command '${env}bash scripts/device-run.sh', carry ["${out}"], timeout_s 600`);
