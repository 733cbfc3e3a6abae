/** The pathway package: the statechart, its vocabularies and event schemas, and the pure helpers built on it. */
export * from './catalog.ts';
export * from './config.ts';
export * from './context.ts';
export * from './definition.ts';
export * from './events.ts';
export * from './explain.ts';
export * from './guards.ts';
export * from './migrate.ts';
export { type StateValue, stateValueOf } from './paths.ts';
export * from './pathwayMachine.ts';
export * from './quadrant.ts';
export * from './responsibility.ts';
export * from './rules.ts';
export * from './snapshot.ts';
export * from './versions.ts';
export * from './vocab.ts';
