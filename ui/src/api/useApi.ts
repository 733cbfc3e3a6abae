/** A small data hook: load a path, reload on demand (live updates), keep the last good data while reloading. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get } from './client.ts';

export type Loaded<T> = { data: T | undefined; error: ApiError | undefined; loading: boolean; reload: () => void };

export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is the reload trigger
  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    setLoading(true);
    get<T>(path, controller.signal)
      .then((d) => {
        if (current.current !== path) return;
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError({ title: 'Network error', status: 0, detail: String(e) }));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [path, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
