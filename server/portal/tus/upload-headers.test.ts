import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLength, parseUploadMetadata, rawUploadId } from './upload-headers.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('Upload-Length accepts only non-negative decimal safe integers', () => {
  assert.equal(parseLength('0', 'Upload-Length'), 0);
  assert.equal(parseLength('123', 'Upload-Length'), 123);
  for (const bad of [undefined, '', '-1', '01', '1.0', '0x1', '1e3', ' 1', '9007199254740993', '99999999999999999']) {
    assert.throws(() => parseLength(bad, 'Upload-Length'), { code: 'E_TUS_LENGTH' }, String(bad));
  }
  assert.throws(() => parseLength('x', 'Upload-Offset'), { code: 'E_TUS_OFFSET' });
});

test('Upload-Metadata must be exactly shipmentId and fileId, strict base64, id characters', () => {
  assert.deepEqual(parseUploadMetadata(`fileId ${b64('f-1')},shipmentId ${b64('s_1')}`), { shipmentId: 's_1', fileId: 'f-1' });
  for (const bad of [undefined, '', 'shipmentId', `shipmentId ${b64('s')}`, `shipmentId ${b64('s')},fileId ${b64('f')},x ${b64('y')}`,
    `shipmentId ${b64('s')} extra,fileId ${b64('f')}`, `shipmentId czE,fileId ${b64('f')}` /* unpadded */, `shipmentId ${b64('a b')},fileId ${b64('f')}`,
    `shipmentId ${b64('s\r\nX: y')},fileId ${b64('f')}`]) {
    assert.throws(() => parseUploadMetadata(bad), { code: 'E_TUS_METADATA' }, String(bad));
  }
});

test('upload ids are taken from the raw path and must be 32 lower-case hex digits', () => {
  assert.equal(rawUploadId('/uploads'), '');
  assert.equal(rawUploadId('/uploads/?x=1'), '');
  assert.equal(rawUploadId(`/uploads/${'a'.repeat(32)}`), 'a'.repeat(32));
  for (const bad of ['/uploads/..%2Fx', '/uploads/%2e%2e', `/uploads/${'a'.repeat(32)}/x`, `/uploads/${'A'.repeat(32)}`, '/uploads/a%00']) {
    assert.equal(rawUploadId(bad), undefined, bad);
  }
});
