// Brings a fresh clone to a runnable state: npm dependencies, and for tests the Debian packages that
// real WebGPU needs here (Chromium, whose SwiftShader also serves Dawn in Node, and the Vulkan loader).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { CHROMIUM } from './chromium.mjs';

// Re-exported for scripts written before scripts/chromium.mjs held the launch settings.
export { CHROMIUM };
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const log = (msg) => console.log(`[setup] ${msg}`);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** npm ci when node_modules is missing or older than the lock file. */
export function ensureNodeModules() {
  const marker = 'node_modules/.package-lock.json';
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync('package-lock.json').mtimeMs) return;
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function hasVulkanLoader() {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return (
      existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1') ||
      existsSync('/usr/lib/aarch64-linux-gnu/libvulkan.so.1')
    );
  }
}

function systemPythonHas(modules) {
  return spawnSync('/usr/bin/python3', ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Debian's chromium (browser tests, SwiftShader) and libvulkan1 (Dawn in Node) are required; the
 * real PyTorch and ONNX checker (python3-torch, python3-onnx) verify the exports and are installed
 * when we can, else those tests skip with the reason.
 */
export function ensureSystemPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM) || !existsSync(SWIFTSHADER_ICD)) missing.push('chromium');
  if (!hasVulkanLoader()) missing.push('libvulkan1');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const optional = systemPythonHas('torch, onnx, numpy')
    ? []
    : ['python3-torch', 'python3-onnx', 'python3-numpy'];
  if (missing.length === 0 && (optional.length === 0 || !isRoot)) {
    if (optional.length > 0)
      log(`the PyTorch/ONNX export checks will skip: install ${optional.join(' ')} to run them`);
    return;
  }
  if (!isRoot) {
    throw new Error(
      `missing system packages: ${missing.join(' ')}. Install them with:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\n` +
        '(or set CHROMIUM_PATH to another Chromium with WebGPU)',
    );
  }
  log(`installing ${[...missing, ...optional].join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing, ...optional], { env });
}

/** Environment for processes that use Dawn (the `webgpu` package) on SwiftShader. */
export function webgpuEnv() {
  return {
    ...process.env,
    VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD,
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp',
  };
}
