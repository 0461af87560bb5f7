// Copies TensorFlow.js's WebAssembly binaries into public/tfjs/ so the static site serves them
// from its own origin (the WASM backend fetches them at run time; see setWasmPaths).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
const target = 'public/tfjs';
mkdirSync(target, { recursive: true });
const files = readdirSync(dist).filter((f) => f.endsWith('.wasm'));
for (const f of files) copyFileSync(join(dist, f), join(target, f));
console.log(`copied ${files.length} TensorFlow.js .wasm files to ${target}/`);
