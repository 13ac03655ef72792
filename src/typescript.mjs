/**
 * Preloaded by `npm start` and `npm run cli` (`node --import ./src/typescript.mjs src/main.ts`):
 * Node runs the TypeScript itself where it can (22.18 and later strip the types as they load), and
 * tsx is registered only on older Nodes, where it costs ~30 MiB and a transform of every file. Either
 * way the compiled code is kept on disk between starts (Node's compile cache, 22.1 and later).
 */
import module from 'node:module';

module.enableCompileCache?.();
if (!process.features.typescript) await import('tsx');
