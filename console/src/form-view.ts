import type { FieldProblem } from '../../functions/core/index.js';
import { h, replaceChildren, srOnly } from './dom.js';
import { factPathOf, type FieldInput, type FormInputs, type GivenEmpty } from './form-values.js';
import { fieldId, fieldsOf, type FactField, type FactGroup } from './schema-fields.js';

/**
 * The facts form in the page: a fieldset per group of PatientFacts, a labelled control per field,
 * "not known" as every field's empty choice, and per group a box that sends it as given though
 * none of its fields is filled (an empty section: form-values.ts says why it is kept). It knows
 * nothing of evaluation: main.ts reads it on every input and shows the core's problems back at
 * their fields.
 */

const NOT_KNOWN = 'not known';

/** What the form holds: its fields' inputs and the groups ticked "given" though empty. */
export interface FormContents {
  inputs: FormInputs;
  givenEmpty: GivenEmpty;
}

/** What the rest of the page does with the form. */
export interface FactsForm {
  readonly element: HTMLFormElement;
  read(): FormContents;
  fill(contents: FormContents): void;
  /** Marks the fields with problems and clears the marks of the others. */
  showProblems(problems: readonly FieldProblem[]): void;
  /** Moves focus to a field (or to the first field of a group), as a link to it does. */
  focus(path: string): boolean;
}

interface Control {
  field: FactField;
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  none?: HTMLInputElement;
  problem: HTMLElement;
}

function describedBy(...ids: (string | undefined)[]): string {
  return ids.filter((id): id is string => id !== undefined).join(' ');
}

function options(values: readonly string[]): HTMLOptionElement[] {
  return [h('option', { value: '' }, NOT_KNOWN), ...values.map((value) => h('option', { value }, value))];
}

function rangeText(field: FactField): string | undefined {
  const parts = [
    field.min !== undefined ? `at least ${field.min}` : undefined,
    field.above !== undefined ? `more than ${field.above}` : undefined,
    field.max !== undefined ? `at most ${field.max}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length > 0 ? `A number, ${parts.join(' and ')}.` : undefined;
}

/**
 * `context`: the group's name, read after the label by screen readers, for a label that several
 * fields share (serum tryptase now, at baseline and on imatinib); the fieldset shows it to the eye.
 */
function controlFor(field: FactField, context: string | undefined): { row: HTMLElement; control: Control } {
  const id = fieldId(field.path);
  const hintId = `${id}-hint`;
  const problemId = `${id}-problem`;
  const hintText = [
    field.hint,
    field.kind === 'number' ? rangeText(field) : undefined,
    field.kind === 'list' ? 'One per line.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const hint = hintText ? h('p', { class: 'hint', id: hintId }, hintText) : undefined;
  const problem = h('p', { class: 'problem', id: problemId, hidden: true });
  const common = { id, name: field.path, 'aria-describedby': describedBy(hint ? hintId : undefined, problemId) };
  let input: Control['input'];
  let none: HTMLInputElement | undefined;
  switch (field.kind) {
    case 'number':
      input = h('input', {
        ...common,
        type: 'number',
        inputmode: 'decimal',
        step: 'any',
        min: field.min ?? field.above,
        max: field.max,
        autocomplete: 'off',
      });
      break;
    case 'choice':
      input = h('select', common, ...options(field.options ?? []));
      break;
    case 'yes-no':
      input = h('select', common, ...options(['yes', 'no']));
      break;
    case 'list':
      input = h('textarea', { ...common, rows: 2, spellcheck: false, autocomplete: 'off' });
      none = h('input', { type: 'checkbox', id: `${id}-none`, 'aria-describedby': hint ? hintId : undefined });
      break;
  }
  const label = h(
    'label',
    { for: id },
    field.label,
    context ? srOnly(`, ${context}`) : null,
    field.required ? h('span', { class: 'required' }, ' (required in an order)') : null,
    field.deprecated ? h('span', { class: 'deprecated' }, ' (deprecated)') : null,
  );
  const noneRow = none
    ? h('div', { class: 'none' }, none, h('label', { for: none.id }, 'None: known to be empty', srOnly(`, ${field.label}`)))
    : null;
  const row = h('div', { class: `field field-${field.kind}` }, label, input, noneRow, hint, problem);
  return { row, control: { field, input, ...(none ? { none } : {}), problem } };
}

/** The box that sends a group though none of its fields is filled, as a case may give a section: `{}`. */
function givenBox(group: FactGroup): { row: HTMLElement; box: HTMLInputElement } {
  const box = h('input', { type: 'checkbox', id: `${fieldId(group.path)}-given` });
  const row = h(
    'div',
    { class: 'given' },
    box,
    h('label', { for: box.id }, 'Given, though nothing in it is known', srOnly(`, ${group.label}`)),
  );
  return { row, box };
}

function groupElement(
  group: FactGroup,
  parts: { controls: Map<string, Control>; givenBoxes: Map<string, HTMLInputElement> },
  shared: ReadonlySet<string>,
  depth: number,
): HTMLFieldSetElement {
  const given = givenBox(group);
  parts.givenBoxes.set(group.path, given.box);
  return h(
    'fieldset',
    { id: fieldId(group.path), class: `group depth-${depth}` },
    h('legend', {}, group.label),
    group.hint ? h('p', { class: 'hint' }, group.hint) : null,
    given.row,
    ...group.fields.map((field) => {
      const { row, control } = controlFor(field, shared.has(field.label) ? group.label : undefined);
      parts.controls.set(field.path, control);
      return row;
    }),
    ...group.groups.map((child) => groupElement(child, parts, shared, depth + 1)),
  );
}

/** A choice the value set does not offer, kept so that a case is shown exactly as it is written. */
function offerAsGiven(select: HTMLSelectElement, value: string): void {
  if ([...select.options].some((option) => option.value === value)) return;
  select.append(h('option', { value, 'data-as-given': true }, `${value} (as given)`));
}

function syncNone(control: Control): void {
  if (control.none) control.input.disabled = control.none.checked;
}

/** The form for `groups`, with its controls; input events bubble to the form element. */
export function factsForm(groups: readonly FactGroup[]): FactsForm {
  const controls = new Map<string, Control>();
  const givenBoxes = new Map<string, HTMLInputElement>();
  const labels = fieldsOf(groups).map((field) => field.label);
  const shared = new Set(labels.filter((label, i) => labels.indexOf(label) !== i));
  const element = h(
    'form',
    { id: 'facts-form', class: 'facts-form', 'aria-labelledby': 'facts-heading', novalidate: true, autocomplete: 'off' },
    ...groups.map((group) => groupElement(group, { controls, givenBoxes }, shared, 0)),
  );
  // Enter in a field must not submit (and so reload) the page: the answer is already there.
  element.addEventListener('submit', (event) => event.preventDefault());
  for (const control of controls.values()) control.none?.addEventListener('change', () => syncNone(control));

  return {
    element,
    read() {
      const inputs = new Map<string, FieldInput>();
      for (const [path, { input, none }] of controls) {
        inputs.set(path, {
          text: input.value,
          ...(none?.checked ? { none: true } : {}),
          ...(input instanceof HTMLInputElement && input.validity.badInput ? { unreadable: true } : {}),
        });
      }
      const givenEmpty = new Set([...givenBoxes].filter(([, box]) => box.checked).map(([path]) => path));
      return { inputs, givenEmpty };
    },
    fill({ inputs, givenEmpty }) {
      for (const [path, box] of givenBoxes) box.checked = givenEmpty.has(path);
      for (const [path, control] of controls) {
        const given = inputs.get(path);
        if (control.input instanceof HTMLSelectElement) {
          for (const option of control.input.querySelectorAll('option[data-as-given]')) option.remove();
          if (given?.text) offerAsGiven(control.input, given.text);
        }
        control.input.value = given?.text ?? '';
        if (control.none) control.none.checked = given?.none ?? false;
        syncNone(control);
      }
    },
    showProblems(problems) {
      const byPath = new Map<string, string[]>();
      for (const problem of problems) {
        const path = factPathOf(problem.path);
        byPath.set(path, [...(byPath.get(path) ?? []), `Expected ${problem.expected}; found ${problem.found}.`]);
      }
      for (const [path, { input, problem }] of controls) {
        const messages = byPath.get(path);
        if (messages) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
        problem.hidden = messages === undefined;
        replaceChildren(problem, messages?.join(' ') ?? '');
      }
    },
    focus(path) {
      const control = controls.get(path) ?? fieldsOf(groupsAt(groups, path)).map((f) => controls.get(f.path))[0];
      if (control === undefined) return false;
      const target = control.input.disabled && control.none ? control.none : control.input;
      target.focus();
      target.scrollIntoView({ block: 'center' });
      return true;
    },
  };
}

function groupsAt(groups: readonly FactGroup[], path: string): FactGroup[] {
  for (const group of groups) {
    if (group.path === path) return [group];
    const inner = groupsAt(group.groups, path);
    if (inner.length > 0) return inner;
  }
  return [];
}
