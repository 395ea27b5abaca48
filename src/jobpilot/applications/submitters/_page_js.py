"""Scripts the browser submitter runs inside the page (one round trip each).

They only read what is rendered: an element counts when the browser would show it (not
`display:none`, not transparent, not zero-sized, not pushed off-screen). Honeypot traps (hidden,
off-screen, `aria-hidden`, `tabindex=-1` text boxes) are reported as skipped, never as fields.
"""

from __future__ import annotations

_SHOWN = """
const shown = (el) => {
  if (!el || !el.isConnected) return false;
  if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) {
    return false;
  }
  const r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2) return false;
  const docWidth = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  if (r.right + window.scrollX <= 0 || r.bottom + window.scrollY <= 0) return false;
  if (r.left + window.scrollX >= docWidth) return false;
  return true;
};
const clean = (t) => (t || '').replace(/\\s+/g, ' ').trim();
const textOf = (el) => (el ? clean(el.innerText || el.textContent) : '');
// The document and its shown same-origin frames (iCIMS renders its forms in an iframe).
const docs = () => {
  const found = [document];
  for (let i = 0; i < found.length; i += 1) {
    for (const frame of found[i].querySelectorAll('iframe, frame')) {
      let inner = null;
      try { inner = frame.contentDocument; } catch (error) { inner = null; }
      if (inner && inner.body && shown(frame)) found.push(inner);
    }
  }
  return found;
};
const anyShown = (selectors) => docs().some(
  (doc) => selectors.some((s) => Array.from(doc.querySelectorAll(s)).some(shown)));
"""

# What the page shows now: walls, confirmation, closed notice, validation errors.
INSPECT = (
    "(args) => {"
    + _SHOWN
    + """
  const FRAMES = [
    [/recaptcha\\/(api2|enterprise)\\/(anchor|bframe)/, 'recaptcha'],
    [/hcaptcha\\.com/, 'hcaptcha'],
    [/challenges\\.cloudflare\\.com/, 'turnstile'],
  ];
  let captcha = null;
  const frames = docs().flatMap((doc) => Array.from(doc.querySelectorAll('iframe')));
  for (const frame of frames) {
    const src = frame.getAttribute('src') || '';
    const hit = FRAMES.find(([pattern]) => pattern.test(src));
    if (!hit) continue;
    // The invisible reCAPTCHA badge sits on every Greenhouse form: it is no challenge.
    if (/[?&#]size=invisible|checkbox-invisible/.test(src)) continue;
    if (frame.closest('.grecaptcha-badge')) continue;
    if (shown(frame)) { captcha = hit[1]; break; }
  }
  if (!captcha) {
    const boxes = [
      ['.cf-turnstile', 'turnstile'],
      ['.g-recaptcha:not([data-size="invisible"])', 'recaptcha'],
      ['.h-captcha:not([data-size="invisible"])', 'hcaptcha'],
      ['#challenge-form, #challenge-stage, #cf-challenge-running', 'cloudflare'],
    ];
    for (const [selector, kind] of boxes) {
      if (anyShown([selector])) { captcha = kind; break; }
    }
  }
  const body = docs().map((doc) => clean(doc.body ? doc.body.innerText : '')).join(' ');
  const matches = (source) => (source ? new RegExp(source, 'i').test(body) : false);
  const errors = [];
  for (const selector of args.errors) {
    for (const el of document.querySelectorAll(selector)) {
      const text = textOf(el);
      if (text && shown(el) && !errors.includes(text)) errors.push(text);
    }
  }
  return {
    url: window.location.href,
    pending: Boolean(window.__jobpilotPending),
    captcha,
    login: anyShown(['input[type="password"]', ...args.logins]),
    emailCode: anyShown(args.codes),
    confirmed: matches(args.confirmText),
    closed: matches(args.closedText),
    form: Array.from(document.querySelectorAll(args.form)).some(shown),
    errors,
  };
}"""
)

# The fields rendered inside the form root, tagged with `data-jobpilot-ref` for locators.
FIELDS = (
    "(args) => {"
    + _SHOWN
    + """
  const root = document.querySelector(args.root) || document.body;
  let counter = window.__jobpilotRefs || 0;
  const ref = (el) => {
    if (!el.dataset.jobpilotRef) el.dataset.jobpilotRef = String(++counter);
    return el.dataset.jobpilotRef;
  };
  const WRAPS = '.field, .field-wrapper, .application-question, .form-group, .question';
  const byIds = (ids) =>
    clean(ids.split(/\\s+/).map((id) => textOf(document.getElementById(id))).join(' '));
  const labelOf = (el) => {
    if (el.labels && el.labels.length) {
      const text = textOf(el.labels[0]);
      if (text) return text;
    }
    const by = el.getAttribute('aria-labelledby');
    if (by && byIds(by)) return byIds(by);
    if (el.getAttribute('aria-label')) return clean(el.getAttribute('aria-label'));
    const wrap = el.closest(WRAPS);
    const label = wrap && wrap.querySelector('label, .label, .application-label, legend');
    if (label && textOf(label)) return textOf(label);
    // Some forms title a question with a heading, not a label (Breezy's h3 spans).
    const heading = wrap && wrap.querySelector('h3, h4');
    if (heading && textOf(heading)) return textOf(heading);
    return clean(el.getAttribute('placeholder') || el.getAttribute('title') || '');
  };
  const groupLabelOf = (el) => {
    const group = el.closest('fieldset, [role="group"], [role="radiogroup"]');
    if (group) {
      const by = group.getAttribute('aria-labelledby');
      if (by && byIds(by)) return byIds(by);
      const legend = group.querySelector('legend');
      if (legend && textOf(legend)) return textOf(legend);
      if (group.getAttribute('aria-label')) return clean(group.getAttribute('aria-label'));
    }
    const wrap = el.closest(WRAPS);
    const label = wrap && (wrap.querySelector('.label, .application-label, legend')
      || Array.from(wrap.querySelectorAll('label')).find((l) => !l.control)
      || wrap.querySelector('h3, h4'));
    return label ? textOf(label) : '';
  };
  const trap = (el, type) => {
    if (type === 'file') {
      // File boxes are hidden behind "Attach" buttons (or a collapsed upload panel, JazzHR) on
      // purpose: their wrapper, or the question holding them, must show.
      const holder = el.closest(WRAPS);
      return shown(el.parentElement) || shown(el) || shown(holder) ? null : 'hidden';
    }
    if (el.closest('[aria-hidden="true"]')) return 'aria-hidden';
    if (type === 'select' && !shown(el)) {
      // A native select kept hidden behind a styled menu button (BambooHR's Fabric selects)
      // is answered through the select itself: the button beside it must show.
      return shown(el.parentElement) ? null : 'hidden';
    }
    if (type === 'checkbox' || type === 'radio') {
      const label = el.labels && el.labels[0];
      return shown(el) || shown(label) ? null : 'hidden';
    }
    if (el.getAttribute('tabindex') === '-1') return 'tabindex';
    return shown(el) ? null : 'hidden';
  };
  const fields = [];
  const skipped = [];
  const groups = new Map();
  const BOXES = 'input, textarea, select, [role="combobox"]:not(input):not(:has(input))';
  for (const el of root.querySelectorAll(BOXES)) {
    const tag = el.tagName.toLowerCase();
    const type = tag === 'input' ? (el.getAttribute('type') || 'text').toLowerCase() : tag;
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    if (el.disabled || (el.readOnly && el.getAttribute('role') !== 'combobox')) continue;
    const why = trap(el, type);
    if (why) {
      skipped.push({name: el.name || '', id: el.id || '', why});
      continue;
    }
    const base = {
      ref: ref(el), name: el.getAttribute('name') || '', id: el.id || '',
      required: el.required || el.getAttribute('aria-required') === 'true',
      options: [], option_refs: [], input_type: type,
      autocomplete: (el.getAttribute('autocomplete') || '').toLowerCase(),
    };
    if (type === 'radio' || type === 'checkbox') {
      const name = base.name || base.id;
      const siblings = name
        ? root.querySelectorAll(`input[type="${type}"][name="${CSS.escape(name)}"]`).length
        : 1;
      if (type === 'radio' || name.endsWith('[]') || siblings > 1) {
        const key = type + ':' + name;
        let group = groups.get(key);
        if (!group) {
          const kind = type === 'radio' ? 'radio' : 'checkboxes';
          group = {...base, kind, label: groupLabelOf(el)};
          groups.set(key, group);
          fields.push(group);
        }
        group.required = group.required || base.required;
        const optionLabel = el.labels && el.labels.length ? textOf(el.labels[0]) : clean(el.value);
        group.options.push(optionLabel.replace(/[*\\u2731]/g, '').trim());
        group.option_refs.push(base.ref);
        continue;
      }
      fields.push({...base, kind: 'checkbox', label: labelOf(el)});
      continue;
    }
    let kind = 'text';
    if (type === 'file') kind = 'file';
    else if (tag === 'select') kind = el.multiple ? 'multiselect' : 'select';
    else if (tag !== 'input' && tag !== 'textarea') kind = 'dropdown';
    else if (el.getAttribute('role') === 'combobox') kind = 'combobox';
    else if (tag === 'textarea') kind = 'textarea';
    const field = {...base, kind, label: labelOf(el)};
    if (tag === 'select') {
      Array.from(el.options).forEach((option, index) => {
        const text = clean(option.text);
        // The "Select..." placeholder is no answer.
        if (option.value === '' || !text) return;
        field.options.push(text);
        field.option_refs.push(String(index));
      });
    }
    fields.push(field);
  }
  window.__jobpilotRefs = counter;
  const REQUIRED = /\\(required\\)/i;
  for (const field of fields) {
    if (/[*\\u2731]/.test(field.label) || REQUIRED.test(field.label)) field.required = true;
    field.label = clean(field.label.replace(/[*\\u2731]/g, '').replace(REQUIRED, ''));
  }
  return {fields, skipped};
}"""
)

# Options of an open combobox menu (react-select style): the listbox it controls, else any
# visible listbox.
COMBOBOX_OPTIONS = (
    "(el) => {"
    + _SHOWN
    + """
  const id = el.getAttribute('aria-controls') || el.getAttribute('aria-owns');
  const box = id ? document.getElementById(id) : null;
  const scope = box
    ? [box]
    : Array.from(document.querySelectorAll('[role="listbox"]')).filter(shown);
  const options = [];
  for (const list of scope) {
    for (const option of list.querySelectorAll('[role="option"]')) {
      if (shown(option)) options.push(textOf(option));
    }
  }
  return options;
}"""
)
