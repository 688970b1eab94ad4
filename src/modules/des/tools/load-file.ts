/** Register load files: writing rows (generated, or a test's) in the load format (docs/formats/des-load.md). */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { REGISTER_FIELD_NAMES, toCsvLine } from '../register/index.ts';

/** Writes rows (field → text) as a load file with every register column; returns the number of rows. */
export async function writeLoadFile(
  path: string,
  rows: Iterable<Record<string, string>> | AsyncIterable<Record<string, string>>,
): Promise<number> {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(toCsvLine(REGISTER_FIELD_NAMES, '\n'));
  let n = 0;
  let buf = '';
  for await (const row of rows) {
    buf += toCsvLine(
      REGISTER_FIELD_NAMES.map((f) => row[f] ?? ''),
      '\n',
    );
    n++;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  out.end();
  await once(out, 'finish');
  return n;
}
