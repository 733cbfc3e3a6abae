/** Who is answerable now — lead, coordinator, supporting services, pending handover — and what the person is told. */
import type { Responsibility } from '../../../machines/responsibility.ts';
import { agencyName as nameOf } from '../../../machines/responsibility.ts';
import { humanise } from '../chart/status.ts';
import { when } from './Timeline.tsx';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}

export function ResponsibilityPanel({ r }: { r: Responsibility }) {
  return (
    <section aria-labelledby="responsibility-title" data-testid="responsibility">
      <h2 id="responsibility-title">Responsibility now</h2>
      <dl className="nhsuk-summary-list">
        <Row label="Lead agency">{r.lead ? `${nameOf(r.lead.agency)} (since ${when(r.lead.since)})` : 'No lead yet'}</Row>
        <Row label="Care coordinator">{r.lead ? r.lead.coordinator.name : '—'}</Row>
        <Row label="Responsible now">{r.responsible ? nameOf(r.responsible) : '—'}</Row>
        <Row label="Supporting services">
          {r.supporting.length ? r.supporting.map((s) => `${nameOf(s.agency)} (${s.status})`).join(', ') : 'None'}
        </Row>
        <Row label="Pending handover">
          {r.pendingHandover
            ? `From ${nameOf(r.pendingHandover.from)} to ${nameOf(r.pendingHandover.to)}, requested ${when(r.pendingHandover.requestedAt)}, follow up by ${when(r.pendingHandover.followUpDue)}`
            : 'None'}
        </Row>
        <Row label="Awaiting an answer">
          {r.awaiting.length
            ? r.awaiting.map((a) => `${humanise(a.what)}: ${nameOf(a.agency)} (follow up by ${when(a.followUpDue)})`).join('; ')
            : 'Nothing'}
        </Row>
      </dl>
      <div className="nhsuk-inset-text" data-testid="statement">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          <strong>What the person is told:</strong> {r.statement}
        </p>
      </div>
    </section>
  );
}
