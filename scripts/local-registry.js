#!/usr/bin/env node
'use strict';
// A minimal npm registry on the loopback interface, serving the package
// tarballs in one folder, so that an install test resolves dependencies,
// optional dependencies and their os/cpu/libc fields exactly as it would from
// the real registry, with no network. Unknown packages answer 404 (npm then
// skips an optional dependency, as for a platform nobody built here).
//
//   node scripts/local-registry.js <folder of .tgz files>   prints the URL, serves until killed
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: local-registry.js <folder of .tgz files>');
  process.exit(2);
}

const packuments = new Map();
const files = new Map();
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.tgz'))) {
  const full = path.join(dir, file);
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', full, 'package/package.json'], { encoding: 'utf8' }));
  const bytes = fs.readFileSync(full);
  const entry = packuments.get(manifest.name) ?? { name: manifest.name, 'dist-tags': {}, versions: {} };
  entry.versions[manifest.version] = {
    ...manifest,
    _id: `${manifest.name}@${manifest.version}`,
    dist: {
      tarball: `/${manifest.name}/-/${file}`,
      shasum: crypto.createHash('sha1').update(bytes).digest('hex'),
      integrity: `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`,
    },
  };
  entry['dist-tags'].latest = manifest.version;
  packuments.set(manifest.name, entry);
  files.set(`/${manifest.name}/-/${file}`, full);
}

const server = http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0]);
  const file = files.get(url);
  if (file) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
    return;
  }
  const packument = packuments.get(url.slice(1));
  if (packument) {
    const origin = `http://${req.headers.host}`;
    const body = JSON.parse(JSON.stringify(packument));
    for (const v of Object.values(body.versions)) v.dist.tarball = origin + v.dist.tarball;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not found"}');
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/`));
