export const plannerZh = {
  title: '计划',
};
