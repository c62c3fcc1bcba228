/**
 * Where the element finds the sample datasets when the page gives no `base-url`.
 *
 * In the app (dist/app) they are public/samples, copied beside the page, so the URL is
 * page-relative as here. The package build (vite.config.ts, `--mode lib`) replaces this module:
 * there each file is `new URL('./samples/<file>', import.meta.url)` beside dist/lib/element.js,
 * one literal per file, so a consumer's bundler (Vite, webpack) finds and copies every sample.
 */
export function bundledSampleUrl(file: string): string {
  return `./samples/${file}`;
}
