// Plain JS run by bare `node` in a fresh process per sample, so nothing is cached or pre-loaded
// (no tsx loader): the closest local stand-in for a Lambda init phase.
const file = process.argv[2];
if (!file) throw new Error('usage: node import-runner.mjs <module file>');
const started = performance.now();
await import(file);
const importMs = performance.now() - started;
const rssBytes = process.memoryUsage().rss;
process.stdout.write(`${JSON.stringify({ importMs, rssBytes })}\n`);
// Exit at once: an SDK client or timer left behind must not make the sample wait.
process.exit(0);
