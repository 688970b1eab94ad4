import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContactFileRefusedError,
  parseContactFile,
  responseFile,
  updateFile,
  type ContactFileLimits,
} from './contact-file.format.ts';

const HEADER = 'A00,CMS_CONTACTS,ABC,7,2026-03-02T09:30:00';
const file = (...lines: string[]) => Buffer.from(lines.join('\n') + '\n', 'utf8');

async function refusal(content: Buffer, limits?: ContactFileLimits): Promise<string> {
  try {
    await parseContactFile(content, limits);
  } catch (e) {
    assert.ok(e instanceof ContactFileRefusedError, String(e));
    assert.equal(e.status, 422);
    return e.reason;
  }
  assert.fail('the file was not refused');
}

test('reads the header, each C01 with its C02 fields in order, and the trailer', async () => {
  const parsed = await parseContactFile(
    file(
      HEADER,
      'C01,R1,ENQ,,"An enquiry, with a comma"',
      'C02,R1,subject,Meter query',
      'C02,R1,details,"Two\nlines ""quoted"""',
      'C01,R2,ADD,1234567890,Wrong address',
      'Z99,2',
    ),
  );
  assert.deepEqual(
    { sender: parsed.senderShortCode, seq: parsed.sequenceNumber, created: parsed.created },
    { sender: 'ABC', seq: 7, created: '2026-03-02T09:30:00' },
  );
  assert.equal(parsed.records.length, 2);
  assert.deepEqual(
    { ...parsed.records[0]!, fields: { ...parsed.records[0]!.fields } },
    {
      recordNo: 1,
      row: 2,
      raiserReference: 'R1',
      code: 'ENQ',
      mprn: null,
      description: 'An enquiry, with a comma',
      fields: { subject: 'Meter query', details: 'Two\nlines "quoted"' },
      problems: [],
    },
  );
  assert.equal(parsed.records[1]!.mprn, '1234567890');
  assert.equal(parsed.records[1]!.row, 5);
});

test('a BOM and CRLF line endings are accepted', async () => {
  const body = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(`${HEADER}\r\nC01,R1,ENQ,,Café\r\nZ99,1\r\n`, 'utf8'),
  ]);
  const parsed = await parseContactFile(body);
  assert.equal(parsed.senderShortCode, 'ABC');
  assert.equal(parsed.records[0]!.description, 'Café');
});

test('record-level format problems are kept on the record, not fatal', async () => {
  // Each contact's lines, and the problem codes its record carries (all in one file, in this order).
  const contacts: [lines: string[], codes: string[]][] = [
    [['C01,R1,ENQ,,one,extra'], ['FORMAT']],
    [['C01,,ENQ,,no reference'], ['REFERENCE_MISSING']],
    [
      ['C01,R3,ENQ,,fine', 'C02,R3,subject,a', 'C02,R3,subject,b', 'C02,R9,details,x'],
      ['FORMAT', 'FORMAT'],
    ],
    [['C01,R3,ENQ,,repeat'], ['DUPLICATE_REFERENCE']],
    [['C01,R5,ENQ,,short C02', 'C02,R5,subject'], ['FORMAT']],
  ];
  const lines = contacts.flatMap(([l]) => l);
  const parsed = await parseContactFile(file(HEADER, ...lines, `Z99,${contacts.length}`));
  const codes = parsed.records.map((r) => r.problems.map((p) => p.code));
  assert.deepEqual(
    codes,
    contacts.map(([, c]) => c),
  );
  assert.match(parsed.records[0]!.problems[0]!.message, /5 fields .* this one has 6/);
  assert.match(parsed.records[2]!.problems[0]!.message, /'subject' is given twice/);
  assert.match(parsed.records[2]!.problems[1]!.message, /names reference 'R9'/);
  assert.match(
    parsed.records[3]!.problems[0]!.message,
    /used by an earlier contact in this file \(record 4\)/,
  );
  assert.deepEqual({ ...parsed.records[2]!.fields }, { subject: 'a' });
});

test('a C02 named __proto__ or constructor is a field like any other (the raise rules judge it)', async () => {
  const parsed = await parseContactFile(
    file(HEADER, 'C01,R1,ENQ,,x', 'C02,R1,__proto__,polluted', 'C02,R1,constructor,c', 'Z99,1'),
  );
  const { fields, problems } = parsed.records[0]!;
  assert.deepEqual(Object.entries(fields), [
    ['__proto__', 'polluted'],
    ['constructor', 'c'],
  ]);
  assert.deepEqual(problems, []);
});

test('file-level refusals say why, in words', async () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.alloc(0), /the file is empty/],
    [Buffer.from('\ufeff\n\n', 'utf8'), /the file is empty/],
    [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]), /not a text file \(byte 0x03 at offset 2\)/],
    [Buffer.from([0x41, 0x30, 0x30, 0x2c, 0xff, 0xfe, 0x0a]), /not UTF-8/],
    [file('C01,R1,ENQ,,x', 'Z99,1'), /first record must be the header A00,CMS_CONTACTS/],
    [file('A00,CMS_RESPONSE,ABC,7,2026-03-02T09:30:00', 'Z99,0'), /first record must be the header/],
    [file('A00,CMS_CONTACTS,ABC,x7,2026-03-02T09:30:00', 'Z99,0'), /sequence number 'x7'/],
    [file('A00,CMS_CONTACTS,ABC,0,2026-03-02T09:30:00', 'Z99,0'), /sequence number '0'/],
    [file('A00,CMS_CONTACTS,ABC,7,2026-02-30T09:30:00', 'Z99,0'), /created time '2026-02-30T09:30:00'/],
    [file('A00,CMS_CONTACTS,abc!,7,2026-03-02T09:30:00', 'Z99,0'), /sender short code 'abc!'/],
    [file(HEADER, 'C01,R1,ENQ,,x'), /no trailer .* cut short/],
    [file(HEADER, 'C01,R1,ENQ,,x', 'Z99,2'), /trailer says 2 contacts but the file has 1 C01/],
    [file(HEADER, 'C01,R1,ENQ,,x', 'Z99'), /Z99,<number of C01 records>/],
    [file(HEADER, 'Z99,0'), /no contacts/],
    [file(HEADER, 'C02,R1,subject,x', 'C01,R1,ENQ,,x', 'Z99,1'), /C02 before any C01/],
    [file(HEADER, 'C01,R1,ENQ,,x', 'X07,1', 'Z99,1'), /record type 'X07'/],
    [file(HEADER, 'C01,R1,ENQ,,x', 'Z99,1', 'C01,R2,ENQ,,y'), /must be the last record; record 4 follows it/],
    [
      file(HEADER, 'A00,CMS_CONTACTS,ABC,7,2026-03-02T09:30:00', 'Z99,0'),
      /record 2 is a second header \(A00\); a contact file has one header/,
    ],
    [file(HEADER, 'C01,R1,ENQ,,"never closed', 'Z99,1'), /not a readable CSV file/],
  ];
  for (const [content, reason] of cases) assert.match(await refusal(content), reason);
});

test('a 10 MB single line is refused without reading it as a record', async () => {
  const line = Buffer.alloc(10 * 1024 * 1024, 0x61);
  assert.match(await refusal(line), /longer than 65,536 characters/);
  const afterHeader = Buffer.concat([Buffer.from(`${HEADER}\n`), line, Buffer.from('\nZ99,0\n')]);
  assert.match(await refusal(afterHeader), /record 2 is longer than 65,536 characters/);
});

test('size and record limits refuse the file', async () => {
  const limits = { maxBytes: 200, maxContacts: 2, maxRecordChars: 40 };
  assert.match(
    await refusal(file(HEADER, 'C01,R1,ENQ,,x', 'C01,R2,ENQ,,x', 'C01,R3,ENQ,,x', 'Z99,3'), limits),
    /more than 2 contacts/,
  );
  assert.match(await refusal(Buffer.alloc(201, 0x41), limits), /larger than/);
  assert.match(
    await refusal(file(HEADER, `C01,R1,ENQ,,"${'x'.repeat(50)}"`, 'Z99,1'), limits),
    /record 2 is longer than 40/,
  );
});

test('the response file answers every C01 in order, quoting as RFC 4180', () => {
  const text = responseFile({ senderShortCode: 'ABC', sequenceNumber: 7, created: '2026-03-02T10:00:00' }, [
    { raiserReference: 'R1', outcome: 'AC', contactReference: 'ENQ-000001' },
    {
      raiserReference: 'R2',
      outcome: 'RJ',
      reasons: ['MPRN', 'FIELD'],
      message: 'An MPRN is 6 to 10 digits; "x", y',
    },
  ]);
  assert.equal(
    text,
    'A00,CMS_RESPONSE,ABC,7,2026-03-02T10:00:00\r\n' +
      'R01,R1,AC,ENQ-000001\r\n' +
      'R01,R2,RJ,MPRN;FIELD,"An MPRN is 6 to 10 digits; ""x"", y"\r\n' +
      'Z99,2\r\n',
  );
});

test('the update file has one U01 per change and the count', () => {
  const text = updateFile({ recipientShortCode: 'ABC', sequenceNumber: 3, created: '2026-03-02T18:00:00' }, [
    {
      contactReference: 'ENQ-000001',
      raiserReference: 'R1',
      status: 'resolved',
      changedAt: new Date('2026-03-02T15:04:05.000Z'),
      outcomeOrReason: 'ANSWERED',
      note: 'Done, see notes',
    },
  ]);
  assert.equal(
    text,
    'A00,CMS_UPDATES,ABC,3,2026-03-02T18:00:00\r\n' +
      'U01,ENQ-000001,R1,resolved,2026-03-02T15:04:05.000Z,ANSWERED,"Done, see notes"\r\n' +
      'Z99,1\r\n',
  );
});
