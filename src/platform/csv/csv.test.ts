import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { CsvError, csvEscape, readCsv, readCsvBatches, toCsvLine, type CsvRow } from './csv.ts';
import { Rng } from '../rng.ts';

async function parse(chunks: (string | Uint8Array)[], options = {}): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsv(chunks, options)) rows.push(row);
  return rows;
}

const bytes = (s: string) => new TextEncoder().encode(s);

/** Splits `b` into chunks at the given cut points. */
function split(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, b.length]) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  return out;
}

test('parses simple records with LF and CRLF endings and a last line without newline', async () => {
  const rows = await parse(['mprn,postcode\r\n123456,B91 1AA\n654321,M1 1AA']);
  assert.deepEqual(rows, [
    { rowNumber: 1, fields: ['mprn', 'postcode'] },
    { rowNumber: 2, fields: ['123456', 'B91 1AA'] },
    { rowNumber: 3, fields: ['654321', 'M1 1AA'] },
  ]);
});

test('handles quoted fields with commas, doubled quotes and line breaks; row numbers count records', async () => {
  const text = 'a,b,c\r\n"x, y","say ""hi""","line1\r\nline2"\r\n"",plain,"\n"\nlast,"q",\n';
  const rows = await parse([text]);
  assert.deepEqual(rows, [
    { rowNumber: 1, fields: ['a', 'b', 'c'] },
    { rowNumber: 2, fields: ['x, y', 'say "hi"', 'line1\r\nline2'] },
    { rowNumber: 3, fields: ['', 'plain', '\n'] },
    { rowNumber: 4, fields: ['last', 'q', ''] },
  ]);
});

test('strips a UTF-8 BOM and decodes multi-byte characters split across chunks', async () => {
  const b = bytes('\uFEFFtown,street\nYsbyty Ystwyth,Ffordd Pen-y-bryn Ŵ €😀\n');
  const whole = await parse([b]);
  assert.deepEqual(whole[0]?.fields, ['town', 'street']);
  assert.deepEqual(whole[1]?.fields, ['Ysbyty Ystwyth', 'Ffordd Pen-y-bryn Ŵ €😀']);
  // Every single split point, including inside the BOM and inside multi-byte characters.
  for (let i = 0; i <= b.length; i++) assert.deepEqual(await parse(split(b, [i])), whole, `cut at ${i}`);
  // One byte at a time.
  assert.deepEqual(
    await parse(
      split(
        b,
        Array.from({ length: b.length }, (_, i) => i),
      ),
    ),
    whole,
  );
});

test('gives the same records however the input is chunked (random inputs)', async () => {
  const rng = new Rng(42);
  const alphabet = ['a', 'b', ',', '"', '\n', '\r\n', ' ', 'é'];
  for (let n = 0; n < 200; n++) {
    // Build random valid CSV from random fields, so the expected records are known.
    const records: string[][] = [];
    for (let r = rng.int(1, 5); r > 0; r--) {
      const fields: string[] = [];
      for (let f = rng.int(1, 4); f > 0; f--) {
        let s = '';
        for (let k = rng.int(0, 6); k > 0; k--) s += rng.pick(alphabet);
        fields.push(s);
      }
      if (fields.length === 1 && fields[0] === '') fields[0] = 'x'; // an empty line would be skipped
      records.push(fields);
    }
    const text = records.map((f) => toCsvLine(f, rng.chance(0.5) ? '\n' : '\r\n')).join('');
    const b = bytes(rng.chance(0.5) ? text : text.replace(/\r?\n$/, ''));
    const cuts = [...new Set(Array.from({ length: rng.int(0, 6) }, () => rng.int(0, b.length)))].sort(
      (x, y) => x - y,
    );
    const rows = await parse(split(b, cuts));
    assert.deepEqual(
      rows.map((r) => r.fields),
      records,
      JSON.stringify(text),
    );
  }
});

test('reads a Node Readable stream and string chunks', async () => {
  const stream = Readable.from([Buffer.from('mprn\n12'), Buffer.from('3456\n')]);
  assert.deepEqual((await parse([])).length, 0);
  const rows: CsvRow[] = [];
  for await (const r of readCsv(stream)) rows.push(r);
  assert.deepEqual(
    rows.map((r) => r.fields),
    [['mprn'], ['123456']],
  );
  assert.deepEqual(
    (await parse(['a,"b', '""c"\n'])).map((r) => r.fields),
    [['a', 'b"c']],
  );
});

test('empty lines are skipped but counted, unless asked to keep them', async () => {
  const text = 'h\n\na\r\n\r\nb\n';
  assert.deepEqual(await parse([text]), [
    { rowNumber: 1, fields: ['h'] },
    { rowNumber: 3, fields: ['a'] },
    { rowNumber: 5, fields: ['b'] },
  ]);
  assert.equal((await parse([text], { skipEmptyLines: false })).length, 5);
});

async function rejects(chunks: (string | Uint8Array)[], row: number, pattern: RegExp, options = {}) {
  await assert.rejects(parse(chunks, options), (e: unknown) => {
    assert.ok(e instanceof CsvError, String(e));
    assert.equal(e.rowNumber, row);
    assert.match(e.message, pattern);
    assert.match(e.message, new RegExp(`^row ${row}\\b`));
    return true;
  });
}

test('malformed input gives clear errors naming the row', async () => {
  await rejects(['a,b\n1,"unterminated\n2,3\n'], 2, /unterminated quote/);
  await rejects(['a,b\n1,ab"c\n'], 2, /quote character inside a field/);
  await rejects(['a,b\n1,"ab"c\n'], 2, /after a closing quote/);
  await rejects(['a,b\n1,2\rx,y\n'], 2, /carriage return/);
  await rejects(
    [bytes('a,b\n1,2\n3,'), new Uint8Array([0x66, 0xff, 0x0a])],
    3,
    /not valid UTF-8 \(invalid byte 0xFF/,
  );
  await rejects([bytes('a\n'), new Uint8Array([0xe2, 0x82])], 2, /ends in the middle of a character/);
  await rejects(['a\n"' + 'x'.repeat(100)], 2, /longer than 50 characters/, { maxRecordLength: 50 });
});

test('rows before a malformed one are still delivered', async () => {
  const rows: CsvRow[] = [];
  await assert.rejects(async () => {
    for await (const r of readCsv([bytes('a\n1\n2\n'), new Uint8Array([0x33, 0xc0, 0x80])])) rows.push(r);
  }, CsvError);
  assert.deepEqual(
    rows.map((r) => r.rowNumber),
    [1, 2, 3],
  );
});

test('readCsvBatches yields arrays of rows', async () => {
  const batches: CsvRow[][] = [];
  for await (const b of readCsvBatches(['a\nb\n', 'c\n'])) batches.push(b);
  assert.deepEqual(
    batches.flat().map((r) => r.fields[0]),
    ['a', 'b', 'c'],
  );
});

test('csvEscape and toCsvLine quote only when needed', () => {
  assert.equal(csvEscape('plain'), 'plain');
  assert.equal(csvEscape(null), '');
  assert.equal(csvEscape(undefined), '');
  assert.equal(csvEscape('a,b'), '"a,b"');
  assert.equal(csvEscape('say "hi"'), '"say ""hi"""');
  assert.equal(csvEscape('two\nlines'), '"two\nlines"');
  assert.equal(toCsvLine(['1', null, 'x,y']), '1,,"x,y"\r\n');
  assert.equal(toCsvLine(['1'], '\n'), '1\n');
});
