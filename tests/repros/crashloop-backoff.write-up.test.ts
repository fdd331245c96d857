// The crashloop-backoff page reads the write-up's BackOff event (x39, last written 9m34s before the
// listing) against the model. The event's count includes every refusal up to its last write (client-go
// counts before the spam filter decides), so the model's number is the refusals up to that write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKOFF_EVENT } from '../../repros/crashloop-backoff/constants.ts';
import { writeUpReading } from '../../repros/crashloop-backoff/write-up.ts';

test('refusals up to the event\'s last write: 45 under the page\'s assumptions, fewer than up to the listing', () => {
  const r = writeUpReading();
  assert.equal(BACKOFF_EVENT.lastWrittenSecondsBefore, 574);
  assert.equal(r.refusalsByLastWrite, 45);
  assert.ok(r.refusalsByLastWrite < r.refusalsByAge);
  // The model does not reproduce the write-up's 39; the page says so rather than explaining it away.
  assert.notEqual(r.refusalsByLastWrite, BACKOFF_EVENT.count);
});
