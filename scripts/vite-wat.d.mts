import type { Plugin } from 'vite';
export function wat(): Plugin;
