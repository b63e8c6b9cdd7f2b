// Small DOM helpers shared by the modules.  Everything is built with
// textContent (never innerHTML): names and messages come from the server.

export const $ = (id) => document.getElementById(id);

// el('td', {class: 'num', colSpan: 2}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

export const option = (value, label, opts = {}) =>
  el('option', { value, disabled: opts.disabled || undefined, selected: opts.selected || undefined }, label);

// Replace a <select>'s options, keeping the current choice when it is
// still offered and enabled.
export function fillSelect(select, options) {
  const keep = select.value;
  select.replaceChildren(...options);
  const again = [...select.options].find((x) => x.value === keep && !x.disabled);
  if (again) select.value = keep;
}

// Short team name for sentences: "Marrow Bay Gulls" -> "Gulls".
export const nickname = (team) => (team?.name ? team.name.trim().split(/\s+/).pop() : 'team');
export const possessive = (word) => (word.endsWith('s') ? `${word}'` : `${word}'s`);

export const ordinal = (n) => {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
};

// A message in an error slot: shown until that control is used again.
export function showError(id, message) {
  const node = $(id);
  if (!node) return;
  node.textContent = message || '';
  node.hidden = !message;
}
