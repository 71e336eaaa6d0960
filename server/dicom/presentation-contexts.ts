/**
 * Which presentation contexts to propose (PS3.8 §9.3.2.2, PS3.7 Annex D.3.3.4) and which accepted one carries an
 * instance. One context per (SOP class, transfer syntax) so the PACS can accept each exactly, plus one fallback
 * context per SOP class listing all its syntaxes and the default Implicit VR LE (PS3.5 §10.1). At most 128 contexts
 * per association (ids are odd, 1–255), so larger batches are split into groups, one association type per group.
 * No transcoding: an instance only travels in its own transfer syntax.
 */
import type { AcceptedContext, ProposedContext } from './pdu.ts';
import { IMPLICIT_VR_LE } from './uids.ts';

export interface ContextKey {
  readonly sopClassUid: string;
  readonly transferSyntaxUid: string;
}

export const MAX_CONTEXTS = 128;

export const contextKey = (k: ContextKey) => `${k.sopClassUid}|${k.transferSyntaxUid}`;

/** Groups of proposed contexts; every SOP class's contexts and its fallback stay in one group. */
export function planContextGroups(keys: readonly ContextKey[]): ProposedContext[][] {
  const byClass = new Map<string, string[]>();
  for (const { sopClassUid, transferSyntaxUid } of keys) {
    const list = byClass.get(sopClassUid) ?? [];
    if (!list.includes(transferSyntaxUid)) list.push(transferSyntaxUid);
    byClass.set(sopClassUid, list);
  }
  const units: Array<Array<Omit<ProposedContext, 'id'>>> = [];
  for (const [abstractSyntax, syntaxes] of byClass) {
    // A class with more syntaxes than fit one association is cut into several units, each with its own fallback.
    for (let i = 0; i < syntaxes.length; i += MAX_CONTEXTS - 1) {
      const slice = syntaxes.slice(i, i + MAX_CONTEXTS - 1);
      const fallback = slice.includes(IMPLICIT_VR_LE) ? slice : [...slice, IMPLICIT_VR_LE];
      const exact = slice.map((ts) => ({ abstractSyntax, transferSyntaxes: [ts] }));
      // A class sent only in Implicit VR LE already proposes the fallback's one syntax.
      units.push(fallback.length > 1 ? [...exact, { abstractSyntax, transferSyntaxes: fallback }] : exact);
    }
  }
  const groups: Array<Array<Omit<ProposedContext, 'id'>>> = [];
  for (const unit of units) {
    const open = groups.find((group) => group.length + unit.length <= MAX_CONTEXTS);
    if (open) open.push(...unit);
    else groups.push([...unit]);
  }
  return groups.map((group) => group.map((context, index) => ({ ...context, id: 2 * index + 1 })));
}

/** The contexts of a group by key, for routing an instance to the group that proposed it. */
export function keysOfGroup(group: readonly ProposedContext[]): string[] {
  return group.flatMap((context) =>
    context.transferSyntaxes.length === 1 ? [contextKey({ sopClassUid: context.abstractSyntax, transferSyntaxUid: context.transferSyntaxes[0]! })] : []);
}

/**
 * The accepted context id that carries this SOP class in exactly this transfer syntax: the exact context first,
 * then any other accepted context of the class (the fallback) whose chosen syntax is the instance's own.
 */
export function chooseContext(proposed: readonly ProposedContext[], accepted: readonly AcceptedContext[], key: ContextKey): number | undefined {
  const acceptedById = new Map(accepted.filter((c) => c.result === 0).map((c) => [c.id, c.transferSyntax]));
  const candidates = proposed.filter((c) => c.abstractSyntax === key.sopClassUid && acceptedById.get(c.id) === key.transferSyntaxUid);
  candidates.sort((a, b) => a.transferSyntaxes.length - b.transferSyntaxes.length);
  return candidates[0]?.id;
}
