/** CSV downloads come from the server (the same audit, format=csv), fetched with the bearer token and saved by the browser. */
import { authHeaders } from '../api/client.ts';

export async function downloadCsv(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: { Accept: 'text/csv', ...authHeaders() } });
  if (!res.ok) throw new Error(`The download failed (${res.status})`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
