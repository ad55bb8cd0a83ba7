/**
 * Run by scripts/bench/memory.ts in a fresh `node --expose-gc` process, so that nothing else the
 * bench did is in its heap: warms evaluate() up, then prints, as JSON on stdout, how much resident
 * memory and heap in use grew over `calls` evaluate() calls on the fact mix, each read after a full
 * garbage collection.
 */
import path from 'node:path';
import { evaluate } from '../../functions/core/index.js';
import { loadSamples } from './sample-events.js';

const WARMUP_CALLS = 5_000;

const calls = Number(process.argv[2]);
const gc = (globalThis as { gc?: () => void }).gc;
if (!Number.isInteger(calls) || calls <= 0 || gc === undefined) {
  process.stderr.write('usage: node --expose-gc --import tsx scripts/bench/memory-child.ts <calls>\n');
  process.exit(2);
}

const facts = loadSamples(path.resolve(import.meta.dirname, '../..')).map((sample) => sample.facts);
const collected = () => {
  gc();
  gc();
  return process.memoryUsage();
};

for (let i = 0; i < WARMUP_CALLS; i++) await evaluate(facts[i % facts.length]!);
const before = collected();
for (let i = 0; i < calls; i++) await evaluate(facts[i % facts.length]!);
const after = collected();

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 100) / 100;
process.stdout.write(`${JSON.stringify({ rssGrowthMb: mb(after.rss - before.rss), heapUsedGrowthMb: mb(after.heapUsed - before.heapUsed) })}\n`);
