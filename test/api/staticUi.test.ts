/** The UI's assets: precompressed forms sent by Accept-Encoding, always with Vary, never compressed per request. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { staticUi } from '../../server/routes/static.ts';

const root = mkdtempSync(join(tmpdir(), 'pathway-ui-'));
const script = 'console.log("the inspector");'.repeat(50);
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>Inspector</title>');
writeFileSync(join(root, 'assets', 'app-1.js'), script);
writeFileSync(join(root, 'assets', 'app-1.js.br'), brotliCompressSync(script));
writeFileSync(join(root, 'assets', 'app-1.js.gz'), gzipSync(script));
writeFileSync(join(root, 'assets', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ui = staticUi({ root });
const get = (path: string, acceptEncoding?: string) =>
  ui.request(path, { headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding } });

describe('the UI’s static assets', () => {
  it('should send brotli to a browser that accepts it, gzip to one that accepts only gzip, and say it varies', async () => {
    const br = await get('/assets/app-1.js', 'gzip, deflate, br, zstd');
    expect(br.headers.get('Content-Encoding')).toBe('br');
    expect(br.headers.get('Vary')).toBe('Accept-Encoding');
    expect(br.headers.get('Content-Type')).toMatch(/javascript/);
    expect(br.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await br.arrayBuffer())).toEqual(brotliCompressSync(script));

    const gz = await get('/assets/app-1.js', 'gzip');
    expect(gz.headers.get('Content-Encoding')).toBe('gzip');
    expect(gz.headers.get('Vary')).toBe('Accept-Encoding');
    expect(Buffer.from(await gz.arrayBuffer())).toEqual(gzipSync(script));
  });

  it('should send the plain file to a client that accepts neither, still saying it varies', async () => {
    const plain = await get('/assets/app-1.js');
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    expect(plain.headers.get('Vary')).toBe('Accept-Encoding');
    expect(await plain.text()).toBe(script);
  });

  it('should not vary an image, and answer page paths with the app', async () => {
    const png = await get('/assets/logo.png', 'gzip, br');
    expect(png.headers.get('Content-Encoding')).toBeNull();
    expect(png.headers.get('Vary')).toBeNull();
    expect(await (await get('/cases/123')).text()).toContain('<title>Inspector</title>');
  });
});
