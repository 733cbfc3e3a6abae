/** Mints a development bearer token: npm run token -- --agency cgl-west-kent --role practitioner --name "Sam Okafor" */
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
if (!values.agency || !roles.includes(values.role as Role)) {
  console.error(`usage: npm run token -- --agency <directory id> [--role ${roles.join('|')}] [--name "Full Name"] [--expires 8h]`);
  process.exit(2);
}
const sub = values.sub ?? `${values.agency}:${values.name.toLowerCase().replace(/\W+/g, '-')}`;
console.log(
  await mintToken(loadConfig().auth, { sub, name: values.name, agency: values.agency, role: values.role as Role }, values.expires),
);
