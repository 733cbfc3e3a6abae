/** Suite set-up shared by the backend-parametrised tests. */
import { afterAll, beforeAll } from 'vitest';
import { type TestApi, testApi } from './api.ts';
import type { Backend, TestDatabase } from './database.ts';

/** Opens the backend's fresh database before the suite and drops it after; tests read `.database`. */
export function useDatabase(backend: Backend): { readonly database: TestDatabase } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => database?.drop());
  return {
    get database() {
      if (!database) throw new Error(`the ${backend.name} database is not open yet`);
      return database;
    },
  };
}

/** The same for suites that talk to the in-process API: hands the open database and its API to `set`. */
export function useApi(backend: Backend, set: (opened: { database: TestDatabase; api: TestApi }) => void): void {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await backend.open();
    set({ database, api: testApi(database) });
  });
  afterAll(async () => database?.drop());
}
