// Vant's notifications (with their styles: web/vantStyles.ts adds them to this import) as a chunk of
// their own: the office's frame loads it when it first shows one, not before its first screen.
import { showNotify } from 'vant';

export { showNotify };
