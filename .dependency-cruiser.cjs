/**
 * The layering of lib/ (docs/architecture.md), checked on every `npm test`: a module may import
 * only from the layers its own layer lists. Type-only imports count too: a type is a dependency.
 */
const LAYERS = {
  model: [],
  util: ['model'],
  results: ['model', 'util'],
  thesis: ['model', 'util', 'results'],
  images: ['model', 'util', 'results'],
  backends: ['model', 'util', 'results', 'images', 'network'],
  network: ['model', 'util', 'results'],
  hosts: ['model', 'util', 'results'],
  workloads: ['model', 'util', 'results', 'backends'],
  experiments: ['model', 'util', 'results', 'images', 'backends', 'network', 'workloads'],
  analysis: ['model', 'util', 'results', 'thesis'],
  figures: ['model', 'util', 'results', 'thesis', 'analysis'],
  notebook: ['model', 'util', 'results', 'thesis', 'analysis', 'figures'],
  'thesis-report': ['model', 'util', 'results', 'thesis', 'analysis', 'figures', 'notebook'],
};

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `lib/${layer} may import only from ${allowed.length ? allowed.map((name) => `lib/${name}`).join(', ') : 'nothing else in lib'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^lib/${layer}/` },
  to: { path: '^lib/', pathNot: [`^lib/${layer}/`, ...allowed.map((name) => `^lib/${name}/`)] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'unknown-layer',
      comment: 'every folder of lib/ is a layer listed in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^lib/', pathNot: `^lib/(${Object.keys(LAYERS).join('|')})/` },
      to: {},
    },
    {
      name: 'lib-not-runners-or-tests',
      comment: 'the library never imports the command line or the tests',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(runners|test)/' },
    },
    {
      name: 'no-circular',
      comment:
        'no cycle of runtime imports (a module would run before the one it needs is initialised); a cycle of type-only imports is allowed: a backend\'s capability files name their backend\'s type',
      severity: 'error',
      from: { path: '^(lib|runners)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
