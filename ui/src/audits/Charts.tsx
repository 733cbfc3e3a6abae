/** Charts for the audits that have a natural picture (recharts); every chart has the table beside it as its text. */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AuditResult } from '../api/types.ts';
import { stateLabel } from '../chart/status.ts';

type Datum = Record<string, string | number>;
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

function Chart({
  title,
  data,
  bars,
  category,
}: {
  title: string;
  data: Datum[];
  bars: { key: string; name: string; colour: string }[];
  category: string;
}) {
  if (data.length === 0) return null;
  return (
    <figure className="app-figure" data-testid={`chart-${title}`}>
      <figcaption className="nhsuk-heading-s">{title}</figcaption>
      <div style={{ width: '100%', height: Math.max(240, data.length * 34 + 80) }} aria-hidden="true">
        <ResponsiveContainer>
          <BarChart data={data} layout="vertical" margin={{ left: 24, right: 24 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" />
            <YAxis type="category" dataKey={category} width={260} tick={{ fontSize: 12 }} />
            <Tooltip />
            <Legend />
            {bars.map((b) => (
              <Bar key={b.key} dataKey={b.key} name={b.name} fill={b.colour} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

const blue = '#005eb8';
const dark = '#003087';
const warm = '#ed8b00';

export function AuditCharts({ result }: { result: AuditResult }) {
  const section = (name: string) => result.sections.find((s) => s.name === name)?.rows ?? [];
  switch (result.audit) {
    case 'dwell':
      return (
        <Chart
          title="Dwell per state (calendar days)"
          category="state"
          data={section('states').map((r) => ({ state: stateLabel(String(r.state)), median: num(r.median_days), p90: num(r.p90_days) }))}
          bars={[
            { key: 'median', name: 'Median days', colour: blue },
            { key: 'p90', name: '90th percentile days', colour: dark },
          ]}
        />
      );
    case 'stalled': {
      const byAgency = new Map<string, number>();
      for (const r of section('cases'))
        byAgency.set(String(r.lead_agency ?? 'No agency'), (byAgency.get(String(r.lead_agency ?? 'No agency')) ?? 0) + 1);
      return (
        <>
          <Chart
            title="Stalled cases per state"
            category="state"
            data={section('summary').map((r) => ({ state: stateLabel(String(r.state)), stalled: num(r.stalled) }))}
            bars={[{ key: 'stalled', name: 'Stalled cases', colour: warm }]}
          />
          <Chart
            title="Stalled cases by agency"
            category="agency"
            data={[...byAgency].map(([agency, stalled]) => ({ agency, stalled }))}
            bars={[{ key: 'stalled', name: 'Stalled cases', colour: warm }]}
          />
        </>
      );
    }
    case 'flow':
      return (
        <Chart
          title="Busiest moves between states"
          category="edge"
          data={section('edges')
            .slice(0, 15)
            .map((r) => ({ edge: `${stateLabel(String(r.from_state))} → ${stateLabel(String(r.to_state))}`, cases: num(r.cases) }))}
          bars={[{ key: 'cases', name: 'Cases', colour: blue }]}
        />
      );
    case 'quality': {
      const rows = section('summary');
      const key = (r: Record<string, unknown>) => String(r.statement ?? r.measure ?? '');
      const pct = (r: Record<string, unknown>) =>
        num(r.percent ?? r.percentage ?? r.rate ?? (num(r.denominator) ? (100 * num(r.numerator)) / num(r.denominator) : 0));
      return (
        <Chart
          title="Quality standards met (%)"
          category="statement"
          data={rows.map((r) => ({ statement: key(r), met: Math.round(pct(r)) }))}
          bars={[{ key: 'met', name: '% met', colour: blue }]}
        />
      );
    }
    default:
      return null;
  }
}
