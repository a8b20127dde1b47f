// Colour hints on the page: pins on the photo, each saying "this point has this colour".
// Click or tap the photo to add a pin (it starts with the colour shown there), drag a pin to
// move it, pick its colour with the colour picker or one of the colours the model suggests
// for that point. Keyboard: Enter on the photo adds a pin at its centre; on a pin, the arrow
// keys move it (Shift: faster), Delete removes it, Escape leaves it. Hints live only in this
// page's memory (never in the URL) and are cleared with "Clear all pins" or a new photo.

const MOVE_THRESHOLD = 6; // pixels of pointer travel before a press counts as a drag

/** A coordinate kept on the image: 0 ≤ v < max (hints must lie inside it). */
const onImage = (v, max) => Math.min(max - 0.5, Math.max(0, v));

const hex = ({ r, g, b }) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
const fromHex = (text) => ({
  r: parseInt(text.slice(1, 3), 16), g: parseInt(text.slice(3, 5), 16), b: parseInt(text.slice(5, 7), 16),
});

/**
 * ui: { compare, pins, editor, color, suggestions, remove, clear, count }.
 * hooks: changed() after any edit; colourAt(x, y) → {r, g, b} now shown there;
 * suggest(x, y, otherHints) → Promise<[{r, g, b, probability}]>.
 */
export function createHints(ui, hooks) {
  let hints = []; // { id, x, y, r, g, b } in image pixels
  let selected = null;
  let size = null; // { width, height } of the photo
  let nextId = 1;
  let press = null; // { x, y, pin?, moved } while a pointer is down

  const find = (id) => hints.find((h) => h.id === id);

  /** Photo pixel under a client point, kept inside the image. */
  function toImage(clientX, clientY) {
    const box = ui.pins.getBoundingClientRect();
    return {
      x: onImage(((clientX - box.left) / box.width) * size.width, size.width),
      y: onImage(((clientY - box.top) / box.height) * size.height, size.height),
    };
  }

  function render() {
    ui.pins.replaceChildren(...hints.map((h) => {
      const pin = document.createElement('button');
      pin.type = 'button';
      pin.className = 'pin';
      pin.dataset.id = String(h.id);
      pin.style.left = `${(h.x / size.width) * 100}%`;
      pin.style.top = `${(h.y / size.height) * 100}%`;
      pin.style.background = hex(h);
      pin.setAttribute('aria-label', `Colour hint at ${Math.round(h.x)}, ${Math.round(h.y)}: ${hex(h)}`);
      pin.setAttribute('aria-pressed', String(h.id === selected));
      return pin;
    }));
    const hint = find(selected);
    ui.editor.hidden = !hint;
    if (hint) ui.color.value = hex(hint);
    ui.clear.disabled = hints.length === 0;
    ui.count.textContent = hints.length ? `${hints.length} pin${hints.length > 1 ? 's' : ''}` : '';
    document.body.dataset.hints = String(hints.length);
  }

  function focusPin(id) {
    ui.pins.querySelector(`[data-id="${id}"]`)?.focus();
  }

  /** Ask the model which colours fit the selected pin's point (ignoring that pin itself). */
  async function refreshSuggestions() {
    const hint = find(selected);
    ui.suggestions.replaceChildren();
    if (!hint) return;
    const others = hints.filter((h) => h.id !== hint.id).map(plain);
    try {
      const colours = await hooks.suggest(hint.x, hint.y, others);
      if (selected !== hint.id) return;
      ui.suggestions.replaceChildren(...colours.map((c) => {
        const swatch = document.createElement('button');
        swatch.type = 'button';
        swatch.className = 'swatch';
        swatch.style.background = hex(c);
        swatch.title = `${hex(c)} (${Math.round(c.probability * 100)}%)`;
        swatch.setAttribute('aria-label', `Use ${hex(c)}, ${Math.round(c.probability * 100)}% likely here`);
        swatch.addEventListener('click', () => setColour(hint.id, c));
        return swatch;
      }));
      document.body.dataset.suggested = String(Number(document.body.dataset.suggested ?? 0) + 1);
    } catch (e) {
      ui.suggestions.textContent = `No suggestions: ${e.message}`;
    }
  }

  function select(id) {
    selected = id;
    render();
    if (id !== null) focusPin(id);
    refreshSuggestions();
  }

  function add(x, y) {
    const hint = { id: nextId++, x, y, ...hooks.colourAt(x, y) };
    hints.push(hint);
    select(hint.id);
    hooks.changed();
  }

  function move(id, x, y) {
    const hint = find(id);
    Object.assign(hint, { x, y });
    render();
    focusPin(id);
    hooks.changed();
  }

  function remove(id) {
    hints = hints.filter((h) => h.id !== id);
    if (selected === id) selected = null;
    render();
    ui.suggestions.replaceChildren();
    hooks.changed();
  }

  function setColour(id, { r, g, b }) {
    const hint = find(id);
    if (!hint) return;
    Object.assign(hint, { r, g, b });
    render();
    hooks.changed();
  }

  // Pointer: press on the photo adds a pin on release (unless it moved); press on a pin
  // selects it and dragging moves it. Pointer events cover mouse, pen and touch alike.
  ui.pins.addEventListener('pointerdown', (e) => {
    if (!size || e.button > 0) return;
    const pin = e.target.closest('.pin');
    press = { x: e.clientX, y: e.clientY, pin: pin ? Number(pin.dataset.id) : null, moved: false };
    ui.pins.setPointerCapture(e.pointerId);
    if (press.pin !== null && press.pin !== selected) select(press.pin);
  });
  ui.pins.addEventListener('pointermove', (e) => {
    if (!press) return;
    if (Math.hypot(e.clientX - press.x, e.clientY - press.y) > MOVE_THRESHOLD) press.moved = true;
    if (press.moved && press.pin !== null) {
      const hint = find(press.pin);
      Object.assign(hint, toImage(e.clientX, e.clientY));
      render();
    }
  });
  ui.pins.addEventListener('pointerup', (e) => {
    const done = press;
    press = null;
    if (!done || !size) return;
    if (done.pin === null && !done.moved) {
      const { x, y } = toImage(e.clientX, e.clientY);
      add(x, y);
    } else if (done.pin !== null && done.moved) {
      focusPin(done.pin);
      hooks.changed();
      refreshSuggestions();
    } else if (done.pin !== null) {
      focusPin(done.pin);
    }
  });
  ui.pins.addEventListener('pointercancel', () => { press = null; });

  // Keyboard.
  ui.pins.addEventListener('keydown', (e) => {
    if (!size) return;
    const pin = e.target.closest?.('.pin');
    if (!pin) {
      if (e.key === 'Enter' || e.key === '+') {
        e.preventDefault();
        add(size.width / 2, size.height / 2);
      }
      return;
    }
    const hint = find(Number(pin.dataset.id));
    const step = (e.shiftKey ? 0.1 : 0.01) * Math.max(size.width, size.height);
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (arrows[e.key]) {
      e.preventDefault();
      const [dx, dy] = arrows[e.key];
      selected = hint.id;
      move(hint.id, onImage(hint.x + dx * step, size.width), onImage(hint.y + dy * step, size.height));
      refreshSuggestions();
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      remove(hint.id);
      ui.pins.focus();
    } else if (e.key === 'Escape') {
      select(null);
      ui.pins.focus();
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select(hint.id);
    }
  });

  ui.color.addEventListener('input', () => { if (selected !== null) setColour(selected, fromHex(ui.color.value)); });
  ui.remove.addEventListener('click', () => { if (selected !== null) remove(selected); });
  ui.clear.addEventListener('click', () => {
    hints = [];
    selected = null;
    render();
    ui.suggestions.replaceChildren();
    hooks.changed();
  });

  return {
    /** A new photo (of this size, or not yet known: 0, 0): no pins. */
    reset(width, height) {
      size = width && height ? { width, height } : null;
      hints = [];
      selected = null;
      render();
      ui.suggestions.replaceChildren();
    },
    /** The hints as the colorizer takes them. */
    list: () => hints.map(plain),
  };
}

const plain = ({ x, y, r, g, b }) => ({ x, y, r, g, b });
