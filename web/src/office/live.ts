import { inject, type InjectionKey } from 'vue';
import type { Live } from '../composables/live';

/**
 * The office's live stream (the PDA's kind, over the office session): a screen calls
 * `useOfficeLive().watch(['order-', 'machine-'], refresh)` and is refreshed when those streams change.
 * It runs while an office screen is open (OfficeLayout starts and stops it).
 */
export const OFFICE_LIVE: InjectionKey<Live> = Symbol('office-live');

export const useOfficeLive = (): Live => {
  const live = inject(OFFICE_LIVE);
  if (!live) throw new Error('the office live stream is provided by main.ts');
  return live;
};
