/**
 * Renders the inventory for confirmation: a loud warning when the CD holds more than one patient, the patients,
 * one row per study with a checkbox (date, description, modalities, series and image counts) and the series
 * of that study behind a disclosure, each with its own checkbox; then the selected totals and the skipped
 * files with reasons. Study-level on purpose: thousands of per-file rows help nobody.
 */
import { h, replace } from '../shared-ui/dom.ts';
import { formatBytes, formatDicomDate, formatNumber, formatPersonName } from '../shared-ui/format.ts';
import { isStudySelected, selectionTotals, type Inventory, type StudyGroup } from './inventory-model.ts';
import type { SenderI18n } from './messages.ts';

export interface InventoryViewOptions {
  readonly inventory: Inventory;
  readonly i18n: SenderI18n;
  /** Series left out; the view edits this set and calls onChange. */
  readonly deselected: Set<string>;
  onChange(): void;
  onChooseOther(): void;
}

export function renderInventory(container: HTMLElement, options: InventoryViewOptions): void {
  const { inventory, i18n, deselected } = options;
  const t = i18n.t;
  const locale = i18n.locale();
  const summary = h('p', { class: 'selected-summary', attrs: { 'data-testid': 'selected-summary', 'aria-live': 'polite' } });
  const nothing = h('p', { class: 'field-error', attrs: { role: 'alert' } });
  const refreshTotals = () => {
    const now = selectionTotals(inventory, deselected);
    summary.textContent = t('selectedSummary', {
      studies: formatNumber(now.studies, locale),
      series: formatNumber(now.series, locale),
      instances: formatNumber(now.instances, locale),
      bytes: formatBytes(now.bytes, locale),
    });
    nothing.textContent = now.instances === 0 ? t('nothingSelected') : '';
    nothing.hidden = now.instances > 0;
  };

  const rows = inventory.studies.map((study) => studyRow(study));
  replace(
    container,
    inventory.patients.length > 1
      ? h('p', { class: 'warning', attrs: { role: 'alert', 'data-testid': 'multi-patient-warning' } }, t('multiPatientWarning', { count: inventory.patients.length }))
      : null,
    inventory.warnings.length > 0
      ? h('div', { class: 'remark' }, h('strong', null, t('warningsHeading')), h('ul', null, inventory.warnings.map((w) => h('li', null, w))))
      : null,
    h('h3', null, inventory.patients.length > 1 ? t('patients') : t('patient')),
    h(
      'ul',
      { class: 'patient-list', attrs: { 'data-testid': 'patients' } },
      inventory.patients.map((patient) =>
        h(
          'li',
          null,
          h('span', { class: 'patient-name' }, formatPersonName(patient.name)),
          h('span', { class: 'patient-meta' }, `${t('patientId')}: ${patient.id || '–'}`),
          h('span', { class: 'patient-meta' }, `${t('birthDate')}: ${formatDicomDate(patient.birthDate, locale)}`),
        ),
      ),
    ),
    h(
      'table',
      { attrs: { 'data-testid': 'studies' } },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { attrs: { scope: 'col' } }, t('include')),
          h('th', { attrs: { scope: 'col' } }, t('studyDate')),
          h('th', { attrs: { scope: 'col' } }, t('description')),
          h('th', { attrs: { scope: 'col' } }, t('modality')),
          h('th', { class: 'num', attrs: { scope: 'col' } }, t('series')),
          h('th', { class: 'num', attrs: { scope: 'col' } }, t('images')),
          inventory.patients.length > 1 ? h('th', { attrs: { scope: 'col' } }, t('patient')) : null,
        ),
      ),
      h('tbody', null, rows.map((row) => row.element)),
    ),
    summary,
    nothing,
    skippedBlock(),
    h('p', null, h('button', { class: 'secondary', attrs: { type: 'button' }, on: { click: () => options.onChooseOther() } }, t('chooseOther'))),
  );
  refreshTotals();

  function studyRow(study: StudyGroup): { element: HTMLTableRowElement } {
    const patient = inventory.patients.find((p) => p.key === study.patientKey);
    const label = `${formatDicomDate(study.date, locale)} ${study.description || t('noDescription')}`;
    const studyBox = h('input', { attrs: { type: 'checkbox', 'aria-label': `${t('include')}: ${label}`, 'data-study': study.uid } });
    const seriesBoxes = study.series.map((series) =>
      h('input', { attrs: { type: 'checkbox', 'data-series': series.uid, id: `series-${cssSafe(series.uid)}` } }),
    );
    const row = h(
      'tr',
      null,
      h('td', null, studyBox),
      h('td', null, formatDicomDate(study.date, locale)),
      h(
        'td',
        null,
        study.description || t('noDescription'),
        h(
          'details',
          { class: 'series' },
          h('summary', null, t('showSeries')),
          h(
            'ul',
            null,
            study.series.map((series, i) =>
              h(
                'li',
                null,
                seriesBoxes[i]!,
                ' ',
                h(
                  'label',
                  { attrs: { for: `series-${cssSafe(series.uid)}` } },
                  `${series.number ? `#${series.number} ` : ''}${series.modality} ${series.description || t('noDescription')} — ${t('images')}: ${formatNumber(series.instances, locale)}`,
                ),
              ),
            ),
          ),
        ),
      ),
      h('td', null, study.modalities.join(', ') || '–'),
      h('td', { class: 'num' }, formatNumber(study.series.length, locale)),
      h('td', { class: 'num' }, formatNumber(study.series.reduce((sum, s) => sum + s.instances, 0), locale)),
      inventory.patients.length > 1 ? h('td', null, formatPersonName(patient?.name)) : null,
    );
    const sync = () => {
      const selected = isStudySelected(study, deselected);
      const all = study.series.every((s) => !deselected.has(s.uid));
      studyBox.checked = selected;
      studyBox.indeterminate = selected && !all;
      study.series.forEach((s, i) => (seriesBoxes[i]!.checked = !deselected.has(s.uid)));
      row.classList.toggle('deselected', !selected);
    };
    studyBox.addEventListener('change', () => {
      for (const s of study.series) {
        if (studyBox.checked) deselected.delete(s.uid);
        else deselected.add(s.uid);
      }
      sync();
      refreshTotals();
      options.onChange();
    });
    study.series.forEach((s, i) =>
      seriesBoxes[i]!.addEventListener('change', () => {
        if (seriesBoxes[i]!.checked) deselected.delete(s.uid);
        else deselected.add(s.uid);
        sync();
        refreshTotals();
        options.onChange();
      }),
    );
    sync();
    return { element: row };
  }

  function skippedBlock(): HTMLElement {
    if (inventory.skipped.length === 0) return h('p', { class: 'help' }, t('skippedNone'));
    return h(
      'details',
      { class: 'skipped', attrs: { 'data-testid': 'skipped' } },
      h('summary', null, t('skippedHeading', { count: formatNumber(inventory.skipped.length, locale) })),
      h('ul', null, inventory.skipped.slice(0, 500).map((file) => h('li', null, h('span', { class: 'path' }, file.path), ` — ${file.reason}`))),
      inventory.skipped.length > 500 ? h('p', { class: 'help' }, `… +${formatNumber(inventory.skipped.length - 500, locale)}`) : null,
    );
  }
}

/** UIDs are digits and dots; ids stay valid and unique with dots replaced. */
function cssSafe(uid: string): string {
  return uid.replace(/[^0-9A-Za-z]/g, '-');
}
