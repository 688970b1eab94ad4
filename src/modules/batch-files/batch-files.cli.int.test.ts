/**
 * `cdsp cms import FILE --email USER_EMAIL`: raises the file's contacts as that user, writes the response file and
 * prints its path last; the same file again, an unknown user or one who cannot raise contacts exit 1 and create
 * nothing; wrong arguments exit 2.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCli } from '../../../test/support/cli.ts';
import { enquiryLines } from '../../../test/support/batch-files.ts';

describe('cdsp cms import', () => {
  const h = useCli('cdsp_batch_cli');

  test('imports a file as the user and prints the response file path last', async () => {
    for (const args of [
      ['org', 'add', '--name', 'CDSP', '--type', 'cdsp', '--short-code', 'CDS'],
      ['org', 'add', '--name', 'Batch Shipper', '--type', 'shipper', '--short-code', 'BCL'],
      ['user', 'add', '--org', 'BCL', '--email', 'ops@bcl.example', '--name', 'Ops', '--roles', 'cms_user'],
      ['user', 'add', '--org', 'BCL', '--email', 'des@bcl.example', '--name', 'Des', '--roles', 'des_user'],
    ]) {
      const r = await h.cdsp(...args);
      assert.equal(r.code, 0, r.stderr);
    }
    const path = join(h.dir, 'contacts.csv');
    writeFileSync(
      path,
      [
        'A00,CMS_CONTACTS,BCL,1,2026-03-02T09:00:00',
        ...enquiryLines('C-1', 1),
        'C01,C-2,NOPE,,Not a code',
        ...enquiryLines('C-3', 3),
        'Z99,3',
        '',
      ].join('\n'),
    );

    const usage = await h.cdsp('cms', 'import', path);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--email is required/);

    const nobody = await h.cdsp('cms', 'import', path, '--email', 'nobody@bcl.example');
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /No active user has the email nobody@bcl.example/);
    const desOnly = await h.cdsp('cms', 'import', path, '--email', 'des@bcl.example');
    assert.equal(desOnly.code, 1);
    assert.match(desOnly.stderr, /may not raise contacts/);

    const r = await h.cdsp('cms', 'import', path, '--email', 'ops@bcl.example');
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.split('\n');
    assert.equal(out.at(-1), `${path}.response.csv`);
    assert.match(r.stdout, /records +3\n +accepted +2\n +rejected +1/);
    const response = readFileSync(`${path}.response.csv`, 'utf8').split('\r\n');
    assert.match(response[0]!, /^A00,CMS_RESPONSE,BCL,1,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    assert.match(response[1]!, /^R01,C-1,AC,ENQ-[A-Z0-9]+$/);
    assert.equal(response[2], 'R01,C-2,RJ,CODE,“NOPE” is not a contact code');
    assert.match(response[3]!, /^R01,C-3,AC,ENQ-[A-Z0-9]+$/);
    assert.equal(response[4], 'Z99,3');

    const again = await h.cdsp('cms', 'import', path, '--email', 'ops@bcl.example');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /uploaded this file before/);
  });
});
