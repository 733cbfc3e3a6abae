/** One state on the chart: its name, and what the page overlays on it (counts and dwell, or this case's path). */
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import type { StateDefinition } from '../../../machines/definition.ts';
import { type DwellStatus, days, humanise, statusText, targetOf } from './status.ts';

export type StateOverlay = {
  open?: number;
  overTarget?: number | null;
  medianDays?: number | null;
  maxDays?: number | null;
  /** The period's median stay: an optional layer, labelled as such. */
  periodMedianDays?: number | null;
  status?: DwellStatus;
  current?: boolean;
  visits?: number[];
};
export type StateNodeData = { def: StateDefinition; compound: boolean; region: boolean; overlay: StateOverlay; selected: boolean };
export type StateNodeType = Node<StateNodeData, 'state'>;

const kindText = (def: StateDefinition, region: boolean): string | null => {
  if (def.type === 'parallel') return 'parallel: its regions run side by side';
  if (region) return 'region';
  if (def.type === 'final') return 'final';
  return null;
};

export function StateNode({ data }: NodeProps<StateNodeType>) {
  const { def, compound, region, overlay } = data;
  const classes = [
    'app-state',
    `app-state--${def.type}`,
    compound ? 'app-state--compound' : 'app-state--leaf',
    region ? 'app-state--region' : '',
    overlay.status ? `app-state--${overlay.status}` : '',
    overlay.current ? 'app-state--current' : '',
    overlay.visits?.length ? 'app-state--visited' : '',
    data.selected ? 'app-state--selected' : '',
  ].join(' ');
  const kind = kindText(def, region);
  return (
    <div className={classes} data-state={def.id} data-testid={`state-${def.id}`}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      {def.type === 'history' ? (
        <span
          className="app-state__history"
          title={`History of ${humanise(def.parent?.split('.').pop() ?? '')}: returns to the state it was in`}
        >
          H
        </span>
      ) : (
        <>
          <div className="app-state__name">
            {humanise(def.key)}
            {kind && <span className="app-state__kind"> ({kind})</span>}
          </div>
          {overlay.current && <div className="app-state__current">Current state</div>}
          {overlay.visits && overlay.visits.length > 0 && <div className="app-state__visits">Step {overlay.visits.join(', ')}</div>}
          {overlay.open !== undefined && (
            <div className="app-state__count" data-testid={`count-${def.id}`}>
              {overlay.open} open{region ? ' in this region' : ''}
              {overlay.overTarget !== null && overlay.overTarget !== undefined && overlay.open > 0
                ? ` · ${overlay.overTarget} over target`
                : ''}
            </div>
          )}
          {overlay.open !== undefined && overlay.open > 0 && (
            <div className="app-state__waits" data-testid={`waits-${def.id}`}>
              Waiting now: median {days(overlay.medianDays)}, longest {days(overlay.maxDays)}
            </div>
          )}
          {overlay.status && (
            <div className="app-state__target">
              {overlay.status === 'empty' || overlay.status === 'none' ? (
                statusText[overlay.status]
              ) : (
                <>
                  {targetOf(def) !== null ? `Target ${days(targetOf(def))}: ` : compound ? 'Against the targets within: ' : ''}
                  <strong>{statusText[overlay.status]}</strong>
                </>
              )}
            </div>
          )}
          {overlay.periodMedianDays !== undefined && (
            <div className="app-state__period" data-testid={`period-${def.id}`}>
              Period median stay: {days(overlay.periodMedianDays)}
            </div>
          )}
        </>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}
