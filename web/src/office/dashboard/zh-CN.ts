export const dashboardZh = {
  title: '看板',
};
