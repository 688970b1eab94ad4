import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { sniffAttachment } from './attachments.sniff.ts';

/** A minimal ZIP with one deflated entry, as Office files are. */
function zipWith(name: string, content: string): Buffer {
  const data = deflateRawSync(Buffer.from(content));
  const nameBuf = Buffer.from(name);
  // A central directory entry repeats its local header's fields, 2 bytes later (after "version made by").
  const header = (signature: number, length: number, shift: 0 | 2) => {
    const h = Buffer.alloc(length);
    h.writeUInt32LE(signature, 0);
    h.writeUInt16LE(8, 8 + shift); // deflated
    h.writeUInt32LE(data.length, 18 + shift);
    h.writeUInt32LE(content.length, 22 + shift);
    h.writeUInt16LE(nameBuf.length, 26 + shift);
    return h;
  };
  const local = header(0x04034b50, 30, 0);
  const central = header(0x02014b50, 46, 2); // its local header is at offset 0 (bytes 42-45, left zero)
  const cdOffset = local.length + nameBuf.length + data.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + nameBuf.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBuf, data, central, nameBuf, eocd]);
}

const ct = (main: string) =>
  `<?xml version="1.0"?><Types><Override PartName="/x" ContentType="application/vnd.openxmlformats-officedocument.${main}"/></Types>`;

test('types are decided by content and must agree with the file name', () => {
  const cases: [string, Buffer, string | null][] = [
    ['a.pdf', Buffer.from('%PDF-1.7\n'), 'pdf'],
    ['a.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]), 'png'],
    ['a.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1]), 'jpeg'],
    ['a.gif', Buffer.from('GIF89a....'), 'gif'],
    ['a.csv', Buffer.from('mprn,read\n1234567890,12\n'), 'csv'],
    ['notes.txt', Buffer.from('Plain words, £ and é.\r\n'), 'txt'],
    ['book.xlsx', zipWith('[Content_Types].xml', ct('spreadsheetml.sheet.main+xml')), 'xlsx'],
    ['letter.docx', zipWith('[Content_Types].xml', ct('wordprocessingml.document.main+xml')), 'docx'],
    ['macro.xlsx', zipWith('[Content_Types].xml', ct('spreadsheetml.sheet.main+xml') + 'macroEnabled'), null],
    ['archive.docx', zipWith('readme.txt', 'hello'), null],
    ['a.pdf', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), null],
    ['prog.txt', Buffer.from([0x4d, 0x5a, 0x00, 0x01]), null],
    ['page.html', Buffer.from('<html><script>alert(1)</script></html>'), null],
    ['empty.txt', Buffer.alloc(0), null],
  ];
  for (const [name, data, kind] of cases) {
    const r = sniffAttachment(name, data);
    if (kind === null) assert.equal(r.ok, false, name);
    else {
      assert.equal(r.ok, true, `${name}: ${r.ok ? '' : r.message}`);
      if (r.ok) assert.equal(r.kind, kind, name);
    }
  }
});
