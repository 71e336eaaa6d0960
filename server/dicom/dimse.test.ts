import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_FIELD, TAG, decodeCommand, encodeEchoRequest, encodeStoreRequest, responseStatus } from './dimse.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

test('C-ECHO-RQ is the Implicit VR LE command set of PS3.7 §9.3.5 with its group length', () => {
  assert.deepEqual(encodeEchoRequest(1), hex(`
    0000 0000 04000000 38000000
    0000 0200 12000000 ${Buffer.from('1.2.840.10008.1.1\0').toString('hex')}
    0000 0001 02000000 3000
    0000 1001 02000000 0100
    0000 0008 02000000 0101`));
});

test('C-STORE-RQ carries class, instance, message id, medium priority and a dataset flag, in tag order', () => {
  const bytes = encodeStoreRequest(0x1234, '1.2.840.10008.5.1.4.1.1.2', '1.2.3.45');
  const command = decodeCommand(bytes);
  assert.equal(command.get(TAG.GROUP_LENGTH), bytes.length - 12);
  assert.equal(command.get(TAG.AFFECTED_SOP_CLASS), '1.2.840.10008.5.1.4.1.1.2');
  assert.equal(command.get(TAG.COMMAND_FIELD), COMMAND_FIELD.C_STORE_RQ);
  assert.equal(command.get(TAG.MESSAGE_ID), 0x1234);
  assert.equal(command.get(TAG.PRIORITY), 0);
  assert.equal(command.get(TAG.DATASET_TYPE), 0);
  assert.equal(command.get(TAG.AFFECTED_SOP_INSTANCE), '1.2.3.45');
  // Odd UIDs are padded with one NUL to an even length (PS3.5 §6.2).
  const classLength = new DataView(bytes.buffer).getUint32(16, true);
  assert.equal(classLength, 26);
  const view = new DataView(bytes.buffer);
  const tags: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += 8 + view.getUint32(offset + 4, true)) tags.push(view.getUint16(offset + 2, true));
  assert.deepEqual(tags, [...tags].sort((a, b) => a - b));
  assert.ok(tags.every((t, i) => i === 0 || t !== tags[i - 1]));
});

test('a C-STORE-RSP decodes to its status and error comment', () => {
  const comment = Buffer.from('Out of disk');
  const rsp = hex(`
    0000 0001 02000000 0180
    0000 2001 02000000 0700
    0000 0008 02000000 0101
    0000 0009 02000000 00a7
    0000 0209 0c000000 ${comment.toString('hex')}00`);
  const command = decodeCommand(rsp);
  assert.equal(responseStatus(command), 0xa700);
  assert.equal(command.get(TAG.MESSAGE_ID_RESPONDED), 7);
  assert.equal(command.get(TAG.ERROR_COMMENT), 'Out of disk');
});

test('a command without status or with a runaway length is a protocol error', () => {
  assert.throws(() => responseStatus(decodeCommand(hex('0000 0001 02000000 0180'))), { code: 'E_PROTOCOL' });
  assert.throws(() => decodeCommand(hex('0000 0009 ff000000 0000')), { code: 'E_PROTOCOL' });
  assert.throws(() => decodeCommand(hex('0800 1800 02000000 3100')), { code: 'E_PROTOCOL' });
});
