// The initial JavaScript and CSS of the public pages, gzipped: what index.html loads
// before the first screen (every screen is in the one entry chunk today). Run after a
// build: `npm run build && npm run size` (budget: 150 KB of JavaScript, gzipped).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = join(import.meta.dirname, '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const BUDGET_JS = 150 * 1024;
let js = 0;
for (const ref of refs) {
  const bytes = readFileSync(join(dist, ref));
  const gz = gzipSync(bytes, { level: 9 }).length;
  if (ref.endsWith('.js')) js += gz;
  console.log(`${ref.padEnd(36)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KB  ${(gz / 1024).toFixed(1).padStart(6)} KB gzipped`);
}
// The chunks loaded later with import() (the admin area, its charts): outside the
// budget, listed so their growth is seen.
const initial = new Set(refs);
for (const name of readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')).sort()) {
  if (initial.has(`assets/${name}`)) continue;
  const bytes = readFileSync(join(dist, 'assets', name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  console.log(`${`assets/${name}`.padEnd(36)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KB  ${(gz / 1024).toFixed(1).padStart(6)} KB gzipped (lazy, import())`);
}
console.log(`initial JavaScript: ${(js / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_JS / 1024} KB)`);
if (js > BUDGET_JS) {
  console.error('over budget');
  process.exit(1);
}
