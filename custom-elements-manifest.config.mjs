// The Custom Elements Manifest (`npm run cem`, part of `npm run build`): dist/custom-elements.json,
// shipped in the package and named by package.json's `customElements`. packagejson: false, because
// the analyzer would otherwise rewrite that field to whatever --outdir a run used (the test's cache).
export default {
  globs: ['src/ui/**/*.ts'],
  outdir: 'dist',
  litelement: true,
  packagejson: false,
};
