import { describe, expect, it } from 'vitest';
import { bankHolidays, calendarDays } from '../../server/audits/calendar.ts';

describe('England and Wales working-day calendar', () => {
  const days = calendarDays('2026-01-01', '2026-12-31');
  const ordinal = (d: string) => days.find((x) => x.day === d)?.ordinal ?? Number.NaN;

  it('should take the bank holidays of England and Wales from the holiday library', () => {
    expect([...bankHolidays(2026, 2026).keys()]).toEqual(
      expect.arrayContaining([
        '2026-01-01',
        '2026-04-03',
        '2026-04-06',
        '2026-05-04',
        '2026-05-25',
        '2026-08-31',
        '2026-12-25',
        '2026-12-28',
      ]),
    );
  });

  it('should count working days between two dates as a difference of ordinals', () => {
    // Thu 2 April to Thu 9 April 2026: Good Friday and Easter Monday are not working days.
    expect(ordinal('2026-04-09') - ordinal('2026-04-02')).toBe(3);
    // An ordinary week.
    expect(ordinal('2026-03-09') - ordinal('2026-03-02')).toBe(5);
    // Friday to Monday is one working day.
    expect(ordinal('2026-03-09') - ordinal('2026-03-06')).toBe(1);
  });
});
