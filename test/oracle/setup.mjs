// Installs webcodecs-native on globalThis for ../../../shared/tools/chrome-oracle.mjs.
export * from '../../lib/index.mjs';
