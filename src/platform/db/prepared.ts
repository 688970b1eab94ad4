/**
 * Names for PostgreSQL named prepared statements. node-postgres prepares a named statement once per connection and
 * then only binds and executes it, so a statement sent often (a look-up, an audit batch) skips parsing and planning.
 * The name is derived from the text: the same text has the same name on every connection, and two texts never share
 * one.
 */
import { createHash } from 'node:crypto';

export function preparedName(prefix: string, text: string): string {
  return `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
}
