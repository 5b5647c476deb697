import { computed, ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { ApiClient } from '../../composables/api';
import type { Gantt } from './ganttOption';

/** GET /api/planner/work-centers: each work center with its queue, load and Gantt. */
export type PlantWorkCenter = Gantt & {
  name?: string;
  dispatchRule: string;
  queued: number;
  running: number;
  loadHours: number;
};

/**
 * The plant's work centers in one request (the planner's aggregate route) and the one chosen, kept in
 * the address (`?wc=`) so a reload or a shared link shows the same work center.
 */
export const useWorkCenters = (api: ApiClient) => {
  const route = useRoute();
  const router = useRouter();
  const list = ref<PlantWorkCenter[]>([]);
  const chosen = computed(() => {
    const wanted = route.query['wc'];
    return typeof wanted === 'string' && list.value.some((w) => w.workCenter === wanted)
      ? wanted
      : list.value[0]?.workCenter;
  });
  const current = computed(() => list.value.find((w) => w.workCenter === chosen.value));
  const load = async (): Promise<void> => {
    list.value = (await api.get<{ workCenters: PlantWorkCenter[] }>('/api/planner/work-centers')).workCenters;
  };
  const choose = (code: string): void => void router.replace({ query: { ...route.query, wc: code } });
  return { list, chosen, current, load, choose };
};

export type WorkCenters = ReturnType<typeof useWorkCenters>;
