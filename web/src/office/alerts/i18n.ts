/** The alert bell's strings, zh-CN first; merged as `alerts.*` or used as the bell's own messages. */
export const zhCN = {
  alerts: {
    title: '告警',
    bell: '告警，{n} 条未读',
    empty: '暂无告警',
    markAllRead: '全部已读',
    enableNotifications: '开启桌面通知',
    notificationsOn: '桌面通知已开启',
    notificationsBlocked: '浏览器已禁止通知，请在浏览器设置中允许本站通知',
    notificationsUnsupported: '此浏览器不支持桌面通知',
    reconnecting: '告警连接中断，正在重新连接…',
    unavailable: '无法接收告警',
    kind: {
      'maintenance-overdue': '保养逾期',
      'machine-down': '设备停机',
      'inspection-failed': '检验不合格',
      'equipment-health': '设备健康劣化',
    },
    severity: {
      critical: '严重',
      warning: '警告',
    },
  },
};

/** The same keys as zh-CN (the type says so). */
export const en: typeof zhCN = {
  alerts: {
    title: 'Alerts',
    bell: 'Alerts, {n} unread',
    empty: 'No alerts',
    markAllRead: 'Mark all read',
    enableNotifications: 'Turn on notifications',
    notificationsOn: 'Notifications are on',
    notificationsBlocked: 'This browser blocks notifications: allow them for this site in its settings',
    notificationsUnsupported: 'This browser cannot show notifications',
    reconnecting: 'Alert connection lost, reconnecting…',
    unavailable: 'Alerts cannot be received',
    kind: {
      'maintenance-overdue': 'Maintenance overdue',
      'machine-down': 'Machine down',
      'inspection-failed': 'Inspection failed',
      'equipment-health': 'Equipment health degraded',
    },
    severity: {
      critical: 'Critical',
      warning: 'Warning',
    },
  },
};
