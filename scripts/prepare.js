'use strict';
// `npm install` in a git checkout builds the addon; an installed copy of the
// published package (no .git, prebuilt binaries) builds nothing.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
if (!existsSync(join(root, '.git')) || process.env.WEBCODECS_SKIP_BUILD) {
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
