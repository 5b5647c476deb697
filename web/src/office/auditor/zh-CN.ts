export const auditorZh = {
  title: '审计',
};
