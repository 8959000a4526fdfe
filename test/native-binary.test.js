'use strict';
// Electron readiness without Electron: a binary that serves Node and Electron
// alike imports nothing of Node's internals (no node::, v8:: or libuv
// symbols), reaches the runtime only through Node-API, and needs only the
// system's C and C++ runtime libraries. Checked for every binary built here:
// the source build in build/Release and, when scripts/prebuild has made them,
// the binaries of the platform packages under packages/.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');

/**
 * Node-API functions by the version that added them (version 1's are left
 * out: every runtime has them). Neon resolves the ones it uses when the
 * addon loads, so they appear as names in the binary, not as imports.
 */
const NAPI_SINCE = {
  2: ['napi_get_uv_event_loop'],
  3: ['napi_fatal_exception', 'napi_add_env_cleanup_hook', 'napi_remove_env_cleanup_hook', 'napi_open_callback_scope', 'napi_close_callback_scope'],
  4: ['napi_create_threadsafe_function', 'napi_get_threadsafe_function_context', 'napi_call_threadsafe_function', 'napi_acquire_threadsafe_function', 'napi_release_threadsafe_function', 'napi_unref_threadsafe_function', 'napi_ref_threadsafe_function'],
  5: ['napi_create_date', 'napi_is_date', 'napi_get_date_value', 'napi_add_finalizer'],
  6: ['napi_create_bigint_int64', 'napi_create_bigint_uint64', 'napi_create_bigint_words', 'napi_get_value_bigint_int64', 'napi_get_value_bigint_uint64', 'napi_get_value_bigint_words', 'napi_get_all_property_names', 'napi_set_instance_data', 'napi_get_instance_data'],
  7: ['napi_detach_arraybuffer', 'napi_is_detached_arraybuffer'],
  8: ['napi_add_async_cleanup_hook', 'napi_remove_async_cleanup_hook', 'napi_type_tag_object', 'napi_check_object_type_tag', 'napi_object_freeze', 'napi_object_seal'],
  9: ['node_api_get_module_file_name', 'node_api_symbol_for', 'node_api_create_syntax_error', 'node_api_throw_syntax_error'],
  10: ['node_api_create_external_string_latin1', 'node_api_create_external_string_utf16', 'node_api_create_property_key_latin1', 'node_api_create_property_key_utf8', 'node_api_create_property_key_utf16'],
};

/** What a release binary may need at run time: the C library, libm and the compiler runtimes. */
const SYSTEM_LIBRARY = /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libmvec\.so\.1|libgcc_s\.so\.1|libstdc\+\+\.so\.6|ld-linux-[\w-]+\.so\.\d|libc\.musl-[\w]+\.so\.1|libc\.so)$/;

function binaries() {
  const found = [];
  const dev = path.join(root, 'build', 'Release', 'webcodecs-native.node');
  if (fs.existsSync(dev)) found.push({ file: dev, release: false });
  const packages = path.join(root, 'packages');
  for (const dir of fs.readdirSync(packages)) {
    const prebuilds = path.join(packages, dir, 'prebuilds');
    if (!fs.existsSync(prebuilds)) continue;
    for (const platform of fs.readdirSync(prebuilds)) {
      for (const file of fs.readdirSync(path.join(prebuilds, platform))) {
        if (file.endsWith('.node')) found.push({ file: path.join(prebuilds, platform, file), release: true });
      }
    }
  }
  return found;
}

const tool = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });

for (const { file, release } of binaries()) {
  const name = path.relative(root, file);
  const elf = fs.readFileSync(file).subarray(0, 4).toString('latin1') === '\x7fELF';
  test(`${name}: imports nothing of Node's internals, needs Node-API ${release ? 'and system libraries ' : ''}only`, { skip: !elf && 'not an ELF binary (checked on Linux)' }, (t) => {
    const undefinedSymbols = tool('nm', ['-D', '--undefined-only', '--format=posix', file])
      .split('\n')
      .map((line) => line.split(' ')[0].replace(/@.*/, ''))
      .filter(Boolean);
    const internal = undefinedSymbols.filter((s) => /^_ZN?K?\d*(2v8|4node)/.test(s) || /^uv_/.test(s) || (/^node_/.test(s) && !/^node_api_/.test(s)));
    assert.deepEqual(internal, [], 'node::, v8:: or libuv symbols');
    if (release) {
      const needed = [...tool('readelf', ['-d', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
      assert.deepEqual(needed.filter((lib) => !SYSTEM_LIBRARY.test(lib)), [], `needs ${needed.join(', ')}`);
    }
    const bytes = fs.readFileSync(file).toString('latin1');
    assert.ok(bytes.includes('napi_register_module_v1'), 'a Node-API module');
    const used = Object.entries(NAPI_SINCE).filter(([, names]) => names.some((n) => bytes.includes(n))).map(([v]) => Number(v));
    const highest = Math.max(1, ...used);
    t.diagnostic(`highest Node-API version named: ${highest}`);
    // Node-API 6 is in every Node >= 14.17 and every Electron since 13; README states it.
    assert.ok(highest <= 6, `Node-API ${highest}`);
  });
}
