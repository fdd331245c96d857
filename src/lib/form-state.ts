// Two things every interactive form on the site does the same way, for the browser:
// - its settings live in the page's URL, so a configuration can be shared as a link: each control
//   with data-param="<name>" is read from ?<name>= on load and written back (only when it differs
//   from the control's default, so an untouched form keeps a clean URL);
// - an error message appears next to the field that caused it (on a phone too, where a message at
//   the top of a long form is out of sight): the control whose data-error-match pattern matches the
//   message gets aria-invalid and aria-describedby, and the one message element moves beside it.
type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const controls = (root: ParentNode): Control[] => [...root.querySelectorAll<Control>('[data-param]')];

function isDefault(c: Control): boolean {
  if (c instanceof HTMLInputElement && (c.type === 'checkbox' || c.type === 'radio')) return c.checked === c.defaultChecked;
  if (c instanceof HTMLSelectElement) return [...c.options].every((o) => o.selected === o.defaultSelected);
  return c.value === c.defaultValue;
}

/** Sets the controls from the URL's query; true if any value came from it. */
export function restoreParams(root: ParentNode, search: string = location.search): boolean {
  const q = new URLSearchParams(search);
  let any = false;
  for (const c of controls(root)) {
    const v = q.get(c.dataset.param as string);
    if (v === null) continue;
    if (c instanceof HTMLInputElement && c.type === 'radio') c.checked = c.value === v;
    else if (c instanceof HTMLInputElement && c.type === 'checkbox') c.checked = v === '1';
    else if (c instanceof HTMLSelectElement && ![...c.options].some((o) => o.value === v)) continue;
    else c.value = v;
    any = true;
  }
  return any;
}

/** The query string for the controls' current values (those that differ from their defaults). */
export function paramsOf(root: ParentNode): URLSearchParams {
  const q = new URLSearchParams();
  for (const c of controls(root)) {
    const name = c.dataset.param as string;
    if (c instanceof HTMLInputElement && c.type === 'radio') {
      if (c.checked && !c.defaultChecked) q.set(name, c.value);
    } else if (!isDefault(c)) q.set(name, c instanceof HTMLInputElement && c.type === 'checkbox' ? (c.checked ? '1' : '0') : c.value);
  }
  return q;
}

/** Writes the controls' values into the URL without a new history entry; keeps the #fragment. */
export function saveParams(root: ParentNode): void {
  const q = paramsOf(root).toString();
  history.replaceState(history.state, '', `${location.pathname}${q ? `?${q}` : ''}${location.hash}`);
}

/** The first control whose data-error-match (a regular expression) matches the message. */
export function fieldFor(message: string, root: ParentNode): HTMLElement | null {
  for (const el of root.querySelectorAll<HTMLElement>('[data-error-match]')) {
    if (new RegExp(el.dataset.errorMatch as string).test(message)) return el;
  }
  return null;
}

const homes = new WeakMap<HTMLElement, { parent: Node; next: Node | null }>();

/** Shows `message` (an element, e.g. role="alert") beside `field`, or where it was when field is null. */
export function showFieldError(message: HTMLElement, field: HTMLElement | null): void {
  clearFieldError(message);
  if (!homes.has(message) && message.parentNode) homes.set(message, { parent: message.parentNode, next: message.nextSibling });
  message.id ||= `error-${Math.random().toString(36).slice(2)}`;
  if (field) {
    (field.closest('label') ?? field).after(message);
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', message.id);
  }
  message.classList.toggle('field-error', field !== null);
  message.hidden = false;
}

/** Hides the message, returns it to its place and clears the field it was attached to. */
export function clearFieldError(message: HTMLElement): void {
  for (const f of document.querySelectorAll(`[aria-describedby="${message.id}"]`)) {
    f.removeAttribute('aria-invalid');
    f.removeAttribute('aria-describedby');
  }
  const home = homes.get(message);
  if (home && message.parentNode !== home.parent) home.parent.insertBefore(message, home.next);
  message.hidden = true;
}
