export const maintenanceZh = {
  title: '设备维护',
};
