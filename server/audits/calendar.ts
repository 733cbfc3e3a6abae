/** England and Wales working days, kept in the `working_days` table so SQL can count them with one subtraction. */
import Holidays from 'date-holidays';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { workingDays } from '../../db/schema/index.ts';

/** The calendar covers every date the pathway can plausibly hold; outside it working days are not counted. */
export const calendarStart = '2000-01-01';
export const calendarEnd = '2060-12-31';
/** Dates are taken in England's local time, where the services work. */
export const timeZone = 'Europe/London';

/** Bank holidays of England and Wales (one list for both: they share the same bank holidays), by ISO date. */
export function bankHolidays(fromYear: number, toYear: number): Map<string, string> {
  const hd = new Holidays('GB', 'ENG');
  const out = new Map<string, string>();
  for (let y = fromYear; y <= toYear; y++) {
    for (const h of hd.getHolidays(y)) if (h.type === 'public') out.set(h.date.slice(0, 10), h.name);
  }
  return out;
}

export type CalendarDay = { day: string; working: boolean; ordinal: number; holiday: string | null };

/** Every day of the calendar with its working-day ordinal: working days between two dates = ordinal(b) − ordinal(a). */
export function calendarDays(start = calendarStart, end = calendarEnd): CalendarDay[] {
  const holidays = bankHolidays(Number(start.slice(0, 4)), Number(end.slice(0, 4)));
  const out: CalendarDay[] = [];
  let ordinal = 0;
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
    const d = new Date(t);
    const day = d.toISOString().slice(0, 10);
    const holiday = holidays.get(day) ?? null;
    const working = d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && holiday === null;
    if (working) ordinal++;
    out.push({ day, working, ordinal, holiday });
  }
  return out;
}

const filled = new WeakSet<Db>();

/** Fills the calendar once per database (idempotent); the holiday library's updates replace old rows. */
export async function ensureCalendar(db: Db): Promise<void> {
  if (filled.has(db)) return;
  const days = calendarDays();
  const [row] = await db.select({ n: sql<number>`count(*)::int`, last: sql<string>`max(${workingDays.day})::text` }).from(workingDays);
  const expected = days[days.length - 1];
  const [probe] = expected ? await db.select().from(workingDays).where(sql`${workingDays.day} = ${expected.day}`) : [];
  if (row?.n !== days.length || !probe || probe.ordinal !== expected?.ordinal) {
    for (let i = 0; i < days.length; i += 5000) {
      await db
        .insert(workingDays)
        .values(days.slice(i, i + 5000))
        .onConflictDoUpdate({
          target: workingDays.day,
          set: { working: sql`excluded.working`, ordinal: sql`excluded.ordinal`, holiday: sql`excluded.holiday` },
        });
    }
  }
  filled.add(db);
}
