/** The statechart drawn with React Flow on an ELK layout; pages overlay counts, flow, or one case's path. */
import { Controls, type Edge, MarkerType, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState } from 'react';
import { pathwayDefinition } from '../../../machines/definition.ts';
import { currentVersion } from '../../../machines/versions.ts';
import type { ChartLayout } from './layout.ts';
import { layoutChart } from './layout.ts';
import { StateNode, type StateNodeType, type StateOverlay } from './StateNode.tsx';

const nodeTypes = { state: StateNode };

export type EdgeOverlay = { label?: string; highlight?: boolean };

type Props = {
  title: string;
  states: Record<string, StateOverlay>;
  edges?: Record<string, EdgeOverlay>;
  selected?: string | null;
  onSelect?: (state: string) => void;
  height?: number;
  /** The pathway version to draw (a case's own); the current one by default. */
  version?: number | undefined;
};

export function PathwayChart({ title, states, edges = {}, selected = null, onSelect, height = 760, version }: Props) {
  const [layout, setLayout] = useState<ChartLayout>();
  useEffect(() => {
    layoutChart(pathwayDefinition(version), version ?? currentVersion).then(setLayout);
  }, [version]);

  const nodes = useMemo<StateNodeType[]>(() => {
    if (!layout) return [];
    const parents = new Set(layout.states.map((s) => s.def.parent).filter(Boolean));
    const parallel = new Set(layout.states.filter((s) => s.def.type === 'parallel').map((s) => s.def.id));
    return layout.states.map(({ def, x, y, width, height: h }) => ({
      id: def.id,
      type: 'state',
      position: { x, y },
      ...(def.parent ? { parentId: def.parent } : {}),
      style: { width, height: h },
      draggable: false,
      connectable: false,
      ariaLabel: undefined,
      data: {
        def,
        compound: parents.has(def.id),
        region: def.parent !== null && parallel.has(def.parent),
        overlay: states[def.id] ?? {},
        selected: selected === def.id,
      },
    }));
  }, [layout, states, selected]);

  const flowEdges = useMemo<Edge[]>(() => {
    if (!layout) return [];
    return layout.edges.map((e) => {
      const o = edges[e.id] ?? {};
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        label: o.label ?? e.events.join(', '),
        className: o.highlight ? 'app-edge app-edge--path' : 'app-edge',
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
        zIndex: 10,
        ariaLabel: `${e.source} to ${e.target}: ${o.label ?? e.events.join(', ')}`,
        data: { events: e.events },
      };
    });
  }, [layout, edges]);

  return (
    <figure className="app-chart" style={{ height }} aria-label={title}>
      <figcaption className="nhsuk-u-visually-hidden">{title}</figcaption>
      {layout ? (
        <ReactFlow
          nodes={nodes}
          edges={flowEdges}
          nodeTypes={nodeTypes}
          fitView
          minZoom={0.15}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={!!onSelect}
          onNodeClick={(_, node) => onSelect?.(node.id)}
          proOptions={{ hideAttribution: true }}
        >
          <Controls showInteractive={false} />
        </ReactFlow>
      ) : (
        <p>Laying out the pathway…</p>
      )}
    </figure>
  );
}
