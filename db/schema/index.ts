/** The database schema, one file per aggregate. */

export * from './access.ts';
export * from './audits.ts';
export * from './cases.ts';
export * from './directory.ts';
export * from './outbox.ts';
export * from './people.ts';
