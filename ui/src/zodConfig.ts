/** Zod without its compiled fast path: the page's CSP (`default-src 'self'`) forbids `new Function`, and zod's probe for it would be reported. */
import { z } from 'zod';

z.config({ jitless: true });
