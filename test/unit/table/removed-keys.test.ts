/**
 * The keys a version's planner found gone from the input: the merge takes exactly these rows
 * out of the table, so they must read back as written, and a damaged file must stop the merge
 * with FJ_TABLE_INVALID rather than remove the wrong rows or none.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { removedKeysKey } from '../../../executor/plan/partition-naming.js';
import { readRemovedKeys, writeRemovedKeys } from '../../../executor/table/removed-keys.js';
import { hasCode, tempStores } from './table-test-support.js';

describe('removed keys', () => {
  const stores = tempStores('removed-keys');
  after(stores.cleanUp);

  it('read back as written, keys with spaces, quotes, newlines and non-ASCII included', async () => {
    const output = await stores.fresh();
    const keys = ['A/1.jpg', 'Plum 5/"quoted".jpg', 'odd/new\nline.jpg', 'é/😀.jpg'];
    await writeRemovedKeys(output, 4, keys);
    assert.equal(removedKeysKey(4), '_featurejob/versions/4/removed.jsonl');
    assert.deepEqual(await readRemovedKeys(output, 4), keys);
  });

  it('are none when the version removed nothing or wrote no file', async () => {
    const output = await stores.fresh();
    await writeRemovedKeys(output, 1, []);
    assert.deepEqual(await readRemovedKeys(output, 1), []);
    assert.deepEqual(await readRemovedKeys(output, 2), []);
  });

  it('refuse a line that is not a JSON key with FJ_TABLE_INVALID naming the file and line', async () => {
    for (const [line, reason] of [
      ['A/2.jpg', /line 2 is not JSON/],
      ['42', /line 2: /],
      ['""', /line 2: /],
      ['', /line 2 is not JSON/],
    ] as const) {
      const output = await stores.fresh();
      await output.put(removedKeysKey(3), `"A/1.jpg"\n${line}\n"A/3.jpg"\n`);
      await assert.rejects(readRemovedKeys(output, 3), hasCode('FJ_TABLE_INVALID', reason), line);
      await assert.rejects(readRemovedKeys(output, 3), hasCode('FJ_TABLE_INVALID', /versions\/3\/removed\.jsonl/));
    }
  });
});
