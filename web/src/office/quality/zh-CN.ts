export const qualityZh = {
  title: '质量',
};
