/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/client" />

// vue-tsc is not installed: single-file components are typed as components here, and their scripts are checked by the build
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
