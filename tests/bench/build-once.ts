// Builds the site in the given folder with Astro's API and reports wall time and peak memory.
// Run as its own process so its peak RSS is the build's alone.
import { build } from 'astro';

const root = process.argv[2];
if (!root) throw new Error('usage: build-once.ts <project folder>');
process.chdir(root);
const t0 = performance.now();
await build({ root, logLevel: 'error' });
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
