import { reactive } from 'vue';

/**
 * Drag to reorder a list with pointer events (mouse, pen and a finger on a tablet alike: the handle has
 * `touch-action: none`, so the browser does not scroll instead). The row follows the pointer; `target`
 * is where it would land (its index once moved); `drop(from, to)` is called when it is let go elsewhere.
 */
export const useDragSort = (rows: () => HTMLElement[], drop: (from: number, to: number) => void) => {
  const state = reactive<{ from: number; target: number; dy: number }>({ from: -1, target: -1, dy: 0 });
  let centers: number[] = [];
  let startY = 0;
  const targetOf = (dy: number): number => {
    const center = (centers[state.from] ?? 0) + dy;
    return centers.filter((c, i) => i !== state.from && c < center).length;
  };
  const move = (event: PointerEvent): void => {
    if (state.from < 0) return;
    state.dy = event.clientY - startY;
    state.target = targetOf(state.dy);
  };
  const end = (event: PointerEvent): void => {
    const handle = event.currentTarget as HTMLElement;
    handle.removeEventListener('pointermove', move);
    handle.removeEventListener('pointerup', end);
    handle.removeEventListener('pointercancel', end);
    const [from, to] = [state.from, event.type === 'pointerup' ? state.target : state.from];
    Object.assign(state, { from: -1, target: -1, dy: 0 });
    if (from >= 0 && to >= 0 && to !== from) drop(from, to);
  };
  const start = (event: PointerEvent, index: number): void => {
    if (event.button !== 0 || state.from >= 0) return;
    event.preventDefault();
    const handle = event.currentTarget as HTMLElement;
    handle.setPointerCapture(event.pointerId);
    centers = rows().map((row) => {
      const box = row.getBoundingClientRect();
      return box.top + box.height / 2;
    });
    startY = event.clientY;
    Object.assign(state, { from: index, target: index, dy: 0 });
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };
  /** How a row is drawn while dragging: the dragged one follows the pointer, the others make room. */
  const styleOf = (index: number): Record<string, string> => {
    if (state.from < 0) return {};
    if (index === state.from) return { transform: `translateY(${state.dy}px)`, zIndex: '2', position: 'relative' };
    const height = (centers[1] ?? 0) - (centers[0] ?? 0);
    const shift =
      index > state.from && index <= state.target ? -height : index < state.from && index >= state.target ? height : 0;
    return shift
      ? { transform: `translateY(${shift}px)`, transition: 'transform 120ms' }
      : { transition: 'transform 120ms' };
  };
  return { state, start, styleOf };
};
