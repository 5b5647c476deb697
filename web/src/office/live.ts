import { inject, type InjectionKey } from 'vue';
import type { Live } from '../composables/live';

/**
 * The office's live stream (the PDA's kind, over the office session): a screen calls
 * `useOfficeLive().watch(['order-', 'machine-'], refresh)` and is refreshed when those streams change.
 * It runs while an office screen is open (OfficeLayout starts it once its first screen is shown, and stops it).
 */
export const OFFICE_LIVE: InjectionKey<Live> = Symbol('office-live');

export const useOfficeLive = (): Live => {
  const live = inject(OFFICE_LIVE);
  if (!live) throw new Error('the office live stream is provided by main.ts');
  return live;
};

/**
 * What the office's frame leaves until its first screen has shown what the person opened it for (the
 * dashboard's figures): the live stream and the alerts, whose requests, and the server's work for them,
 * would otherwise compete with that screen's own on a slow phone. A screen that reads figures first
 * holds the frame (`hold()` in its setup) and lets go once they are painted; the frame's work runs once
 * the frame is mounted (`mounted()`, after its first screen was set up) and nothing holds it.
 */
export const createFirstScreen = () => {
  let holds = 0;
  let mounted = false;
  let shown = false;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    if (shown || !mounted || holds > 0) return;
    shown = true;
    waiting.splice(0).forEach((run) => run());
  };
  return {
    /** A screen's figures are coming: the frame waits; call the answer once they are painted (or will never be). */
    hold(): () => void {
      if (shown) return () => undefined;
      holds += 1;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        holds -= 1;
        release();
      };
    },
    /** Runs `work` once the frame is mounted and no screen holds it. */
    afterShown(work: () => void): void {
      if (shown) return work();
      waiting.push(work);
    },
    /** The frame is mounted: its first screen, set up before, holds it or not. */
    mounted(): void {
      mounted = true;
      release();
    },
  };
};

export type FirstScreen = ReturnType<typeof createFirstScreen>;
export const FIRST_SCREEN: InjectionKey<FirstScreen> = Symbol('office-first-screen');

/** The frame's first screen, or none outside the office's frame (then nothing waits). */
export const useFirstScreen = (): FirstScreen | undefined => inject(FIRST_SCREEN, undefined);
