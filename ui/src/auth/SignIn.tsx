/** Sign-in: in development, pick an agency and role (the server mints the token); in production the identity provider hands one over. */
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, get, request } from '../api/client.ts';
import { useDirectory } from '../api/directory.ts';
import { ProblemSummary } from '../components/ProblemSummary.tsx';
import { type Session, signIn } from './session.ts';

const roleText: Record<string, string> = {
  practitioner: 'Practitioner',
  serviceManager: 'Service manager',
  clinicalDirector: 'Clinical director',
  commissioner: 'Commissioner',
  auditor: 'Auditor',
};

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [dev, setDev] = useState<boolean | null>(null);
  const [roles, setRoles] = useState<string[]>([]);
  const directory = useDirectory();
  const [agency, setAgency] = useState('');
  const [role, setRole] = useState('practitioner');
  const [name, setName] = useState('Development User');
  const [error, setError] = useState<ApiError>();

  useEffect(() => {
    get<{ roles: string[] }>('/api/dev')
      .then((r) => {
        setDev(true);
        setRoles(r.roles);
      })
      .catch(() => setDev(false));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const { data } = await request<{ token: string }>('/api/dev/token', { method: 'POST', body: { agency, role, name } });
      const session = signIn(data.token);
      if (session) onSignedIn(session);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };

  if (dev === null) return <p>Checking how to sign in…</p>;
  if (!dev)
    return (
      <>
        <h1>Sign in</h1>
        <p>Sign in through your organisation’s identity provider. It returns you here with your access token.</p>
      </>
    );
  return (
    <>
      <h1>Sign in</h1>
      <div className="nhsuk-warning-callout">
        <h2 className="nhsuk-warning-callout__label">
          <span className="nhsuk-u-visually-hidden">Important: </span>Development only
        </h2>
        <p>This server uses the development signing secret. Anyone can sign in as any agency and role here. The data is synthetic.</p>
      </div>
      {error && <ProblemSummary error={error} />}
      <form onSubmit={submit} noValidate>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="signin-agency">
            Agency
          </label>
          <select className="nhsuk-select" id="signin-agency" value={agency} onChange={(e) => setAgency(e.target.value)} required>
            <option value="">Choose an agency</option>
            {directory.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.kind})
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <fieldset className="nhsuk-fieldset">
            <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Role</legend>
            <div className="nhsuk-radios">
              {roles.map((r) => (
                <div className="nhsuk-radios__item" key={r}>
                  <input
                    className="nhsuk-radios__input"
                    id={`signin-role-${r}`}
                    type="radio"
                    name="role"
                    value={r}
                    checked={role === r}
                    onChange={() => setRole(r)}
                  />
                  <label className="nhsuk-label nhsuk-radios__label" htmlFor={`signin-role-${r}`}>
                    {roleText[r] ?? r}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="signin-name">
            Your name
          </label>
          <input className="nhsuk-input nhsuk-u-width-one-half" id="signin-name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <button className="nhsuk-button" type="submit" disabled={!agency}>
          Sign in (development only)
        </button>
      </form>
    </>
  );
}
