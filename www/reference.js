// The colour reference: an optional colour photo that lends its colours to the grey one (a
// modern photo of the same street, the same kind of flower, the person's colour portrait): the
// parts of the photo that look like parts of it take their colours, wherever they are in it.
// Picked, dropped or replaced here, shown as a thumbnail,
// removed with one button; every change re-colours the photo.

/**
 * `ui`: { section, drop, file, thumb, name, remove }; `changed()` is called after each change.
 * Returns { bytes() (the reference's encoded bytes, or null), show(enabled) }.
 */
export function createReference(ui, { changed }) {
  let current = null; // { bytes, url, name }

  function set(next) {
    if (current) URL.revokeObjectURL(current.url);
    current = next;
    ui.thumb.hidden = !current;
    ui.remove.hidden = !current;
    ui.thumb.src = current ? current.url : '';
    ui.name.textContent = current ? current.name : 'none';
    ui.drop.classList.toggle('has-reference', Boolean(current));
    changed();
  }

  async function accept(file) {
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    set({ bytes, url: URL.createObjectURL(new Blob([bytes], { type: file.type })), name: file.name || 'pasted image' });
  }

  ui.file.addEventListener('change', () => {
    accept(ui.file.files[0]);
    ui.file.value = '';
  });
  ui.drop.addEventListener('keydown', (e) => {
    if (e.target === ui.drop && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); ui.file.click(); }
  });
  ui.drop.addEventListener('dragover', (e) => { e.preventDefault(); e.stopPropagation(); ui.drop.classList.add('over'); });
  ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
  ui.drop.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation(); // a reference is not the photo
    ui.drop.classList.remove('over');
    accept(e.dataTransfer.files[0]);
  });
  ui.remove.addEventListener('click', () => set(null));

  return {
    bytes: () => current?.bytes ?? null,
    /** Offer the reference only when the model takes one. */
    show(enabled) {
      ui.section.hidden = !enabled;
      if (!enabled && current) set(null);
    },
  };
}
