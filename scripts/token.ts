/**
 * Mints a bearer token: npm run token -- --agency cgl-west-kent --role practitioner --name "Sam Okafor". Signed with
 * AUTH_SECRET when it is set, else with the development secret a server started by `npm start` (AUTH_MODE=development)
 * accepts. Its lifetime (--expires) must fit AUTH_MAX_TOKEN_HOURS (12 h by default).
 */
import { parseArgs } from 'node:util';
import { type Role, roles } from '../machines/vocab.ts';
import { mintToken } from '../server/auth.ts';
import { loadConfig } from '../server/config.ts';

const { values } = parseArgs({
  options: {
    agency: { type: 'string' },
    role: { type: 'string', default: 'practitioner' },
    name: { type: 'string', default: 'Development User' },
    sub: { type: 'string' },
    expires: { type: 'string', default: '8h' },
  },
});
if (!values.agency || !roles.includes(values.role as Role) || values.role === 'system') {
  console.error(
    `usage: npm run token -- --agency <directory id> [--role ${roles.filter((r) => r !== 'system').join('|')}] [--name "Full Name"] [--expires 8h]`,
  );
  process.exit(2);
}
const sub = values.sub ?? `${values.agency}:${values.name.toLowerCase().replace(/\W+/g, '-')}`;
const config = loadConfig(
  process.env.AUTH_SECRET || process.env.AUTH_JWKS_URL ? process.env : { ...process.env, AUTH_MODE: 'development' },
);
console.log(await mintToken(config.auth, { sub, name: values.name, agency: values.agency, role: values.role as Role }, values.expires));
