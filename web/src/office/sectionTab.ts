import { ref, type Ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';

/** The section a work page shows on a phone, kept in the address (`?tab=`) so a reload or a link keeps it. */
export const useSectionTab = <S extends string>(
  sections: readonly S[],
  fallback: S,
): { active: Ref<S>; choose: (section: S) => void } => {
  const route = useRoute();
  const router = useRouter();
  const active = ref(sections.find((s) => s === route.query['tab']) ?? fallback) as Ref<S>;
  const choose = (section: S): void => {
    active.value = section;
    void router.replace({ query: { ...route.query, tab: section } });
  };
  return { active, choose };
};
