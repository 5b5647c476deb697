import { h, ref } from 'vue';
import { Field, showConfirmDialog, showNotify } from 'vant';
import { ApiError, type ApiClient } from '../../composables/api';
import { describeProblem, type Translator } from '../../composables/refusals';

export type OrderAction = 'release' | 'hold' | 'resume' | 'cancel';

/** What a planner may do to an order in each status (the order's lifecycle: README "The domain"). */
const BY_STATUS: Record<string, readonly OrderAction[]> = {
  Planned: ['release', 'hold', 'cancel'],
  Released: ['hold', 'cancel'],
  InProgress: ['hold', 'cancel'],
  OnHold: ['resume', 'cancel'],
};
export const actionsFor = (status: string): readonly OrderAction[] => BY_STATUS[status] ?? [];

/** Hold and cancel take a reason (schemas/commands/reason.json); release and resume an empty body. */
const NEEDS_REASON: Record<OrderAction, boolean> = { release: false, hold: true, resume: false, cancel: true };
const CONFIRM: Record<OrderAction, string> = {
  release: 'confirmRelease',
  hold: 'confirmHold',
  resume: 'confirmResume',
  cancel: 'confirmCancel',
};

/**
 * Asks the planner to confirm (with the reason where the API needs one), then sends the command as
 * the planner's session. Resolves true when the backbone took it; a refusal is shown as a sentence.
 */
export const runOrderAction = async (
  api: ApiClient,
  i18n: Translator,
  orderId: string,
  action: OrderAction,
): Promise<boolean> => {
  const { t } = i18n;
  const reason = ref('');
  const error = ref('');
  const needsReason = NEEDS_REASON[action];
  const confirmed = await showConfirmDialog({
    title: t(`planner.action.${CONFIRM[action]}`, { id: orderId }),
    confirmButtonText: t('office.confirm'),
    cancelButtonText: t('office.cancel'),
    className: 'planner-confirm',
    ...(needsReason
      ? {
          message: () =>
            h(Field, {
              modelValue: reason.value,
              'onUpdate:modelValue': (value: string) => {
                reason.value = value;
                error.value = '';
              },
              label: t('planner.action.reason'),
              placeholder: t('planner.action.reasonHint'),
              errorMessage: error.value,
              maxlength: 500,
              required: true,
              'data-test': 'action-reason',
            }),
        }
      : {}),
    beforeClose: (choice) => {
      if (choice !== 'confirm' || !needsReason || reason.value.trim()) return true;
      error.value = t('planner.action.reasonRequired');
      return false;
    },
  })
    .then(() => true)
    .catch(() => false);
  if (!confirmed) return false;
  try {
    await api.post(
      `/api/orders/${encodeURIComponent(orderId)}/${action}`,
      needsReason ? { reason: reason.value.trim() } : {},
    );
    showNotify({
      type: 'success',
      message: t('planner.action.done', { id: orderId, action: t(`planner.action.${action}`) }),
    });
    return true;
  } catch (e) {
    showNotify({
      type: 'danger',
      message: e instanceof ApiError ? describeProblem(e.problem, i18n, 'order') : String(e),
    });
    return false;
  }
};
