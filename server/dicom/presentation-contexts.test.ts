import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CONTEXTS, chooseContext, contextKey, keysOfGroup, planContextGroups } from './presentation-contexts.ts';
import { EXPLICIT_VR_LE, IMPLICIT_VR_LE } from './uids.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const RLE = '1.2.840.10008.1.2.5';

test('one context per (class, syntax) plus a fallback per class (none needed for implicit-only), odd ids', () => {
  const [group, ...rest] = planContextGroups([
    { sopClassUid: CT, transferSyntaxUid: EXPLICIT_VR_LE },
    { sopClassUid: CT, transferSyntaxUid: RLE },
    { sopClassUid: CT, transferSyntaxUid: EXPLICIT_VR_LE },
    { sopClassUid: MR, transferSyntaxUid: IMPLICIT_VR_LE },
  ]);
  assert.equal(rest.length, 0);
  assert.deepEqual(group, [
    { id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_VR_LE] },
    { id: 3, abstractSyntax: CT, transferSyntaxes: [RLE] },
    { id: 5, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_VR_LE, RLE, IMPLICIT_VR_LE] },
    { id: 7, abstractSyntax: MR, transferSyntaxes: [IMPLICIT_VR_LE] },
  ]);
  assert.deepEqual(keysOfGroup(group!).sort(), [contextKey({ sopClassUid: CT, transferSyntaxUid: EXPLICIT_VR_LE }),
    contextKey({ sopClassUid: CT, transferSyntaxUid: RLE }), contextKey({ sopClassUid: MR, transferSyntaxUid: IMPLICIT_VR_LE })].sort());
});

test('more than 128 contexts are split over groups without separating a class from its fallback', () => {
  const keys = Array.from({ length: 100 }, (_, i) => ({ sopClassUid: `1.2.3.${i}`, transferSyntaxUid: EXPLICIT_VR_LE }));
  const groups = planContextGroups(keys);
  assert.equal(groups.length, 2);
  for (const group of groups) {
    assert.ok(group.length <= MAX_CONTEXTS);
    assert.ok(group.every((c, i) => c.id === 2 * i + 1 && c.id <= 255));
    const classes = new Set(group.map((c) => c.abstractSyntax));
    for (const sop of classes) assert.equal(group.filter((c) => c.abstractSyntax === sop).length, 2);
  }
  assert.equal(groups.flat().length, 200);
});

test('the exact context is chosen first, a fallback only when it accepted the instance\'s own syntax', () => {
  const [group] = planContextGroups([{ sopClassUid: CT, transferSyntaxUid: EXPLICIT_VR_LE }, { sopClassUid: CT, transferSyntaxUid: RLE }]);
  const key = { sopClassUid: CT, transferSyntaxUid: RLE };
  assert.equal(chooseContext(group!, [
    { id: 1, result: 0, transferSyntax: EXPLICIT_VR_LE }, { id: 3, result: 0, transferSyntax: RLE }, { id: 5, result: 0, transferSyntax: RLE },
  ], key), 3);
  assert.equal(chooseContext(group!, [
    { id: 1, result: 0, transferSyntax: EXPLICIT_VR_LE }, { id: 3, result: 4, transferSyntax: undefined }, { id: 5, result: 0, transferSyntax: RLE },
  ], key), 5);
  // The fallback settled on another syntax: no transcoding, so no context.
  assert.equal(chooseContext(group!, [
    { id: 1, result: 0, transferSyntax: EXPLICIT_VR_LE }, { id: 3, result: 4, transferSyntax: undefined }, { id: 5, result: 0, transferSyntax: IMPLICIT_VR_LE },
  ], key), undefined);
});
