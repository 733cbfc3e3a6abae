/** The service directory, loaded once: agency names for people, ids for the server. */
import { useEffect, useState } from 'react';
import { get } from './client.ts';
import type { Agency } from './types.ts';

let loading: Promise<Agency[]> | undefined;
export const loadDirectory = () => {
  loading ??= get<{ items: Agency[] }>('/api/directory').then((r) => r.items);
  return loading;
};

export function useDirectory(): Agency[] {
  const [items, setItems] = useState<Agency[]>([]);
  useEffect(() => {
    loadDirectory()
      .then(setItems)
      .catch(() => setItems([]));
  }, []);
  return items;
}

export const agencyName = (items: Agency[], id: string | null | undefined): string =>
  id ? (items.find((a) => a.id === id)?.name ?? id) : '—';
