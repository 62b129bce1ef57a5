import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importCycles, importGraph, type ImportEdge } from './helpers/import-graph.js';

/**
 * The layers of /work/shared/STYLE.md ("Shape"), as the imports of src/ must show them. An area is
 * a folder of src/ (or a file at its top); sync/ports.ts is an area of its own: the small
 * interfaces the pipeline depends on, which the remote adapters implement (they may import it, and
 * nothing else of sync/). Each area names the areas it may import; anything else is an import
 * running back up. The table itself has no circle, so no two areas can import each other.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  errors: [],
  'net-words': [],
  // One HTTP exchange on Node's own client (no retry, no redirect): what every remote's client sends with.
  'net-request': ['net-spare'],
  // The connection opened ahead for the next request (an http.Agent): below net-request.
  'net-spare': [],
  version: [],
  // The functional core: pure, imports nothing impure (eslint.config.js guards packages and `process`).
  domain: ['errors'],
  config: ['domain', 'errors'],
  log: ['config'],
  // The only SQLite place: below every user of the ledger, above only the pure parts.
  store: ['domain', 'errors', 'log'],
  ports: ['domain'],
  // One folder per remote: its client, wire schemas and mapping into domain types, behind the ports.
  shoprenter: ['domain', 'errors', 'net-words', 'net-request', 'config', 'log', 'ports'],
  cashman: ['domain', 'errors', 'net-words', 'net-request', 'net-spare', 'config', 'log', 'ports'],
  alerts: ['domain', 'errors', 'net-words', 'net-request', 'config', 'log', 'store', 'ports'],
  // One cycle and one order's state machine, on the ports: never a remote's folder, never a command.
  sync: ['domain', 'errors', 'config', 'log', 'store', 'ports', 'alerts'],
  stock: ['domain', 'errors', 'config', 'log', 'store', 'ports', 'shoprenter', 'cashman', 'alerts', 'sync'],
  http: ['domain', 'errors', 'config', 'log', 'store', 'ports', 'shoprenter', 'cashman', 'alerts', 'sync', 'stock'],
  // The wiring (runtime.ts and stock's own, see WIRING): builds the real adapters and hands them on.
  runtime: ['domain', 'errors', 'net-words', 'config', 'log', 'store', 'ports', 'shoprenter', 'cashman', 'alerts', 'sync', 'stock', 'http'],
  // Local stand-ins of both remotes (tests and `demo`): they speak the remotes' wire formats.
  standins: ['domain', 'errors', 'net-words', 'ports', 'shoprenter', 'cashman'],
  commands: [
    ...['domain', 'errors', 'net-words', 'version', 'config', 'log', 'store', 'ports', 'shoprenter', 'cashman', 'alerts'],
    ...['sync', 'stock', 'http', 'runtime', 'standins'],
  ],
  'cli-args': ['errors'],
  cli: ['cli-args', 'commands', 'errors', 'version'],
  main: ['cli'],
  // Benchmark scripts drive everything below the commands; nothing in src/ imports them.
  bench: [
    ...['domain', 'errors', 'net-words', 'version', 'config', 'log', 'store', 'ports', 'shoprenter', 'cashman', 'alerts'],
    ...['sync', 'stock', 'http', 'runtime', 'standins'],
  ],
};

/** Stock's own wiring: it builds the stock round from the runtime's clients, like runtime.ts does the cycle. */
const WIRING = new Set(['runtime.ts', 'stock/stock-runtime.ts', 'stock/stock-daemon.ts']);

/** The area a file of src/ belongs to (see MAY_IMPORT). */
function areaOf(file: string): string {
  if (file === 'sync/ports.ts') return 'ports';
  if (WIRING.has(file)) return 'runtime';
  const [head, ...rest] = file.split('/');
  return rest.length === 0 ? head!.replace(/\.ts$/, '') : head!;
}

/** Every import that crosses from one area into another the table does not allow. */
function forbidden(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((e) => areaOf(e.from) !== areaOf(e.to))
    .filter((e) => !(MAY_IMPORT[areaOf(e.from)] ?? []).includes(areaOf(e.to)))
    .map((e) => `${e.from} -> ${e.to} (${areaOf(e.from)} may not import ${areaOf(e.to)})`);
}

function withTree(files: Record<string, string>, use: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'arch-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    use(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** STYLE.md: files of 50-200 lines; split past 300, by responsibility. */
const MAX_LINES = 300;

describe('the import graph of src/', () => {
  const srcRoot = join(import.meta.dirname, '..', 'src');
  const src = importGraph(srcRoot);
  const cycles = importCycles(src.files, src.edges).map((cycle) => cycle.join(' -> '));

  it('has no import circle, type-only imports included', () => {
    expect(cycles).toEqual([]);
  });

  it('imports only files that exist', () => {
    const files = new Set(src.files);
    expect(src.edges.filter((e) => !files.has(e.to)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('follows the layers: no import runs back up', () => {
    expect(forbidden(src.edges)).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = src.files.filter((file) => readFileSync(join(srcRoot, file), 'utf8').split('\n').length - 1 > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('puts every file in an area the table knows', () => {
    expect([...new Set(src.files.map(areaOf))].filter((area) => !(area in MAY_IMPORT))).toEqual([]);
  });

  it('has layers without a circle, so no two areas can import each other', () => {
    const areas = Object.keys(MAY_IMPORT);
    const edges = areas.flatMap((from) => MAY_IMPORT[from]!.map((to) => ({ from, to })));
    expect(edges.filter((e) => !(e.to in MAY_IMPORT))).toEqual([]);
    expect(importCycles(areas, edges)).toEqual([]);
  });
});

// The checker is proved on small trees whose answer is known by hand, so a passing run above means
// the graph was read, not that nothing was looked at.
describe('the import checker', () => {
  it('finds a circle through a type-only import, a re-export and a multi-line import', () => {
    withTree(
      {
        'store/a.ts': "import {\n  b,\n} from './b.js';\nexport const a = b;\n",
        'store/b.ts': "export { c as b } from './c.js';\n",
        'store/c.ts': "// import { nothing } from './a.js';\nimport type { A } from './a.js';\nexport const c = 1 as unknown as A;\n",
        'store/d.ts': "import { a } from './a.js';\nexport const d = a;\n",
      },
      (root) => {
        const graph = importGraph(root);
        expect(graph.edges).toContainEqual({ from: 'store/c.ts', to: 'store/a.ts', typeOnly: true });
        expect(graph.edges).toContainEqual({ from: 'store/b.ts', to: 'store/c.ts', typeOnly: false });
        expect(importCycles(graph.files, graph.edges)).toEqual([['store/a.ts', 'store/b.ts', 'store/c.ts', 'store/a.ts']]);
      },
    );
  });

  it('finds a dynamic import running back up, and leaves packages alone', () => {
    withTree(
      {
        'domain/pure.ts': "import { z } from 'zod';\nexport const load = () => import('../store/ledger.js');\nexport const schema = z;\n",
        'store/ledger.ts': 'export const ledger = 1;\n',
        'sync/ports.ts': "import type { Pure } from '../domain/pure.js';\nexport type Port = Pure;\n",
        'shoprenter/client.ts': "import type { Port } from '../sync/ports.js';\nimport { run } from '../sync/cycle.js';\nexport type C = Port;\nrun();\n",
        'sync/cycle.ts': 'export function run(): void {}\n',
      },
      (root) => {
        const graph = importGraph(root);
        expect(importCycles(graph.files, graph.edges)).toEqual([]);
        expect(forbidden(graph.edges)).toEqual([
          'domain/pure.ts -> store/ledger.ts (domain may not import store)',
          'shoprenter/client.ts -> sync/cycle.ts (shoprenter may not import sync)',
        ]);
      },
    );
  });
});
