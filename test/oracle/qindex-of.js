'use strict';
// Prints the qindex (base_q_idx) of every frame of the streams an oracle
// result of encoder-quantizer.js holds, next to the encode() options that
// made it, as ffmpeg's trace_headers reads them.
//   node test/oracle/qindex-of.js <result.json>
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const result = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const streams = result.result ?? result;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qindex-'));
const summary = {};
for (const [codec, { options, chunks }] of Object.entries(streams)) {
  const frames = chunks.map((c) => Buffer.from(c, 'base64'));
  const header = Buffer.alloc(32);
  header.write('DKIF', 0);
  header.writeUInt16LE(32, 6);
  header.write(codec.startsWith('vp09') ? 'VP90' : 'AV01', 8);
  header.writeUInt16LE(64, 12);
  header.writeUInt16LE(48, 14);
  header.writeUInt32LE(30, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  const parts = [header];
  frames.forEach((f, i) => {
    const h = Buffer.alloc(12);
    h.writeUInt32LE(f.length, 0);
    h.writeBigUInt64LE(BigInt(i), 4);
    parts.push(h, f);
  });
  const file = path.join(dir, 'stream.ivf');
  fs.writeFileSync(file, Buffer.concat(parts));
  const trace = spawnSync('ffmpeg', ['-hide_banner', '-i', file, '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
  const qindex = [...trace.matchAll(/\bbase_q_idx\s+[01]+ = (\d+)/g)].map((m) => Number(m[1]));
  summary[codec] = options.map((o, i) => `${o} → ${qindex[i]}`);
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(summary, null, 2));
