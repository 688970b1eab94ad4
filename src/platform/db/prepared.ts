/**
 * Names for PostgreSQL named prepared statements. node-postgres prepares a named statement once per connection and
 * then only binds and executes it, so a statement sent often (a look-up, an audit batch) skips parsing and planning.
 * The name is derived from the text: the same text has the same name on every connection, and two texts never share
 * one. Names are remembered by text (hot statements are sent thousands of times a second; hashing each time is
 * waste), up to a bound, so a caller that sends many distinct texts cannot grow the map without limit.
 */
import { createHash } from 'node:crypto';

const MAX_REMEMBERED = 1000;
const names = new Map<string, string>();

export function preparedName(prefix: string, text: string): string {
  const key = `${prefix}\u0000${text}`;
  let name = names.get(key);
  if (name === undefined) {
    name = `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size >= MAX_REMEMBERED) names.clear();
    names.set(key, name);
  }
  return name;
}
