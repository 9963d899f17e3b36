/**
 * Module resolve hook (registered with `module.register`) for the dialect tests: vitest runs test
 * workers with `--conditions source` so that our workspace packages load from their TypeScript
 * sources, but third-party packages that publish a `source` export (eventsource-parser, used by
 * the Vercel AI SDK) then resolve to `.ts` files Node cannot load. Imports made from inside
 * node_modules resolve without our workspace conditions.
 */
const OURS = new Set(['source', 'development']);

export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL !== undefined && context.parentURL.includes('/node_modules/')) {
    return nextResolve(specifier, { ...context, conditions: context.conditions.filter((c) => !OURS.has(c)) });
  }
  return nextResolve(specifier, context);
}
