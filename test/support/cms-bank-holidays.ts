// Test support: the real bank-holiday data, for the business-day tests (CMS domain, platform calendar).
import { readFileSync } from 'node:fs';

/** The real England and Wales bank-holiday list shipped in migrations/data. */
export function loadBankHolidays(): string[] {
  const url = new URL('../../migrations/data/bank-holidays-england-wales.json', import.meta.url);
  const json = JSON.parse(readFileSync(url, 'utf8')) as { holidays: { date: string; name: string }[] };
  return json.holidays.map((h) => h.date);
}
