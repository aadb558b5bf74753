import { defineConfig } from 'vitest/config';

// Preact's automatic JSX runtime through Vite's own transformer: no Babel, no preset.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    // One small app: no source maps shipped, assets hashed for long caching.
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
