import { computed, ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { ApiClient } from '../../composables/api';

export type WorkCenter = { code: string; name?: string };

/**
 * The plant's work centers (master data in force now, named in the person's language) and the one
 * chosen, kept in the address (`?wc=`) so a reload or a shared link shows the same queue.
 */
export const useWorkCenters = (api: ApiClient) => {
  const route = useRoute();
  const router = useRouter();
  const list = ref<WorkCenter[]>([]);
  const chosen = computed(() => {
    const wanted = route.query['wc'];
    return typeof wanted === 'string' && list.value.some((w) => w.code === wanted) ? wanted : list.value[0]?.code;
  });
  const load = async (): Promise<void> => {
    const page = await api.get<{ items: WorkCenter[] }>('/api/master/work-centers?active=true&limit=1000');
    list.value = page.items.map(({ code, name }) => ({ code, ...(name ? { name } : {}) }));
  };
  const choose = (code: string): void => void router.replace({ query: { ...route.query, wc: code } });
  return { list, chosen, load, choose };
};
