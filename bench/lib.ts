/** Benchmark helpers: closed-loop clients for a fixed time, latency percentiles, markdown tables. */

export type Result = {
  label: string;
  clients: number;
  ops: number;
  seconds: number;
  tps: number;
  p50: number;
  p99: number;
  errors: number;
};

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Runs `clients` loops for `seconds`; each calls `op(client, i)` back to back. */
export async function closedLoop(
  label: string,
  clients: number,
  seconds: number,
  op: (client: number, i: number) => Promise<void>,
): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < until; i++) {
        const t = performance.now();
        try {
          await op(client, i);
          latencies.push(performance.now() - t);
        } catch (error) {
          if (errors++ === 0) process.stderr.write(`${label}: ${(error as Error).message}\n`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    label,
    clients,
    ops: latencies.length,
    seconds: elapsed,
    tps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
