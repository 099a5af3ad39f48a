/**
 * danfojs, loaded on first use: it takes seconds to load (TensorFlow.js inside), so a module that
 * only builds a frame in one function does not make every command that imports it pay for it.
 */
import { createRequire } from 'node:module';
import type * as DanfojsModule from 'danfojs';

type Danfojs = typeof DanfojsModule;

let loaded: Danfojs | undefined;

/** The danfojs module, required synchronously the first time a frame is built (its entry point is CommonJS). */
export function danfojs(): Danfojs {
  loaded ??= createRequire(import.meta.url)('danfojs') as Danfojs;
  return loaded;
}
