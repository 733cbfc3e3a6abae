/**
 * Lays the statechart out with ELK (layered, top to bottom, compound states containing their children). ELK is most
 * of the UI's code (≈1.3 MB): it is loaded as a chunk of its own when a chart is first drawn, never with the page.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { PathwayDefinition, StateDefinition } from '../../../machines/definition.ts';
import { type ChartEdge, chartEdges } from './edges.ts';

type ElkConstructor = typeof import('elkjs/lib/elk.bundled.js').default;

async function loadElk(): Promise<ElkConstructor> {
  const ElkModule = await import('elkjs/lib/elk.bundled.js');
  // elkjs is CommonJS: depending on the bundler its default export is the constructor or a module holding it.
  const d = ElkModule.default as unknown as ElkConstructor | { default: ElkConstructor };
  return 'default' in d ? d.default : d;
}

export type PlacedState = { def: StateDefinition; x: number; y: number; width: number; height: number };
export type ChartLayout = { states: PlacedState[]; edges: ChartEdge[] };

const sizeOf = (s: StateDefinition) =>
  s.type === 'history' ? { width: 44, height: 44 } : s.type === 'final' ? { width: 150, height: 56 } : { width: 210, height: 118 };

function elkGraph(def: PathwayDefinition, edges: ChartEdge[]): ElkNode {
  const nodes = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: 'root',
    children: [],
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '64',
      'elk.spacing.nodeNode': '24',
      'elk.edgeLabels.inline': 'false',
    },
  };
  for (const s of def.states) {
    const compound = def.states.some((c) => c.parent === s.id);
    const node: ElkNode = compound
      ? { id: s.id, children: [], layoutOptions: { 'elk.padding': '[top=96,left=20,bottom=20,right=20]' } }
      : { id: s.id, ...sizeOf(s) };
    nodes.set(s.id, node);
    (s.parent ? nodes.get(s.parent) : root)?.children?.push(node);
  }
  root.edges = edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  return root;
}

const cached = new Map<number, Promise<ChartLayout>>();

/** The layout never changes for one pathway version: computed once per page load for each version drawn. */
export function layoutChart(def: PathwayDefinition, version: number): Promise<ChartLayout> {
  const known = cached.get(version);
  if (known) return known;
  const laying = (async () => {
    const edges = chartEdges(def);
    const ELK = await loadElk();
    const laid = await new ELK().layout(elkGraph(def, edges));
    const byId = new Map(def.states.map((s) => [s.id, s]));
    const states: PlacedState[] = [];
    const walk = (n: ElkNode) => {
      for (const c of n.children ?? []) {
        const s = byId.get(c.id);
        if (s) states.push({ def: s, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
        walk(c);
      }
    };
    walk(laid);
    return { states, edges };
  })();
  cached.set(version, laying);
  return laying;
}
