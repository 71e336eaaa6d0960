/**
 * Step 3 (issue 7 item 5): the sender's statements. A consultation (NVvR situation B) needs the patient's
 * explicit consent: who recorded it, when and a reference; the page refuses to send without all three (and the
 * pipeline checks again, shared/send checkStatements). A transfer (situation C) is marked urgent. An optional
 * comment for every purpose. Everything ends up only inside the encrypted manifest.
 */
import type { Statements } from '../../shared/format/index.ts';
import type { LinkInfo } from '../../shared/send/index.ts';
import { byId } from '../shared-ui/dom.ts';
import type { SenderI18n } from './messages.ts';

const DRAFT_KEY = 'beeldpoort.statements.';

export interface PurposeStep {
  /** The statements, or undefined (with the error shown and focus on the first missing field) when incomplete. */
  read(): Statements | undefined;
  setEnabled(enabled: boolean): void;
  /** Kept for this tab only (sessionStorage), so a reload does not make the clerk type them again. */
  remember(statements: Statements): void;
  forget(): void;
}

export function setUpPurpose(link: LinkInfo, i18n: SenderI18n): PurposeStep {
  const consentBox = byId<HTMLFieldSetElement>('consent');
  const by = byId<HTMLInputElement>('consent-by');
  const date = byId<HTMLInputElement>('consent-date');
  const ref = byId<HTMLInputElement>('consent-ref');
  const comment = byId<HTMLTextAreaElement>('comment');
  const error = byId('purpose-error');
  const sendButton = byId<HTMLButtonElement>('send');
  const consult = link.purpose === 'consult';
  consentBox.hidden = !consult;
  for (const input of [by, date, ref]) input.required = consult;
  byId('urgent-notice').hidden = !link.urgent;
  date.max = new Date().toISOString().slice(0, 10);

  const draftKey = `${DRAFT_KEY}${link.linkId}`;
  try {
    const draft = JSON.parse(sessionStorage.getItem(draftKey) ?? 'null') as Statements | null;
    if (draft) {
      by.value = draft.consent?.recordedBy ?? '';
      date.value = draft.consent?.date ?? '';
      ref.value = draft.consent?.reference ?? '';
      comment.value = draft.comment ?? '';
    }
  } catch {
    // no draft
  }

  return {
    read() {
      error.hidden = true;
      for (const input of [by, date, ref]) input.removeAttribute('aria-invalid');
      const statements: { consent?: Statements['consent']; comment?: string } = {};
      if (consult) {
        const missing = [by, date, ref].filter((input) => input.value.trim() === '' || (input === date && !/^\d{4}-\d{2}-\d{2}$/.test(input.value)));
        if (missing.length > 0) {
          for (const input of missing) input.setAttribute('aria-invalid', 'true');
          error.textContent = i18n.t('consentRequired');
          error.hidden = false;
          missing[0]!.focus();
          return undefined;
        }
        statements.consent = { recordedBy: by.value.trim(), date: date.value, reference: ref.value.trim() };
      }
      const text = comment.value.trim();
      if (text) statements.comment = text;
      return statements;
    },
    setEnabled(enabled) {
      for (const input of [by, date, ref, comment]) input.disabled = !enabled;
      sendButton.disabled = !enabled;
    },
    remember(statements) {
      try {
        sessionStorage.setItem(draftKey, JSON.stringify(statements));
      } catch {
        // storage disabled: nothing to remember
      }
    },
    forget() {
      try {
        sessionStorage.removeItem(draftKey);
      } catch {
        // nothing to forget
      }
    },
  };
}
