import type { officeZh } from './zh-CN';

export const officeEn: typeof officeZh = {
  title: 'Qijiang MES office',
  menu: 'Menu',
  login: {
    title: 'Office login',
    login: 'Login',
    password: 'Password',
    code: 'One-time code',
    submit: 'Log in',
    codeHint: 'Enter the 6-digit code from your authenticator',
    refused: 'Wrong login or password',
    pda: 'Shop-floor terminal (badge login)',
    office: 'Office login',
  },
  logout: 'Log out',
  language: '中文',
  forbidden: 'Your roles do not allow this',
  offline: 'Offline: showing the last figures read',
  loading: 'Loading…',
  retry: 'Retry',
  empty: 'Nothing here',
  confirm: 'Confirm',
  cancel: 'Cancel',
};
