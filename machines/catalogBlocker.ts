/** The blocker for an event the current state does not take at all. */
import { eventCatalog } from './catalog.ts';
import type { EventType } from './events.ts';
import { type Blocker, blocker } from './rules.ts';

export const catalogBlocker = (type: EventType): Blocker => blocker(eventCatalog[type].rule, eventCatalog[type].notNow);
